"""OAuth 2.0 against the real google-auth-oauthlib / requests-oauthlib / google-auth clients."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import time
import urllib.parse
from typing import Any

import pytest
from google.auth.exceptions import RefreshError
from google.auth.transport.requests import Request as AuthRequest
from google.oauth2.credentials import Credentials
from google_auth_oauthlib.flow import Flow
from googleapiclient.errors import HttpError
from oauthlib.oauth2.rfc6749.errors import InvalidGrantError
from studiosync.core.emulator import GoogleEmulator

from .helpers import ANN, BOB, SCOPES, call, consent, login, reason, service


def _auth_query(**params: str) -> str:
    base = {
        "response_type": "code",
        "client_id": "client-1",
        "redirect_uri": "http://127.0.0.1:9/",
        "scope": " ".join(SCOPES),
    }
    return "/o/oauth2/auth?" + urllib.parse.urlencode({**base, **params})


def _token(emu: GoogleEmulator, **form: str) -> tuple[int, dict[str, Any]]:
    status, _, body = call(
        emu,
        "POST",
        "/token",
        urllib.parse.urlencode(form).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    return status, json.loads(body)


def test_installed_app_flow_yields_working_credentials(emu: GoogleEmulator) -> None:
    creds = login(emu)
    assert creds.token and creds.refresh_token
    assert set(creds.scopes or []) == set(SCOPES)
    items = service(emu, "calendar", creds).calendarList().list().execute()["items"]
    assert [(i["id"], i["primary"], i["accessRole"]) for i in items] == [(ANN, True, "owner")]
    assert emu.request_counts(ANN)["oauth"] == 2  # consent + code exchange


def test_login_hint_names_the_account(emu: GoogleEmulator) -> None:
    creds = login(emu, login_hint=BOB)
    primary = service(emu, "calendar", creds).calendars().get(calendarId="primary").execute()
    assert primary["id"] == BOB and primary["timeZone"] == "Europe/Paris"


def test_wrong_pkce_verifier_is_invalid_grant(emu: GoogleEmulator) -> None:
    flow = Flow.from_client_config(emu.client_secrets("client-1"), SCOPES, redirect_uri="http://127.0.0.1:9/")
    url, state = flow.authorization_url()
    status, _, params = consent(emu, url)
    assert status == 302 and params["state"] == state and params["code"]
    flow.code_verifier = "x" * 64
    with pytest.raises(InvalidGrantError):
        flow.fetch_token(code=params["code"])


def test_plain_pkce_form_client_auth_and_single_use_codes(emu: GoogleEmulator) -> None:
    _, _, params = consent(emu, emu.url + _auth_query(code_challenge="v" * 50, code_challenge_method="plain"))
    form = {
        "grant_type": "authorization_code",
        "code": params["code"],
        "client_id": "client-1",
        "client_secret": "secret-1",
        "redirect_uri": "http://127.0.0.1:9/",
        "code_verifier": "v" * 50,
    }
    status, body = _token(emu, **form)
    assert status == 200 and body["token_type"] == "Bearer" and body["refresh_token"]
    assert body["expires_in"] == 3600 and body["scope"].split() == SCOPES
    status, body = _token(emu, **form)  # codes are single use
    assert (status, body["error"]) == (400, "invalid_grant")


def test_s256_challenge_checked_and_secret_required(emu: GoogleEmulator) -> None:
    verifier = "k" * 64
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    _, _, params = consent(emu, emu.url + _auth_query(code_challenge=challenge, code_challenge_method="S256"))
    base = {
        "grant_type": "authorization_code",
        "code": params["code"],
        "client_id": "client-1",
        "redirect_uri": "http://127.0.0.1:9/",
        "code_verifier": verifier,
    }
    status, body = _token(emu, **base, client_secret="wrong")
    assert (status, body["error"]) == (401, "invalid_client")
    status, body = _token(emu, **{**base, "code_verifier": "z" * 64}, client_secret="secret-1")
    assert (status, body["error"]) == (400, "invalid_grant")  # and the code is used up, as at Google
    status, body = _token(emu, **base, client_secret="secret-1")
    assert (status, body["error"]) == (400, "invalid_grant")
    _, _, params = consent(emu, emu.url + _auth_query(code_challenge=challenge, code_challenge_method="S256"))
    status, body = _token(emu, **{**base, "code": params["code"]}, client_secret="secret-1")
    assert status == 200, body


def test_consent_errors(emu: GoogleEmulator) -> None:
    status, headers, _ = call(emu, "GET", _auth_query(client_id="nobody"))
    assert status == 400 and headers["Content-Type"].startswith("text/html")
    status, _, _ = call(emu, "GET", _auth_query(redirect_uri="https://evil.example/cb"))
    assert status == 400
    emu.register_client("web-1", "s", redirect_uris=["https://studio.example/cb"])
    status, headers, params = consent(
        emu, emu.url + _auth_query(client_id="web-1", redirect_uri="https://studio.example/cb", state="s1")
    )
    assert (
        status == 302
        and headers["Location"].startswith("https://studio.example/cb?")
        and params["state"] == "s1"
    )
    emu.set_consent_account(ANN, deny=True)
    _, _, params = consent(emu, emu.url + _auth_query(state="s2"))
    assert params == {"state": "s2", "error": "access_denied"}


def test_refresh_then_revoked_grant_is_invalid_grant(emu: GoogleEmulator, creds: Credentials) -> None:
    first = creds.token
    creds.refresh(AuthRequest())
    assert creds.token != first and creds.valid
    assert emu.revoke_grant(ANN) == 1
    with pytest.raises(RefreshError, match="invalid_grant"):
        creds.refresh(AuthRequest())
    # The access token died with the grant: the API answers 401 and google-auth's refresh fails.
    with pytest.raises(RefreshError):
        service(emu, "calendar", creds).calendarList().list().execute()


def test_revoke_endpoint_revokes_the_grant(emu: GoogleEmulator, creds: Credentials) -> None:
    status, _, _ = call(emu, "POST", "/revoke?token=" + urllib.parse.quote(creds.token))
    assert status == 200
    status, _, _ = call(
        emu,
        "POST",
        "/revoke",
        urllib.parse.urlencode({"token": creds.refresh_token}).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 400  # already revoked
    with pytest.raises(RefreshError, match="Token has been expired or revoked"):
        creds.refresh(AuthRequest())
    # A new consent works again.
    assert login(emu).valid


def test_expired_access_token_is_refreshed_transparently(emu: GoogleEmulator, creds: Credentials) -> None:
    cal = service(emu, "calendar", creds)
    cal.calendarList().list().execute()
    before, counts = creds.token, emu.request_counts(ANN)
    assert emu.expire_access_tokens(ANN) >= 1
    assert cal.calendarList().list().execute()["items"]
    after = emu.request_counts(ANN)
    assert creds.token != before
    assert after["calendar"] - counts["calendar"] == 2  # the 401 and the retry
    assert after["oauth"] - counts["oauth"] == 1


def test_token_ttl_sets_expiry(emu: GoogleEmulator) -> None:
    emu.token_ttl = 600
    creds = login(emu)
    assert creds.expiry is not None  # google-auth keeps a naive UTC expiry
    remaining = creds.expiry.replace(tzinfo=dt.UTC).timestamp() - time.time()
    assert 590 < remaining <= 601


def test_scopes_are_enforced(emu: GoogleEmulator) -> None:
    creds = login(emu, scopes=["https://www.googleapis.com/auth/calendar.readonly"])
    cal = service(emu, "calendar", creds)
    assert cal.events().list(calendarId="primary").execute()["items"] == []
    with pytest.raises(HttpError) as err:
        cal.events().insert(calendarId="primary", body={"summary": "x"}).execute()
    assert err.value.status_code == 403 and reason(err.value) == "insufficientPermissions"
    with pytest.raises(HttpError) as err:
        service(emu, "people", creds).people().connections().list(
            resourceName="people/me", personFields="names"
        ).execute()
    assert err.value.status_code == 403


def test_authorize_shortcut_gives_authorized_user_info(emu: GoogleEmulator) -> None:
    info = emu.authorize(BOB, "client-1")
    # Quirk worth knowing: google-auth's from_authorized_user_info always resets token_uri to Google's.
    assert Credentials.from_authorized_user_info(info).token_uri == "https://oauth2.googleapis.com/token"
    creds = Credentials(
        token=info["token"],
        refresh_token=info["refresh_token"],
        token_uri=info["token_uri"],
        client_id=info["client_id"],
        client_secret=info["client_secret"],
        scopes=info["scopes"],
    )
    assert service(emu, "calendar", creds).calendars().get(calendarId="primary").execute()["id"] == BOB
    creds.refresh(AuthRequest())
    assert creds.valid


def test_revoking_one_token_withdraws_the_apps_access_to_the_whole_account(emu) -> None:
    """Google's revoke removes the app's access for the account: an older grant of the same client dies too."""
    import json
    import urllib.parse
    import urllib.request

    emu.add_account("rev@example.com")
    emu.register_client("rev-client", "rev-secret")
    first = emu.authorize("rev@example.com", "rev-client")
    second = emu.authorize("rev@example.com", "rev-client")
    body = urllib.parse.urlencode({"token": second["refresh_token"]}).encode()
    urllib.request.urlopen(
        urllib.request.Request(f"{emu.url}/revoke", data=body, method="POST"), timeout=5
    ).read()

    for token in (first["refresh_token"], second["refresh_token"]):
        form = urllib.parse.urlencode(
            {
                "grant_type": "refresh_token",
                "refresh_token": token,
                "client_id": "rev-client",
                "client_secret": "rev-secret",
            }
        ).encode()
        try:
            urllib.request.urlopen(
                urllib.request.Request(f"{emu.url}/token", data=form, method="POST"), timeout=5
            )
            raise AssertionError("refresh should fail after revocation")
        except urllib.error.HTTPError as exc:
            assert exc.code == 400
            assert json.loads(exc.read())["error"] == "invalid_grant"
