"""The real OAuth flow (google-auth-oauthlib + PKCE) end to end against the emulator, both paths."""

from __future__ import annotations

import io
import os
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from google.auth.exceptions import RefreshError
from studiosync.core.emulator import GoogleEmulator
from studiosync.core.errors import InputError, OperationError
from studiosync.core.google.api import build_calendar, build_people, execute, request_counter
from studiosync.core.google.errors import GoogleError, classify
from studiosync.core.google.oauth import (
    CALENDAR_SCOPE,
    SCOPES,
    ClientConfig,
    credentials_from_token,
    revoke,
)
from studiosync.core.google.signin import AuthorizationSession
from studiosync.core.google.tokens import StoredToken

from tests.google.conftest import ANN
from tests.google.helpers import FakeTime


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def consent_redirect(url: str) -> str:
    """Play the browser up to Google's 302, without following it: the URL a user would paste."""
    opener = urllib.request.build_opener(_NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as info:
        opener.open(url, timeout=10)
    assert info.value.code == 302
    return info.value.headers["Location"]


def browse(url: str, results: list) -> None:
    """Play the browser all the way: consent, then follow the redirect to our loopback listener."""
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            results.append((resp.status, resp.read().decode()))
    except Exception as exc:  # surfaced by the test's assertions
        results.append(exc)


def test_authorization_url_asks_for_offline_access_with_pkce(client: ClientConfig) -> None:
    with AuthorizationSession(client) as session:
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(session.url).query)
    assert q["access_type"] == ["offline"] and q["prompt"] == ["consent"]
    assert q["include_granted_scopes"] == ["true"]
    assert q["code_challenge_method"] == ["S256"] and len(q["code_challenge"][0]) == 43
    assert q["redirect_uri"] == [session.redirect_uri]
    assert session.redirect_uri.startswith("http://localhost:") and session.redirect_uri.endswith("/")
    assert q["scope"][0].split() == list(SCOPES)
    assert q["state"] == [session.state]


def test_loopback_path(emu: GoogleEmulator, client: ClientConfig) -> None:
    browser: list = []
    with AuthorizationSession(client, api_root=emu.url) as session:
        t = threading.Thread(target=browse, args=(session.url, browser))
        t.start()
        result = session.wait(10)
        t.join(10)
    assert browser and browser[0][0] == 200 and "close this tab" in browser[0][1]
    assert result.account_email == ANN
    assert result.refresh_token.startswith("1//")
    assert set(result.granted_scopes) == set(SCOPES)
    assert result.credentials.valid
    stored = result.stored_token(client)
    assert stored.client_id == "client-1" and stored.token_uri == client.token_uri


def test_pasted_path(emu: GoogleEmulator, client: ClientConfig) -> None:
    with AuthorizationSession(client, api_root=emu.url) as session:
        location = consent_redirect(session.url)
        assert location.startswith(session.redirect_uri + "?")
        result = session.complete_with_redirect_url("  " + location + "\n")
    assert result.account_email == ANN
    # the same code cannot be exchanged twice; asking again returns the same outcome, no new exchange
    assert session.complete_with_redirect_url(location) is result


def test_wait_races_stdin_paste_against_loopback(emu: GoogleEmulator, client: ClientConfig) -> None:
    """CLI shape: a reader thread offers pasted lines; a bad line is reported, and the wait goes on."""
    rejected: list[str] = []
    with AuthorizationSession(client, api_root=emu.url) as session:
        location = consent_redirect(session.url)
        stdin = io.StringIO("\nnot a url\n" + location + "\n")
        result = session.wait(10, pasted=stdin.readline, on_rejected=rejected.append)
    assert result.account_email == ANN
    assert len(rejected) == 1 and "redirect URL" in rejected[0]


def test_listener_is_closed_after_completion(emu: GoogleEmulator, client: ClientConfig) -> None:
    with AuthorizationSession(client, api_root=emu.url) as session:
        session.complete_with_redirect_url(consent_redirect(session.url))
        with pytest.raises(OSError), socket.create_connection(("127.0.0.1", session.port), timeout=1):
            pass


def test_state_mismatch_is_refused(emu: GoogleEmulator, client: ClientConfig) -> None:
    with AuthorizationSession(client, api_root=emu.url) as session:
        location = consent_redirect(session.url)
        forged = location.replace(f"state={session.state}", "state=someone-elses")
        with pytest.raises(InputError, match="state does not match"):
            session.submit_redirect_url(forged)
        # the loopback listener refuses it too, and keeps waiting
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(forged.replace("localhost", "127.0.0.1"), timeout=5)
        assert info.value.code == 400
        assert not session.done
        # the genuine redirect still completes
        assert session.complete_with_redirect_url(location).account_email == ANN


def test_url_without_code_is_refused(client: ClientConfig) -> None:
    with AuthorizationSession(client) as session, pytest.raises(InputError, match="no code="):
        session.submit_redirect_url(session.redirect_uri + "?state=" + session.state)


def test_pkce_verifier_is_what_the_token_endpoint_checks(emu: GoogleEmulator, client: ClientConfig) -> None:
    """Through the normal path the verifier always matches; a different Flow's verifier is rejected."""
    with AuthorizationSession(client, api_root=emu.url) as session:
        location = consent_redirect(session.url)
        session._flow.code_verifier = "x" * 64  # what a second Flow object (lost verifier) would send
        with pytest.raises(OperationError, match="invalid_grant"):
            session.complete_with_redirect_url(location)


def test_consent_refused(emu: GoogleEmulator, client: ClientConfig) -> None:
    emu.set_consent_account(ANN, deny=True)
    with (
        AuthorizationSession(client, api_root=emu.url) as session,
        pytest.raises(OperationError, match="refused"),
    ):
        session.complete_with_redirect_url(consent_redirect(session.url))


def test_timeout_and_cancel(client: ClientConfig) -> None:
    with AuthorizationSession(client) as session, pytest.raises(OperationError, match="Timed out"):
        session.wait(0.05)
    session = AuthorizationSession(client)
    threading.Timer(0.05, session.cancel).start()
    with pytest.raises(OperationError, match="cancelled"):
        session.wait(10)


def test_partial_grant_is_insufficient_scope(emu: GoogleEmulator, client: ClientConfig) -> None:
    with AuthorizationSession(client, api_root=emu.url, scopes=(CALENDAR_SCOPE,)) as session:
        result = session.complete_with_redirect_url(consent_redirect(session.url))
    # a calendar-only grant: People answers 403 insufficient scope -> re-authenticate granting both
    people = build_people(result.credentials, emu.url)
    with pytest.raises(Exception) as info:
        execute(people.people().connections().list(resourceName="people/me", personFields="names"))
    p = classify(info.value)
    assert p.cause == "insufficient_scope"
    assert "Authenticate My Google Account" in p.fix


def test_refresh_and_transparent_expiry(emu: GoogleEmulator, creds, stored: StoredToken) -> None:
    service = build_calendar(creds, emu.url)
    assert execute(service.calendars().get(calendarId="primary"))["id"] == ANN  # first refresh
    emu.reset_counts()
    emu.expire_access_tokens(ANN)
    assert execute(service.calendars().get(calendarId="primary"))["id"] == ANN  # 401 -> refresh -> retry
    counts = emu.request_counts(ANN)
    assert counts["oauth"] == 1 and counts["calendar"] == 2
    assert request_counter(service).snapshot() == {"calendar": 3}  # refreshes are not API requests


def test_revoked_grant_is_grant_revoked_with_the_reauth_fix(emu: GoogleEmulator, creds) -> None:
    service = build_calendar(creds, emu.url)
    execute(service.calendars().get(calendarId="primary"))
    emu.revoke_grant(ANN)
    t = FakeTime()
    with pytest.raises(RefreshError) as info:
        execute(service.calendars().get(calendarId="primary"), policy=t.policy())
    assert t.sleeps == []  # never retried
    p = classify(info.value)
    assert p.cause == "grant_revoked" and not p.transient
    assert "Remove My Google Account" in p.fix and "Authenticate My Google Account" in p.fix
    assert "studiosync google auth LOGIN" in p.fix


def test_revoke_endpoint(emu: GoogleEmulator, client: ClientConfig, stored: StoredToken) -> None:
    assert client.revoke_uri == emu.url + "/revoke"
    assert revoke(stored.refresh_token, client) is None
    assert revoke(stored.refresh_token, client) is None  # already revoked: the goal is reached
    with pytest.raises(RefreshError) as info:
        execute(
            build_calendar(credentials_from_token(stored, client), emu.url)
            .calendars()
            .get(calendarId="primary")
        )
    assert classify(info.value).cause == "grant_revoked"


def test_revoke_failure_is_reported_not_raised(client: ClientConfig) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once closed
    dead = ClientConfig(**{**client.__dict__, "token_uri": f"http://127.0.0.1:{port}/token"})
    p = revoke("1//whatever", dead, timeout=2)
    assert p is not None and p.cause == "network"


def test_stored_token_of_another_client_is_refused(client: ClientConfig, stored: StoredToken) -> None:
    other = StoredToken(stored.refresh_token, ANN, "client-2", stored.scopes, stored.token_uri)
    with pytest.raises(GoogleError) as info:
        credentials_from_token(other, client)
    assert info.value.problem.cause == "grant_revoked"


def test_paste_reader_reads_a_terminal_like_fd(emu: GoogleEmulator, client: ClientConfig) -> None:
    r, w = os.pipe()
    with os.fdopen(r, "r") as stream, AuthorizationSession(client, api_root=emu.url) as session:
        location = consent_redirect(session.url)
        os.write(w, b"oops\n" + location.encode() + b"\n")
        rejected: list[str] = []
        result = session.wait(10, pasted=session.paste_reader(stream), on_rejected=rejected.append)
        os.close(w)
    assert result.account_email == ANN and len(rejected) == 1


def test_paste_reader_lets_go_of_stdin_when_the_loopback_wins(
    emu: GoogleEmulator, client: ClientConfig
) -> None:
    r, w = os.pipe()
    got: list = []
    with os.fdopen(r, "r") as stream, AuthorizationSession(client, api_root=emu.url) as session:
        reader = session.paste_reader(stream)
        t = threading.Thread(target=lambda: got.append(reader()))
        t.start()
        visit = threading.Thread(
            target=browse, args=(session.url, [])
        )  # the browser's tab waits for the outcome
        visit.start()
        assert session.wait(10).account_email == ANN
        visit.join(10)
        t.join(2)
        assert not t.is_alive() and got == [None]
        os.write(w, b"answer to the next prompt\n")
        assert stream.readline() == "answer to the next prompt\n"  # nothing swallowed it
        os.close(w)


def test_scope_change_keeps_the_token_then_checks_scopes(client: ClientConfig, monkeypatch) -> None:
    """Google's granular consent: the user unticks Contacts; oauthlib raises Warning("Scope has changed")."""
    from oauthlib.oauth2.rfc6749.tokens import OAuth2Token

    with AuthorizationSession(client) as session:

        def fake_fetch_token(**kwargs):
            token = OAuth2Token(
                {
                    "access_token": "ya29.x",
                    "refresh_token": "1//y",
                    "token_type": "Bearer",
                    "expires_in": 3600,
                    "scope": CALENDAR_SCOPE,
                },
                old_scope=list(SCOPES),
            )
            token["expires_at"] = time.time() + 3600
            warning = Warning("Scope has changed")
            warning.token = token
            raise warning

        monkeypatch.setattr(session._flow, "fetch_token", fake_fetch_token)
        with pytest.raises(OperationError) as info:
            session.complete_with_redirect_url(f"{session.redirect_uri}?state={session.state}&code=4/abc")
    # Said in the sign-in's own words: the person is at the consent page, there is nothing to remove yet.
    assert "not granted: Contacts" in info.value.message
    assert "tick both Calendar and Contacts" in (info.value.fix or "")


def test_socket_timeout_is_retried(emu: GoogleEmulator, creds) -> None:
    from studiosync.core.google.api import CallStats

    cal = build_calendar(creds, emu.url, timeout=0.3)
    execute(cal.calendars().get(calendarId="primary"))
    emu.inject_fault("latency", count=1, seconds=1.0)
    stats = CallStats()
    assert (
        execute(cal.calendars().get(calendarId="primary"), policy=FakeTime().policy(), stats=stats)["id"]
        == ANN
    )
    assert stats.attempts == 2 and stats.reasons == ["transport"]


def test_paste_after_cancel_is_refused(client: ClientConfig) -> None:
    with AuthorizationSession(client) as session:
        session.cancel()
        with pytest.raises(OperationError, match="cancelled"):
            session.complete_with_redirect_url(f"{session.redirect_uri}?state={session.state}&code=4/x")
