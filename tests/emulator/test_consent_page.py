"""The emulator's sign-in address asks like Google's: account chooser, scopes in words, Allow / Cancel.

Driven with plain HTTP (urllib / http.client), the way `curl` or a browser without JavaScript would.
"""

from __future__ import annotations

import http.client
import urllib.parse

import pytest
from studiosync.core.emulator import GoogleEmulator

from tests.helpers.browser import read_consent_page, submit_consent

from .helpers import ANN, BOB, SCOPES, call, consent

REDIRECT = "http://127.0.0.1:9/"


@pytest.fixture
def emu(emu: GoogleEmulator) -> GoogleEmulator:
    emu.set_consent_account(None)  # nobody scripted: the page asks the person
    return emu


def auth_url(emu: GoogleEmulator, **params: str) -> str:
    base = {
        "response_type": "code",
        "client_id": "client-1",
        "redirect_uri": REDIRECT,
        "scope": " ".join(SCOPES),
        "state": "st-1",
    }
    return emu.url + "/o/oauth2/auth?" + urllib.parse.urlencode({**base, **params})


def post(url: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
    """POST a form without following the redirect (the loopback address is not listening)."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request(
            "POST",
            f"{parts.path}?{parts.query}",
            body=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


def query(location: str) -> dict[str, str]:
    assert location.startswith(REDIRECT), location
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))


def test_the_page_lists_accounts_and_scopes_in_words(emu: GoogleEmulator) -> None:
    status, headers, _ = consent(emu, auth_url(emu))
    assert status == 200 and headers["Content-Type"].startswith("text/html")  # no redirect at once
    form = read_consent_page(auth_url(emu))
    assert form.accounts == [ANN, BOB]
    assert form.chosen is None  # no login_hint: nobody preselected
    assert form.decisions == ["allow", "cancel"]
    assert "See, edit, share, and permanently delete all the calendars" in form.text
    assert "See and download your contacts" in form.text
    assert "client-1 wants to access your Google Account" in form.text
    assert "Use another account" in form.text


def test_login_hint_preselects_the_account(emu: GoogleEmulator) -> None:
    assert read_consent_page(auth_url(emu, login_hint=BOB.upper())).chosen == BOB
    unknown = read_consent_page(auth_url(emu, login_hint="new@example.com"))
    assert (unknown.chosen, unknown.other_email) == ("other", "new@example.com")


def test_allow_redirects_with_code_scope_and_state(emu: GoogleEmulator) -> None:
    status, location = submit_consent(auth_url(emu, login_hint=BOB), "allow")
    assert status == 302
    params = query(location)
    assert params["state"] == "st-1" and params["code"].startswith("4/")
    assert params["scope"].split() == SCOPES
    with emu.state.lock:
        assert emu.state.codes[params["code"]].email == BOB


def test_cancel_redirects_with_access_denied(emu: GoogleEmulator) -> None:
    status, location = submit_consent(auth_url(emu, login_hint=ANN), "cancel")
    assert status == 302
    assert query(location) == {"error": "access_denied", "state": "st-1"}
    with emu.state.lock:
        assert not emu.state.codes  # nothing granted


def test_curl_posts_allow_to_the_address_itself(emu: GoogleEmulator) -> None:
    """`curl -d decision=allow -d account=EMAIL URL`: the form posts back to the sign-in address."""
    url = auth_url(emu)
    status, headers, _ = post(url, f"decision=allow&account={ANN}".encode())
    assert status == 302 and "code" in query(headers["Location"])
    # Without an account (and no login_hint to fall back on) the page comes back saying what is missing.
    status, _, body = post(url, b"decision=allow")
    assert status == 400 and b"Choose an account" in body
    status, _, body = post(url, f"account={ANN}".encode())
    assert status == 400 and b"Choose Allow or Cancel" in body


def test_another_account_signs_up(emu: GoogleEmulator) -> None:
    status, location = submit_consent(auth_url(emu), "allow", account="Dee@Example.com")
    assert status == 302 and "code" in query(location)
    assert "dee@example.com" in [a["email"] for a in emu.accounts()]
    assert [c["id"] for c in emu.calendars("dee@example.com")] == ["dee@example.com"]  # a primary calendar
    status, text = submit_consent(auth_url(emu), "allow", account="not-an-address")
    assert status == 400 and "Enter a valid email address" in text


def test_unticked_scope_is_not_granted(emu: GoogleEmulator) -> None:
    url = auth_url(emu)
    form = read_consent_page(url)
    form.fields = [(k, v) for k, v in form.fields if not (k == "grant" and "contacts" in v)]
    status, headers, _ = post(url, form.body("allow", ANN))
    assert status == 302
    assert query(headers["Location"])["scope"] == SCOPES[0]  # Calendar only
    form.fields = [(k, v) for k, v in form.fields if k != "grant"]
    status, _, text = post(url, form.body("allow", ANN))
    assert status == 400 and b"Tick at least one" in text


def test_untrusted_requests_get_an_error_page_never_a_redirect(emu: GoogleEmulator) -> None:
    for bad in (auth_url(emu, client_id="nobody"), auth_url(emu, redirect_uri="https://evil.example/cb")):
        status, headers, body = call(emu, "GET", bad[len(emu.url) :])
        assert status == 400 and "Location" not in headers and b"Access blocked" in body
        status, headers, _ = post(bad, b"decision=allow&account=" + ANN.encode())
        assert status == 400 and "Location" not in headers


def test_request_errors_redirect_like_google(emu: GoogleEmulator) -> None:
    _, _, params = consent(emu, auth_url(emu, response_type="token"))
    assert params == {"error": "unsupported_response_type", "state": "st-1"}
    _, _, params = consent(emu, auth_url(emu, prompt="sometimes"))
    assert params["error"] == "invalid_request" and "prompt" in params["error_description"]
    _, _, params = consent(emu, auth_url(emu, prompt="none consent"))
    assert params["error"] == "invalid_request"


def test_prompt_none_answers_without_a_page(emu: GoogleEmulator) -> None:
    _, _, params = consent(emu, auth_url(emu, prompt="none"))
    assert params == {"error": "interaction_required", "state": "st-1"}
    _, _, params = consent(emu, auth_url(emu, prompt="none", login_hint=ANN))
    assert params == {"error": "consent_required", "state": "st-1"}
    emu.authorize(ANN, "client-1", SCOPES)  # Ann granted these scopes before
    status, _, params = consent(emu, auth_url(emu, prompt="none", login_hint=ANN))
    assert status == 302 and params["code"] and params["state"] == "st-1"


def test_the_page_escapes_what_it_shows(emu: GoogleEmulator) -> None:
    emu.add_account("eve@example.com", name="<script>alert(1)</script>")
    _, _, body = call(emu, "GET", auth_url(emu, login_hint='"><b>x')[len(emu.url) :])
    assert b"<script>alert" not in body and b"&lt;script&gt;" in body
    assert b'"><b>x' not in body


def test_scripted_consent_still_answers_at_once(emu: GoogleEmulator) -> None:
    """Tests and scripts may stand in for the person (control API): then no page is shown."""
    emu.set_consent_account(ANN)
    status, _, params = consent(emu, auth_url(emu))
    assert status == 302 and params["code"]
    emu.set_consent_account(ANN, deny=True)
    assert consent(emu, auth_url(emu))[2] == {"error": "access_denied", "state": "st-1"}
