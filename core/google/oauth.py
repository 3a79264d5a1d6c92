"""Google OAuth for an installed app, usable over SSH: loopback redirect OR a pasted redirect URL.

Google's device flow refuses Calendar/Contacts scopes and the copy-paste (OOB) flow is gone, so the only
installed-app flow left is "redirect to http://localhost:PORT/". Over SSH the browser is on another
machine: either the user forwards the port (`ssh -L PORT:localhost:PORT`) and the redirect reaches our
listener, or the browser shows "can't connect" and the user pastes that page's URL back to us. An
`AuthorizationSession` races both paths -- whichever delivers a valid redirect first wins -- so it suits
a CLI (stdin reader thread) and the Textual console (a paste field + a worker blocked in `wait`).

The same `Flow` object serves the URL and the token exchange: it holds the PKCE code_verifier.
"""

from __future__ import annotations

import http.server
import ipaddress
import json
import logging
import os
import select
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import google.oauth2.credentials
from google_auth_oauthlib.flow import Flow
from oauthlib.oauth2.rfc6749 import errors as oauth_errors
from studiosync.core.errors import InputError, OperationError
from studiosync.core.google.api import DEFAULT_POLICY, RetryPolicy, build_calendar, execute
from studiosync.core.google.errors import GoogleError, GoogleProblem, classify, problem
from studiosync.core.google.tokens import StoredToken

CALENDAR_SCOPE = "https://www.googleapis.com/auth/calendar"
CONTACTS_SCOPE = "https://www.googleapis.com/auth/contacts.readonly"
SCOPES: tuple[str, ...] = (CALENDAR_SCOPE, CONTACTS_SCOPE)
GOOGLE_REVOKE_URI = "https://oauth2.googleapis.com/revoke"
_GOOGLE_OAUTH_HOSTS = {"oauth2.googleapis.com", "accounts.google.com", "www.googleapis.com"}
_REQUIRED_FIELDS = ("client_id", "client_secret", "auth_uri", "token_uri")
TOKEN_TIMEOUT_S = 30.0

# requests_oauthlib/oauthlib log request bodies and tokens at DEBUG: never let a verbose root logger
# copy an authorization code, client secret or refresh token into our log files.
for _name in ("requests_oauthlib", "oauthlib"):
    logging.getLogger(_name).setLevel(logging.WARNING)


# -- client secrets -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ClientConfig:
    kind: str  # "installed" or "web"
    client_id: str
    client_secret: str = field(repr=False)
    auth_uri: str
    token_uri: str
    raw: Mapping[str, Any] = field(repr=False, compare=False)  # {"installed": {...}} for Flow

    @property
    def is_loopback(self) -> bool:
        """Both endpoints on this machine (the emulator): the only case where plain http is allowed."""
        return _is_loopback_url(self.auth_uri) and _is_loopback_url(self.token_uri)

    @property
    def revoke_uri(self) -> str:
        parts = urllib.parse.urlsplit(self.token_uri)
        if (parts.hostname or "").lower() in _GOOGLE_OAUTH_HOSTS:
            return GOOGLE_REVOKE_URI
        return f"{parts.scheme}://{parts.netloc}/revoke"


def load_client_secrets(path: str | os.PathLike[str]) -> ClientConfig:
    """Read and validate a Google OAuth client JSON ("installed" or "web"); InputError names the problem."""
    from studiosync.core.inputfile import read_text_file

    p = Path(path).expanduser()
    # Regular files under 1 MiB of UTF-8 only: /dev/zero, a FIFO or a Latin-1 file are refused at once.
    text = read_text_file(p, "OAuth client secrets file")
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise InputError(
            f"OAuth client secrets file {p} is not valid JSON ({exc.msg}, line {exc.lineno})"
        ) from exc
    return parse_client_config(data, source=str(p))


def parse_client_config(data: Any, *, source: str = "client secrets") -> ClientConfig:
    """Validate an already-decoded client JSON (e.g. kept in company preferences)."""
    if not isinstance(data, dict):
        raise InputError(f"{source} is not a Google OAuth client file (expected a JSON object)")
    kind = next((k for k in ("installed", "web") if isinstance(data.get(k), dict)), None)
    if kind is None:
        hint = " (this looks like a service-account key)" if data.get("type") == "service_account" else ""
        raise InputError(
            f"{source} is not a Google OAuth client file: expected an 'installed' or 'web' section{hint}",
            fix="In Google Cloud console > APIs & Services > Credentials, create an OAuth client ID of type "
            "'Desktop app' and download its JSON.",
        )
    section = data[kind]
    missing = [f for f in _REQUIRED_FIELDS if not isinstance(section.get(f), str) or not section[f].strip()]
    if missing:
        raise InputError(f"{source}: the '{kind}' section lacks {', '.join(missing)}")
    for key in ("auth_uri", "token_uri"):
        url = section[key]
        scheme = urllib.parse.urlsplit(url).scheme
        if scheme == "https":
            continue
        if scheme == "http" and _is_loopback_url(url):
            continue  # the local emulator
        raise InputError(f"{source}: {key} must be an https URL (plain http only on this machine), got {url}")
    return ClientConfig(
        kind=kind,
        client_id=section["client_id"].strip(),
        client_secret=section["client_secret"],
        auth_uri=section["auth_uri"].strip(),
        token_uri=section["token_uri"].strip(),
        raw={kind: dict(section)},
    )


def _is_loopback_url(url: str) -> bool:
    host = (urllib.parse.urlsplit(url).hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _allow_http_if_loopback(client: ClientConfig) -> None:
    """oauthlib refuses http:// endpoints unless OAUTHLIB_INSECURE_TRANSPORT is set.

    We set it only for loopback endpoints (the emulator). It is process-wide and stays set, which is
    harmless: parse_client_config rejects http:// for anything but loopback, and real Google is https.
    Called wherever oauthlib is about to see the endpoints (session start, code exchange, credentials),
    never relied on from an earlier call: something else (a test) may have cleared it meanwhile.
    """
    if client.is_loopback:
        os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"


# -- results ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AuthResult:
    credentials: google.oauth2.credentials.Credentials = field(repr=False)
    account_email: str
    refresh_token: str = field(repr=False)
    granted_scopes: tuple[str, ...] = ()

    def stored_token(self, client: ClientConfig) -> StoredToken:
        return StoredToken(
            refresh_token=self.refresh_token,
            account_email=self.account_email,
            client_id=client.client_id,
            scopes=self.granted_scopes or SCOPES,
            token_uri=client.token_uri,
        )


# -- the session --------------------------------------------------------------------------------------
class AuthorizationSession:
    """One sign-in attempt: a loopback listener + the authorization URL + the code exchange.

    Usage (CLI):   with AuthorizationSession(client, api_root=root) as s:
                       print(s.url); result = s.wait(300, pasted=s.paste_reader(), on_rejected=print)
    Usage (console): worker thread runs s.wait(); the paste field calls s.submit_redirect_url(text);
                     a Cancel button calls s.cancel().
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
    ) -> None:
        self.client = client
        self.api_root = api_root
        self.scopes = tuple(scopes)
        self.policy = policy
        _allow_http_if_loopback(client)
        self._cond = threading.Condition()
        self._redirect: str | None = None  # the first valid redirect URL received
        self._cancelled = False
        self._finish_lock = threading.Lock()
        self._result: AuthResult | None = None
        self._error: BaseException | None = None
        self._closed = False

        self._server = _LoopbackServer((listen_host, 0), self)
        self.port: int = self._server.server_address[1]
        # "localhost", not 127.0.0.1: what Google registers for Desktop clients, and what `ssh -L` users type.
        self.redirect_uri = f"http://localhost:{self.port}/"
        # A short poll interval: close() (shutdown) waits for the loop to notice, and a person is waiting.
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="oauth-loopback",
            daemon=True,
        )
        self._thread.start()

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

    # -- delivering the redirect (either path) ------------------------------------------------------
    def submit_redirect_url(self, url: str) -> None:
        """Accept a pasted redirect URL (thread-safe). InputError says what is wrong with it."""
        accepted, reason = self._offer(url.strip())
        if not accepted:
            raise InputError(reason)

    def _offer(self, url: str) -> tuple[bool, str]:
        """Validate a redirect URL and, if it is the first valid one, record it. Returns (accepted, why)."""
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return (
                False,
                "that is not the redirect URL: paste the whole address from the browser's address bar",
            )
        query = urllib.parse.parse_qs(parts.query)
        if "code" not in query and "error" not in query:
            return (
                False,
                "that URL has no code=... parameter: paste the address of the page Google redirected to",
            )
        if query.get("state", [""])[0] != self.state:
            return (
                False,
                "that URL belongs to another sign-in attempt (state does not match); use the newest link",
            )
        with self._cond:
            if self._redirect is None and not self._cancelled:
                self._redirect = url
                self._cond.notify_all()
        return True, ""

    def cancel(self) -> None:
        with self._cond:
            self._cancelled = True
            self._cond.notify_all()

    @property
    def done(self) -> bool:
        with self._cond:
            return self._redirect is not None or self._cancelled

    # -- finishing ----------------------------------------------------------------------------------
    def wait(
        self,
        timeout: float | None = None,
        *,
        pasted: Callable[[], str | None] | None = None,
        on_rejected: Callable[[str], None] | None = None,
    ) -> AuthResult:
        """Block until the loopback redirect arrives or a pasted URL is accepted, then exchange the code.

        `pasted` (best: `self.paste_reader()`) is polled on a daemon thread; each non-empty line is
        offered; a rejected line is reported through `on_rejected` and the wait goes on. EOF ("" or None)
        stops the reader only. A plain `sys.stdin.readline` would work too, but its thread stays blocked
        after we finish and would swallow the next line typed at a later prompt.
        """
        if pasted is not None:
            threading.Thread(
                target=self._read_pasted, args=(pasted, on_rejected), name="oauth-paste", daemon=True
            ).start()
        with self._cond:
            arrived = self._cond.wait_for(lambda: self._redirect is not None or self._cancelled, timeout)
            cancelled = self._cancelled and self._redirect is None
        if cancelled:
            self.close()
            raise OperationError("Google sign-in was cancelled.")
        if not arrived:
            self.close()
            raise OperationError(
                f"Timed out waiting for Google sign-in after {timeout:g} s.",
                fix="Run the sign-in again; open the link, consent, then paste the address you land on.",
            )
        return self._finish()

    def paste_reader(self, stream: TextIO | None = None) -> Callable[[], str | None]:
        """A `pasted` callable for `wait` reading lines from a terminal (default stdin) that gives up as
        soon as the session is done -- so no thread stays blocked in readline, swallowing the next line
        the CLI asks for. Reads the file descriptor directly (select + os.read): a TextIO buffer would
        hide already-typed lines from select. Falls back to readline where select can't watch the stream
        (Windows consoles, StringIO in tests)."""
        stream = stream if stream is not None else sys.stdin
        try:
            fd = stream.fileno()
            select.select([fd], [], [], 0)
        except (AttributeError, OSError, ValueError):
            return stream.readline
        pending = bytearray()

        def read() -> str | None:
            while b"\n" not in pending:
                if self.done:
                    return None
                ready, _, _ = select.select([fd], [], [], 0.1)
                if not ready:
                    continue
                chunk = os.read(fd, 65536)
                if not chunk:  # EOF: hand back what is left, then stop
                    line, pending[:] = bytes(pending), b""
                    return line.decode("utf-8", "replace") or None
                pending.extend(chunk)
            line, _, rest = bytes(pending).partition(b"\n")
            pending[:] = rest
            return line.decode("utf-8", "replace") + "\n"

        return read

    def complete_with_redirect_url(self, url: str) -> AuthResult:
        """Synchronous variant: take a pasted redirect URL and exchange it now."""
        self.submit_redirect_url(url)
        return self._finish()

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
            accepted, reason = self._offer(line)
            if not accepted and on_rejected is not None:
                on_rejected(reason)

    def _finish(self) -> AuthResult:
        """Exchange the code exactly once, whichever path delivered it; later callers get the same outcome."""
        with self._finish_lock:
            if self._redirect is None:  # cancelled before any redirect was recorded
                raise OperationError("Google sign-in was cancelled.")
            if self._result is None and self._error is None:
                try:
                    self._result = self._exchange()
                except BaseException as exc:
                    self._error = exc
                finally:
                    self.close()
            if self._error is not None:
                raise self._error
            assert self._result is not None
            return self._result

    def _exchange(self) -> AuthResult:
        url = self._redirect
        assert url is not None
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
        if "error" in query:
            error = query["error"][0]
            if error == "access_denied":
                raise OperationError(
                    "Google sign-in was refused (the account did not grant access).",
                    fix="Authenticate again and click Allow, ticking both Calendar and Contacts.",
                )
            raise OperationError(f"Google sign-in failed: {error}.")
        # oauthlib checks the scheme of the redirect too; the listener is plain http by nature, so the
        # URL is rewritten the way run_local_server does. (The state was verified in _offer.)
        secure_url = "https://" + url.split("://", 1)[1] if url.startswith("http://") else url
        _allow_http_if_loopback(self.client)
        try:
            try:
                self._flow.fetch_token(authorization_response=secure_url, timeout=TOKEN_TIMEOUT_S)
            except Warning as warning:
                # "Scope has changed": Google added previously granted scopes (include_granted_scopes) or
                # the user unticked one. Keep the token; the scope check below decides.
                token = getattr(warning, "token", None)
                if token is None:
                    raise
                self._flow.oauth2session.token = token
        except oauth_errors.OAuth2Error as exc:
            raise OperationError(
                f"Google refused the sign-in code ({exc.error}: {exc.description or 'no details'}).",
                fix="Run the sign-in again; a code works once and only for a few minutes.",
            ) from exc
        except OSError as exc:  # requests' ConnectionError/Timeout derive from OSError
            raise GoogleError(problem("network", type(exc).__name__)) from exc
        credentials = self._flow.credentials
        token = self._flow.oauth2session.token
        granted = _granted_scopes(token, self.scopes)
        missing = [s for s in self.scopes if s not in granted]
        if missing:
            raise GoogleError(problem("insufficient_scope", "not granted: " + ", ".join(missing)))
        refresh_token = credentials.refresh_token
        if not refresh_token:
            raise OperationError(
                "Google returned no refresh token, so the sync could not run unattended.",
                fix="Remove studiosync's access at https://myaccount.google.com/permissions, then authenticate again.",
            )
        email = account_email(credentials, self.api_root, policy=self.policy)
        return AuthResult(credentials, email, refresh_token, granted)

    # -- lifecycle ----------------------------------------------------------------------------------
    def close(self) -> None:
        """Stop the listener (idempotent). The Flow is kept: a pasted URL can still be completed."""
        with self._cond:
            if self._closed:
                return
            self._closed = True
        self._server.shutdown()  # waits for serve_forever (our own thread; never called from it)
        self._server.server_close()

    def __enter__(self) -> AuthorizationSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _granted_scopes(token: Mapping[str, Any], requested: tuple[str, ...]) -> tuple[str, ...]:
    scope = token.get("scope")
    if scope is None:
        return tuple(requested)  # RFC 6749: no scope in the response = exactly what was requested
    items = scope.split() if isinstance(scope, str) else [str(s) for s in scope]
    return tuple(dict.fromkeys(items))


class _LoopbackServer(http.server.ThreadingHTTPServer):
    """Receives the browser's redirect. Threaded: a browser's idle pre-connection must not block it."""

    daemon_threads = True
    allow_reuse_address = False

    def __init__(self, address: tuple[str, int], session: AuthorizationSession) -> None:
        self.session = session
        super().__init__(address, _RedirectHandler)


class _RedirectHandler(http.server.BaseHTTPRequestHandler):
    timeout = 10  # a stalled browser connection must not pin a thread forever

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        server: _LoopbackServer = self.server  # type: ignore[assignment]
        query = urllib.parse.urlsplit(self.path).query
        if not query:
            self._reply(404, "Waiting for Google sign-in.")
            return
        url = f"http://localhost:{server.server_address[1]}{self.path}"
        accepted, reason = server.session._offer(url)
        if accepted:
            self._reply(200, "Google sign-in received. You can close this tab and return to studiosync.")
        else:
            self._reply(400, f"studiosync could not use this sign-in: {reason}.")

    def _reply(self, status: int, text: str) -> None:
        body = (
            "<!doctype html><meta charset=utf-8><title>studiosync</title>"
            f"<p style='font-family:sans-serif'>{text}</p>"
        ).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # the request line carries the authorization code: never print or log it


# -- later runs ---------------------------------------------------------------------------------------
def credentials_from_token(
    stored: StoredToken, client: ClientConfig
) -> google.oauth2.credentials.Credentials:
    """Credentials that mint access tokens from a stored refresh token (no access token yet)."""
    if stored.client_id and stored.client_id != client.client_id:
        raise GoogleError(
            problem("grant_revoked", "the stored authorization belongs to a different OAuth client")
        )
    if stored.token_uri and stored.token_uri.rstrip("/") != client.token_uri.rstrip("/"):
        raise GoogleError(
            problem("grant_revoked", "the stored authorization was issued by a different Google endpoint")
        )
    _allow_http_if_loopback(client)
    return google.oauth2.credentials.Credentials(
        None,
        refresh_token=stored.refresh_token,
        token_uri=client.token_uri,
        client_id=client.client_id,
        client_secret=client.client_secret,
        scopes=list(stored.scopes) or list(SCOPES),
    )


def account_email(
    credentials: Any, api_root: str | None = None, *, policy: RetryPolicy = DEFAULT_POLICY
) -> str:
    """The Google account's email: the primary calendar's id is the account address."""
    service = build_calendar(credentials, api_root)
    try:
        primary = execute(service.calendars().get(calendarId="primary"), policy=policy)
    except GoogleError:
        raise
    except Exception as exc:
        raise GoogleError(classify(exc)) from exc
    email = str(primary.get("id") or "")
    if "@" not in email:
        raise OperationError("Google did not report the account's email address (primary calendar id).")
    return email


def revoke(token: str, client: ClientConfig, *, timeout: float = 15.0) -> GoogleProblem | None:
    """Ask Google to revoke a (refresh) token. None = revoked (or already invalid); else what went wrong.

    The caller forgets its local copy regardless: a token we cannot revoke is still one we must not keep.
    """
    body = urllib.parse.urlencode({"token": token}).encode()
    request = urllib.request.Request(
        client.revoke_uri,
        data=body,
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
        return None
    except urllib.error.HTTPError as exc:
        try:
            payload = json.loads(exc.read() or b"{}")
        except ValueError:
            payload = {}
        error = payload.get("error") if isinstance(payload, dict) else None
        if exc.code == 400 and error in ("invalid_token", "invalid_grant"):
            return None  # already revoked or expired: the goal is reached
        if exc.code >= 500:
            return problem("google_outage", f"revoke failed: HTTP {exc.code}", status=exc.code)
        return problem("unknown", f"revoke failed: HTTP {exc.code} {error or ''}".strip(), status=exc.code)
    except (urllib.error.URLError, OSError) as exc:
        inner = getattr(exc, "reason", exc)
        return classify(inner if isinstance(inner, BaseException) else exc)
