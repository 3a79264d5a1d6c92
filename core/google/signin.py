"""One Google sign-in for an installed app, usable over SSH: loopback redirect OR a pasted redirect address.

Google's device flow refuses Calendar/Contacts scopes and the copy-paste (OOB) flow is gone, so the only
installed-app flow left is "redirect to http://localhost:PORT/". Over SSH the browser is on another
machine: either the person forwards the port (`ssh -L PORT:localhost:PORT`) and the redirect reaches our
listener (loopback.py), or the browser shows "can't connect" and the person pastes that page's address
back to us. An `AuthorizationSession` takes addresses from both paths, in the order they arrive, and
tries each until one signs in: a refused, stale or foreign address is explained in one line and the
session stays open for the next try (the same link can be opened again: its state and PKCE challenge do
not change, and Google issues a fresh code every time). It suits a CLI (stdin reader thread) and the
Textual console (a paste field + a worker blocked in `wait`).

The same `Flow` object serves the URL and every code exchange: it holds the PKCE code_verifier. This module
never stores anything: the caller links the account (`accept`) and keeps the token. Its words are in
signin_text.py.
"""

from __future__ import annotations

import logging
import threading
import time
import urllib.parse
from collections import deque
from collections.abc import Callable
from typing import TextIO

from google_auth_oauthlib.flow import Flow
from oauthlib.oauth2.rfc6749 import errors as oauth_errors
from studiosync.core.errors import InputError, OperationError, StudioSyncError
from studiosync.core.google.api import DEFAULT_POLICY, RetryPolicy
from studiosync.core.google.errors import GoogleError, problem
from studiosync.core.google.loopback import LoopbackListener, terminal_lines
from studiosync.core.google.oauth import (
    SCOPES,
    AuthResult,
    ClientConfig,
    account_email,
    allow_http_if_loopback,
    granted_scopes,
)
from studiosync.core.google.signin_text import (
    AGAIN,
    SignInRefused,
    not_a_redirect,
    one_line,
    refusal,
    scope_name,
)
from studiosync.core.logs.crash import new_crash_id

TOKEN_TIMEOUT_S = 30.0
NOBODY_WAITING_S = 3.0  # the loopback page gives up waiting for an outcome when no wait() shows up
log = logging.getLogger("studiosync.google.signin")


class AuthorizationSession:
    """One sign-in attempt: a loopback listener + the authorization URL + the code exchange(s).

    Usage (CLI):   with AuthorizationSession(client, api_root=root) as s:
                       print(s.url); result = s.wait(300, pasted=s.paste_reader(), on_rejected=print)
    Usage (console): a worker runs s.wait(..., on_rejected=show, accept=link); the paste field calls
                     s.submit_redirect_url(text); a Cancel button calls s.cancel().
    """

    def __init__(
        self,
        client: ClientConfig,
        *,
        api_root: str | None = None,
        scopes: tuple[str, ...] = SCOPES,
        login_hint: str | None = None,
        policy: RetryPolicy = DEFAULT_POLICY,
        listen_host: str = "127.0.0.1",
        redirect_uri: str | None = None,
    ) -> None:
        self.client = client
        self.api_root = api_root
        self.scopes = tuple(scopes)
        self.policy = policy
        allow_http_if_loopback(client)
        self._cond = threading.Condition()
        self._pending: deque[tuple[int, str, bool]] = deque()  # (ticket, address, pasted), oldest first
        self._tickets = 0  # numbers the addresses taken: the same refusal address may come twice
        self._seen: set[str] = set()  # codes already offered: each works once
        self._outcomes: dict[int, str | None] = {}  # ticket -> None (signed in) or why it failed
        self._waiting = 0  # threads inside wait(): only then is an address tried at once
        self._cancelled = False
        self._closed = False
        self._attempt_lock = threading.Lock()  # one code exchange at a time
        self._result: AuthResult | None = None

        self._listener = LoopbackListener(listen_host, self._offer, self.outcome)
        self.port: int = self._listener.port
        # "localhost", not 127.0.0.1: what Google registers for Desktop clients, and what `ssh -L` users type.
        # `redirect_uri` instead: a "web" client's registered callback (`studiosync web --public-url`),
        # whose server forwards the redirect to this listener.
        self.redirect_uri = redirect_uri or f"http://localhost:{self.port}/"
        try:
            self._flow = Flow.from_client_config(
                dict(client.raw),
                scopes=list(self.scopes),
                redirect_uri=self.redirect_uri,
                autogenerate_code_verifier=True,
            )
            extra = {"login_hint": login_hint} if login_hint else {}
            self.url, self.state = self._flow.authorization_url(
                access_type="offline", prompt="consent", include_granted_scopes="true", **extra
            )
        except BaseException:
            self.close()  # don't leave a listener behind
            raise

    # -- delivering a redirect (either path) ------------------------------------------------------------
    def submit_redirect_url(self, url: str) -> None:
        """Accept a pasted redirect address (thread-safe). InputError says, in one line, why it is unusable."""
        accepted, reason, _ = self._offer(url.strip(), pasted=True)
        if not accepted:
            raise InputError(reason)

    def _offer(self, url: str, *, queue: bool = True, pasted: bool = False) -> tuple[bool, str, int]:
        """Check a redirect address and queue it for a try. Returns (accepted, why not, its ticket)."""
        why = not_a_redirect(url, self.state)
        if why:
            return False, why, 0
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
        code = query["code"][0] if "code" in query else None
        with self._cond:
            if self._result is not None:
                return False, "this sign-in is already complete", 0
            if self._cancelled or self._closed:
                return False, "this sign-in was cancelled or timed out: start a new one", 0
            if code is not None and code in self._seen:
                why = f"that address was already used (a sign-in code works once): {AGAIN}, then paste the new address"
                return False, why, 0
            if code is not None:
                self._seen.add(code)
            self._tickets += 1
            if queue:
                self._pending.append((self._tickets, url, pasted))
                self._cond.notify_all()
            return True, "", self._tickets

    def cancel(self) -> None:
        with self._cond:
            self._cancelled = True
            self._cond.notify_all()

    @property
    def done(self) -> bool:
        """Signed in, cancelled, or closed: no address will be taken any more."""
        with self._cond:
            return self._result is not None or self._cancelled or self._closed

    def outcome(self, ticket: int, timeout: float) -> tuple[bool, str | None]:
        """For the loopback page: how the address with this ticket ended, waiting while someone is (or is
        about to be) in wait().

        Returns (True, None) signed in, (True, why) failed, (False, None) not known in time. Nobody in
        wait() for NOBODY_WAITING_S (say, a caller that only ever pastes): the page does not hang on.
        """
        deadline = time.monotonic() + timeout
        idle_since = time.monotonic()
        with self._cond:
            while ticket not in self._outcomes and not self._closed:
                now = time.monotonic()
                if self._waiting:
                    idle_since = now
                if now >= deadline or now - idle_since >= NOBODY_WAITING_S:
                    return False, None
                self._cond.wait(min(0.2, deadline - now))
            if ticket not in self._outcomes:
                return False, None
            return True, self._outcomes[ticket]

    # -- finishing --------------------------------------------------------------------------------------
    def wait(
        self,
        timeout: float | None = None,
        *,
        pasted: Callable[[], str | None] | None = None,
        on_rejected: Callable[[str], None] | None = None,
        accept: Callable[[AuthResult], object] | None = None,
        stop_on_refusal: bool = False,
    ) -> AuthResult:
        """Take redirect addresses as they arrive (loopback or pasted) and sign in with the first good one.

        `pasted` (best: `self.paste_reader()`) is polled on a daemon thread; each non-empty line is
        offered. `accept(result)` may refuse the account (raise a StudioSyncError: say, already linked
        to another user). Every refused address, failed exchange or refused account goes to
        `on_rejected` as one line and the wait goes on; without `on_rejected` the first failure is
        raised. With `stop_on_refusal`, the person's decisive answers in the browser end the wait,
        raising them: a redirect reaching the listener with `error=` (Cancel on the consent page), or
        with an account `accept` refuses. A pasted address never ends it: whoever pastes is there to
        paste another. Cancel and timeout end it with OperationError and close the listener.
        """
        if pasted is not None:
            threading.Thread(
                target=self._read_pasted, args=(pasted, on_rejected), name="oauth-paste", daemon=True
            ).start()
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            self._waiting += 1
        try:
            while True:
                pending = self._next(deadline, timeout)
                if pending is None:  # another thread signed in meanwhile
                    assert self._result is not None
                    return self._result
                ticket, url, pasted = pending
                try:
                    result = self._attempt(url, accept)
                except StudioSyncError as exc:
                    decisive = isinstance(exc, SignInRefused) or getattr(exc, "refused_account", False)
                    if on_rejected is None or (stop_on_refusal and decisive and not pasted):
                        # This sign-in ends here: the browser's tab must not suggest opening the link again.
                        self._settle(
                            ticket, f"{' '.join(exc.message.split())} (see studiosync for what to do next)"
                        )
                        raise
                    self._settle(ticket, one_line(exc))
                    on_rejected(one_line(exc))
                    continue
                self._settle(ticket, None)
                self.close()
                return result
        finally:
            with self._cond:
                self._waiting -= 1

    def _next(self, deadline: float | None, timeout: float | None) -> tuple[int, str, bool] | None:
        """The next address to try; None once signed in. Raises (and closes) on cancel or timeout."""
        with self._cond:
            self._cond.wait_for(
                lambda: self._pending or self._cancelled or self._result is not None,
                None if deadline is None else max(0.0, deadline - time.monotonic()),
            )
            if self._result is not None:
                return None
            if self._cancelled:
                failure: OperationError = OperationError("Google sign-in was cancelled.")
            elif self._pending:
                return self._pending.popleft()
            else:
                failure = OperationError(
                    f"Timed out waiting for Google sign-in after {timeout:g} s.",
                    fix="Run the sign-in again; open the link, consent, then paste the address you land on.",
                )
        self.close()
        raise failure

    def _settle(self, ticket: int, failure: str | None) -> None:
        with self._cond:
            self._outcomes[ticket] = failure
            self._cond.notify_all()

    def complete_with_redirect_url(self, url: str) -> AuthResult:
        """Synchronous variant: take a pasted redirect address and exchange it now (raises on failure)."""
        with self._cond:
            if self._result is not None:
                return self._result
            if self._cancelled:
                raise OperationError("Google sign-in was cancelled.")
        accepted, reason, _ = self._offer(url.strip(), queue=False)
        if not accepted:
            raise InputError(reason)
        result = self._attempt(url.strip(), None)
        self.close()
        return result

    def paste_reader(self, stream: TextIO | None = None) -> Callable[[], str | None]:
        """A `pasted` callable for `wait` reading lines from a terminal (default stdin) that lets go as
        soon as the session is done: no thread stays blocked in readline, swallowing the next line the
        CLI asks for."""
        return terminal_lines(stream, lambda: self.done)

    def _read_pasted(
        self, pasted: Callable[[], str | None], on_rejected: Callable[[str], None] | None
    ) -> None:
        while not self.done:
            try:
                line = pasted()
            except (EOFError, OSError, ValueError):
                return
            if not line:
                return  # EOF
            line = line.strip()
            if not line:
                continue
            accepted, reason, _ = self._offer(line, pasted=True)
            if not accepted and on_rejected is not None:
                on_rejected(reason)

    # -- one try --------------------------------------------------------------------------------------------
    def _attempt(self, url: str, accept: Callable[[AuthResult], object] | None) -> AuthResult:
        """Exchange one address's code and let the caller accept the account. Failures are one-line errors."""
        with self._attempt_lock:
            if self._result is not None:
                return self._result
            try:
                result = self._exchange(url)
                if accept is not None:
                    try:
                        accept(result)
                    except StudioSyncError as exc:
                        exc.refused_account = True  # type: ignore[attr-defined]  # the person's choice, not a glitch
                        raise
            except StudioSyncError:
                raise
            except (
                Exception
            ) as exc:  # a bug or an unforeseen library error: one line, the stack in a crash file
                crash_id = new_crash_id()
                log.error(
                    "Google sign-in attempt failed", exc_info=exc, extra={"fields": {"crash_id": crash_id}}
                )
                first = str(exc).splitlines()[0][:200] if str(exc) else ""
                raise OperationError(
                    f"Google sign-in failed unexpectedly ({exc.__class__.__name__}{': ' + first if first else ''})",
                    fix=f"{AGAIN}; if it happens again, please report it (crash id {crash_id})",
                ) from exc
            with self._cond:
                self._result = result
                self._cond.notify_all()
            return result

    def _exchange(self, url: str) -> AuthResult:
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
        if "error" in query:
            raise refusal(query["error"][0], query.get("error_description", [""])[0])
        # oauthlib checks the scheme of the redirect too; the listener is plain http by nature, so the
        # URL is rewritten the way run_local_server does. (The state was verified in _offer.)
        secure_url = "https://" + url.split("://", 1)[1] if url.startswith("http://") else url
        allow_http_if_loopback(self.client)
        try:
            try:
                self._flow.fetch_token(authorization_response=secure_url, timeout=TOKEN_TIMEOUT_S)
            except Warning as warning:
                # "Scope has changed": Google added previously granted scopes (include_granted_scopes) or
                # the person unticked one. Keep the token; the scope check below decides.
                token = getattr(warning, "token", None)
                if token is None:
                    raise
                self._flow.oauth2session.token = token
        except oauth_errors.OAuth2Error as exc:
            raise OperationError(
                f"Google did not accept that sign-in code ({exc.error}: {exc.description or 'no details'})",
                fix=f"a code works once and only for a few minutes: {AGAIN}, then paste the new address",
            ) from exc
        except OSError as exc:  # requests' ConnectionError/Timeout derive from OSError
            raise GoogleError(problem("network", type(exc).__name__)) from exc
        credentials = self._flow.credentials
        granted = granted_scopes(self._flow.oauth2session.token, self.scopes)
        missing = [s for s in self.scopes if s not in granted]
        if missing:
            names = ", ".join(scope_name(s) for s in missing)
            raise OperationError(
                f"Google granted only part of the access (not granted: {names})",
                fix="open the link again and tick both Calendar and Contacts before clicking Allow",
            )
        refresh_token = credentials.refresh_token
        if not refresh_token:
            raise OperationError(
                "Google returned no refresh token, so the sync could not run unattended.",
                fix="Remove studiosync's access at https://myaccount.google.com/permissions, then authenticate again.",
            )
        email = account_email(credentials, self.api_root, policy=self.policy)
        return AuthResult(credentials, email, refresh_token, granted)

    # -- lifecycle ----------------------------------------------------------------------------------------
    def close(self) -> None:
        """Stop the listener (idempotent)."""
        with self._cond:
            if self._closed:
                return
            self._closed = True
            self._cond.notify_all()
        self._listener.close()

    def __enter__(self) -> AuthorizationSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
