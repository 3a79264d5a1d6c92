"""A sign-in against the emulator's real consent page: every address either signs in or is explained in one
line at once, and the session stays open for the next try until it signs in or is cancelled."""

from __future__ import annotations

import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from studiosync.core.emulator import GoogleEmulator
from studiosync.core.errors import InputError, OperationError
from studiosync.core.google.oauth import AuthResult, ClientConfig
from studiosync.core.google.signin import AuthorizationSession, SignInRefused

from tests.google.conftest import ANN
from tests.helpers.browser import browse, consent_redirect, read_consent_page

BOB = "bob@example.com"


@pytest.fixture
def emu(emu: GoogleEmulator) -> GoogleEmulator:
    emu.add_account(BOB, name="Bob")
    emu.set_consent_account(None)  # nobody scripted: the consent page asks
    return emu


@dataclass
class Waiter:
    """session.wait() on a thread, as the console's worker runs it; rejections collected."""

    session: AuthorizationSession
    accept: Any = None
    stop_on_refusal: bool = False
    rejected: list[str] = field(default_factory=list)
    outcome: list[Any] = field(default_factory=list)
    rejection: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _on_rejected(self, why: str) -> None:
        self.rejected.append(why)
        self.rejection.set()

    def _run(self) -> None:
        try:
            self.outcome.append(
                self.session.wait(
                    60,
                    on_rejected=self._on_rejected,
                    accept=self.accept,
                    stop_on_refusal=self.stop_on_refusal,
                )
            )
        except Exception as exc:  # surfaced by result()
            self.outcome.append(exc)

    def next_rejection(self) -> str:
        assert self.rejection.wait(20), "no rejection was reported"
        self.rejection.clear()
        return self.rejected[-1]

    def result(self) -> Any:
        self.thread.join(30)
        assert not self.thread.is_alive(), "the sign-in never finished"
        return self.outcome[0]


@pytest.fixture
def session(emu: GoogleEmulator, client: ClientConfig) -> Iterator[AuthorizationSession]:
    with AuthorizationSession(client, api_root=emu.url, login_hint=ANN) as s:
        yield s


def test_a_valid_pasted_address_finishes(session: AuthorizationSession) -> None:
    waiter = Waiter(session)
    session.submit_redirect_url(consent_redirect(session.url))  # Allow on the page, paste where it lands
    result = waiter.result()
    assert isinstance(result, AuthResult) and result.account_email == ANN
    assert session.done and waiter.rejected == []


def test_cancel_is_said_once_and_the_session_stays_usable(session: AuthorizationSession) -> None:
    """The demo's dead end: after a refusal, a valid address used to be 'accepted' and never finished."""
    waiter = Waiter(session)
    status, _, body = browse(session.url, decision="cancel")  # the browser reaches our listener
    assert status == 400 and "refused" in body
    why = waiter.next_rejection()
    assert "Google sign-in was refused (access_denied" in why and "click Allow" in why
    assert "\n" not in why and not session.done
    session.submit_redirect_url(consent_redirect(session.url))  # the same link, opened again: Allow
    assert waiter.result().account_email == ANN


def test_a_refusal_in_the_browser_ends_the_wait_when_asked(session: AuthorizationSession) -> None:
    """The CLI's way: Cancel on the consent page, reaching the listener, ends the command in one line; a
    pasted refusal is only explained (whoever pastes is there to paste another address)."""
    waiter = Waiter(session, stop_on_refusal=True)
    session.submit_redirect_url(consent_redirect(session.url, decision="cancel"))
    assert "access_denied" in waiter.next_rejection() and not session.done
    status, _, body = browse(session.url, decision="cancel")
    assert status == 400 and "open the link again" not in body  # this sign-in is over: the tab says so
    error = waiter.result()
    assert isinstance(error, SignInRefused) and "access_denied" in error.message


def test_stale_addresses_say_why_at_once(emu: GoogleEmulator, session: AuthorizationSession) -> None:
    waiter = Waiter(session)
    # An expired code: Google's token endpoint says invalid_grant; the line says what to do.
    expired = consent_redirect(session.url)
    code = urllib.parse.parse_qs(urllib.parse.urlsplit(expired).query)["code"][0]
    with emu.state.lock:
        emu.state.codes[code].expires_at = 0
    session.submit_redirect_url(expired)
    why = waiter.next_rejection()
    assert why.startswith("Google did not accept that sign-in code (invalid_grant")
    assert "open the link again" in why
    # The same address again: refused at once, without asking Google.
    with pytest.raises(InputError, match="already used"):
        session.submit_redirect_url(expired)
    # An address of another sign-in attempt (its state differs).
    with AuthorizationSession(session.client, api_root=session.api_root) as other:
        foreign = consent_redirect(other.url, account=ANN)
    with pytest.raises(InputError, match="another sign-in attempt"):
        session.submit_redirect_url(foreign)
    assert not session.done
    session.submit_redirect_url(consent_redirect(session.url))
    assert waiter.result().account_email == ANN


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("hello", "not the redirect URL"),
        ("https://www.example.com/some/page", "no code="),
        ("http://localhost:1/?nothing=here", "no code="),
    ],
)
def test_an_unrelated_address_says_so(session: AuthorizationSession, text: str, says: str) -> None:
    with pytest.raises(InputError, match=says) as info:
        session.submit_redirect_url(text)
    assert "\n" not in info.value.message
    assert not session.done
    assert session.complete_with_redirect_url(consent_redirect(session.url)).account_email == ANN


def test_an_account_the_caller_refuses_can_be_replaced(session: AuthorizationSession) -> None:
    """The console links the account inside the wait: 'already linked to another user' is one more try."""

    def link(result: AuthResult) -> None:
        if result.account_email == ANN:
            raise InputError(f"Google account {ANN} is already linked to user 'ann'")

    waiter = Waiter(session, accept=link)
    session.submit_redirect_url(consent_redirect(session.url))  # Ann, preselected by the hint
    assert "already linked to user 'ann'" in waiter.next_rejection()
    session.submit_redirect_url(consent_redirect(session.url, account=BOB))
    assert waiter.result().account_email == BOB


def test_cancel_and_timeout_end_the_wait(session: AuthorizationSession) -> None:
    waiter = Waiter(session)
    session.cancel()
    error = waiter.result()
    assert isinstance(error, OperationError) and "cancelled" in error.message
    with pytest.raises(InputError, match="cancelled"):
        session.submit_redirect_url(f"{session.redirect_uri}?state={session.state}&code=4/x")


def test_the_consent_page_with_a_plain_http_client(session: AuthorizationSession) -> None:
    """GET the page, POST Allow, follow the redirect to the product's loopback listener: signed in."""
    waiter = Waiter(session)
    form = read_consent_page(session.url)
    assert form.chosen == ANN  # login_hint preselects
    target = urllib.parse.urljoin(session.url, form.action)
    request = urllib.request.Request(target, data=form.body("allow"), method="POST")
    request.add_header("Content-Type", "application/x-www-form-urlencoded")
    with urllib.request.urlopen(request, timeout=30) as landed:  # follows the 302 to localhost:PORT
        assert landed.status == 200
        assert landed.geturl().startswith(session.redirect_uri)
        assert "Signed in" in landed.read().decode()
    assert waiter.result().account_email == ANN
