"""Google OAuth for an installed app: the client secrets, the sign-in's result, and later runs.

Holds what every Google call needs around authorization: the validated OAuth client file
(`load_client_secrets`), the result of a sign-in (`AuthResult`), credentials rebuilt from a stored
refresh token, the account's address, and revocation. The sign-in itself (browser, loopback listener,
pasted addresses) lives in signin.py. Never stores tokens: the caller's vault does.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import google.oauth2.credentials
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

# requests_oauthlib/oauthlib log request bodies and tokens at DEBUG: never let a verbose root logger
# copy an authorization code, client secret or refresh token into our log files.
for _name in ("requests_oauthlib", "oauthlib"):
    logging.getLogger(_name).setLevel(logging.WARNING)


# -- client secrets -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ClientConfig:
    """A validated Google OAuth client ("installed" or "web"): from the admin's client secrets file, or as
    kept in company preferences."""

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


def allow_http_if_loopback(client: ClientConfig) -> None:
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
    """A completed sign-in: the account's credentials, address and refresh token, and the scopes Google
    granted (`stored_token` is what gets kept)."""

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


def granted_scopes(token: Mapping[str, Any], requested: tuple[str, ...]) -> tuple[str, ...]:
    scope = token.get("scope")
    if scope is None:
        return tuple(requested)  # RFC 6749: no scope in the response = exactly what was requested
    items = scope.split() if isinstance(scope, str) else [str(s) for s in scope]
    return tuple(dict.fromkeys(items))


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
    allow_http_if_loopback(client)
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
