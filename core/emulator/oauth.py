"""OAuth 2.0 authorization server, as Google runs it for installed apps.

- `GET /o/oauth2/auth` shows the account chooser and consent page; its form POSTs back there, and Allow or
  Cancel 302s back to the loopback redirect (authorize.py, consent_page.py).
- `POST /token`: authorization_code (PKCE S256/plain) and refresh_token grants; client credentials from
  the form or HTTP Basic (requests-oauthlib sends Basic by default).
- `POST /revoke`: revokes every grant of that client for that account (refresh and access tokens alike).
Access tokens expire after the state's `token_ttl`; APIs then answer 401 and google-auth refreshes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import urllib.parse
from dataclasses import dataclass

from .authorize import Authorizer, SignUp
from .errors import ApiError, insufficient_scopes, unauthenticated
from .ids import new_secret
from .state import AccessToken, EmulatorState, Grant
from .wire import Request, Response

AUTH_PATHS = ("/o/oauth2/auth", "/o/oauth2/v2/auth")
TOKEN_PATHS = ("/token", "/o/oauth2/token")
REVOKE_PATHS = ("/revoke", "/o/oauth2/revoke")
SCOPE_PREFIX = {
    "calendar": "https://www.googleapis.com/auth/calendar",
    "people": "https://www.googleapis.com/auth/contacts",
}


@dataclass(frozen=True)
class Auth:
    """Who an API request acts for."""

    email: str
    scopes: tuple[str, ...]
    client_id: str

    def require(self, api: str, write: bool = False) -> None:
        """403 insufficientPermissions unless a granted scope covers this API (read-only scopes never write).

        Tokens minted without scopes (control-interface shortcuts) are allowed everything.
        """
        if not self.scopes:
            return
        prefix = SCOPE_PREFIX[api]
        usable = [s for s in self.scopes if s.startswith(prefix)]
        if write:
            usable = [s for s in usable if not s.endswith(".readonly")]
        if not usable:
            raise insufficient_scopes()


def _oauth_error(status: int, error: str, description: str) -> Response:
    return Response.json(
        {"error": error, "error_description": description}, status, {"Cache-Control": "no-store"}
    )


def pkce_ok(challenge: str, method: str, verifier: str) -> bool:
    if method == "plain":
        return hmac.compare_digest(challenge, verifier)
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    expected = base64.urlsafe_b64encode(digest).decode().rstrip("=")
    return hmac.compare_digest(challenge, expected)


class OAuthServer:
    def __init__(self, state: EmulatorState, sign_up: SignUp | None = None) -> None:
        self.state = state
        self.authorizer = Authorizer(state, sign_up)

    @property
    def sign_up(self) -> SignUp | None:
        """How the consent page's "Use another account" creates an account the emulator does not know."""
        return self.authorizer.sign_up

    @sign_up.setter
    def sign_up(self, hook: SignUp | None) -> None:
        self.authorizer.sign_up = hook

    @staticmethod
    def handles(path: str) -> bool:
        return path.rstrip("/") in (*AUTH_PATHS, *TOKEN_PATHS, *REVOKE_PATHS)

    def handle(self, req: Request) -> Response:
        path = req.path.rstrip("/")
        if path in AUTH_PATHS:
            if req.method not in ("GET", "HEAD", "POST"):
                return _oauth_error(405, "invalid_request", "Use GET (or POST the consent form).")
            return self.authorizer.handle(req)
        if path in TOKEN_PATHS:
            if req.method != "POST":
                return _oauth_error(405, "invalid_request", "The token endpoint only accepts POST.")
            return self.token(req)
        return self.revoke(req)

    # ---------------------------------------------------------------- token endpoint
    def _client_credentials(self, req: Request, form: dict[str, str]) -> tuple[str, str]:
        header = req.header("authorization") or ""
        if header.lower().startswith("basic "):
            try:
                raw = base64.b64decode(header[6:].strip()).decode("utf-8")
            except (ValueError, UnicodeDecodeError):
                return "", ""
            cid, _, secret = raw.partition(":")
            return urllib.parse.unquote_plus(cid), urllib.parse.unquote_plus(secret)
        return form.get("client_id", ""), form.get("client_secret", "")

    def token(self, req: Request) -> Response:
        st = self.state
        form = req.form()
        client_id, secret = self._client_credentials(req, form)
        with st.lock:
            client = st.clients.get(client_id)
            if client is None:
                return _oauth_error(401, "invalid_client", "The OAuth client was not found.")
            if not hmac.compare_digest(client.client_secret, secret):
                return _oauth_error(401, "invalid_client", "Unauthorized")
            grant_type = form.get("grant_type", "")
            if grant_type == "authorization_code":
                return self._exchange_code(client_id, form)
            if grant_type == "refresh_token":
                return self._refresh(client_id, form)
            return _oauth_error(400, "unsupported_grant_type", f"Invalid grant_type: {grant_type}")

    def _exchange_code(self, client_id: str, form: dict[str, str]) -> Response:
        st = self.state
        code = st.codes.pop(form.get("code", ""), None)  # single use, even when the exchange fails
        if code is None or code.expires_at < time.time():
            return _oauth_error(400, "invalid_grant", "Malformed auth code.")
        st.count(code.email, "oauth")
        if code.client_id != client_id:
            return _oauth_error(400, "invalid_grant", "Unauthorized")
        if form.get("redirect_uri", code.redirect_uri) != code.redirect_uri:
            return _oauth_error(400, "redirect_uri_mismatch", "Bad Request")
        if code.challenge is not None:
            verifier = form.get("code_verifier")
            if not verifier:
                return _oauth_error(400, "invalid_grant", "Missing code verifier.")
            if not pkce_ok(code.challenge, code.challenge_method, verifier):
                return _oauth_error(400, "invalid_grant", "Invalid code verifier.")
        grant, access = self.mint(code.email, client_id, code.scopes)
        return Response.json(
            self._token_body(access, grant.refresh_token), headers={"Cache-Control": "no-store"}
        )

    def _refresh(self, client_id: str, form: dict[str, str]) -> Response:
        st = self.state
        grant_id = st.refresh_tokens.get(form.get("refresh_token", ""))
        grant = st.grants.get(grant_id or "")
        if grant is not None:
            st.count(grant.email, "oauth")
        if grant is None or grant.revoked:
            return _oauth_error(400, "invalid_grant", "Token has been expired or revoked.")
        if grant.client_id != client_id:
            return _oauth_error(400, "unauthorized_client", "Unauthorized")
        scopes = grant.scopes
        if form.get("scope"):
            asked = form["scope"].split()
            if not set(asked) <= set(grant.scopes):
                return _oauth_error(400, "invalid_scope", "Some requested scopes were invalid.")
            scopes = asked
        access = self._issue_access(grant, scopes)
        return Response.json(self._token_body(access, None), headers={"Cache-Control": "no-store"})

    def _token_body(self, access: AccessToken, refresh_token: str | None) -> dict[str, object]:
        body: dict[str, object] = {
            "access_token": access.token,
            "expires_in": max(0, round(access.expires_at - time.time())),
            "scope": " ".join(access.scopes),
            "token_type": "Bearer",
        }
        if refresh_token:
            body["refresh_token"] = refresh_token
        return body

    def mint(self, email: str, client_id: str, scopes: list[str]) -> tuple[Grant, AccessToken]:
        """A fresh grant (new refresh token) and its first access token. Caller holds the lock."""
        grant = Grant(new_secret("g-", 8), email.lower(), client_id, list(scopes), new_secret("1//0e"))
        self.state.grants[grant.id] = grant
        self.state.refresh_tokens[grant.refresh_token] = grant.id
        return grant, self._issue_access(grant, grant.scopes)

    def _issue_access(self, grant: Grant, scopes: list[str]) -> AccessToken:
        st = self.state
        now = time.time()
        if len(st.access_tokens) > 5000:  # keep the table bounded on long benchmark runs
            for tok in [t for t, a in st.access_tokens.items() if a.expires_at < now - 3600]:
                del st.access_tokens[tok]
        access = AccessToken(
            new_secret("ya29.a0"), grant.id, grant.email, grant.client_id, list(scopes), now + st.token_ttl
        )
        st.access_tokens[access.token] = access
        return access

    # ---------------------------------------------------------------- revocation
    def revoke(self, req: Request) -> Response:
        st = self.state
        token = req.form().get("token", "")
        with st.lock:
            grant_id = st.refresh_tokens.get(token)
            if grant_id is None and token in st.access_tokens:
                grant_id = st.access_tokens[token].grant_id
            grant = st.grants.get(grant_id or "")
            if grant is None or grant.revoked:
                return _oauth_error(400, "invalid_token", "Token expired or revoked")
            st.count(grant.email, "oauth")
            # Like Google, revoking one token withdraws the app's whole access to the account: every grant
            # this client holds for this account goes, not just the one the token came from.
            for other in list(st.grants.values()):
                if other.email == grant.email and other.client_id == grant.client_id and not other.revoked:
                    self.revoke_grant(other)
        return Response.json({})

    def revoke_grant(self, grant: Grant) -> None:
        grant.revoked = True
        for tok in [t for t, a in self.state.access_tokens.items() if a.grant_id == grant.id]:
            del self.state.access_tokens[tok]

    # ---------------------------------------------------------------- API-side checks
    @staticmethod
    def bearer(header: str | None) -> str | None:
        if header and header[:7].lower() == "bearer ":
            return header[7:].strip()
        return None

    def peek_account(self, header: str | None) -> str | None:
        """The account a token was minted for, even if expired: requests are counted against it."""
        token = self.bearer(header)
        with self.state.lock:
            access = self.state.access_tokens.get(token or "")
            return access.email if access else None

    def authenticate(self, header: str | None) -> Auth:
        token = self.bearer(header)
        if token is None:
            raise ApiError(
                401,
                "required",
                "Request is missing required authentication credential. Expected OAuth 2 access token.",
                location="Authorization",
            )
        with self.state.lock:
            access = self.state.access_tokens.get(token)
            grant = self.state.grants.get(access.grant_id) if access else None
            if access is None or grant is None or grant.revoked or access.expires_at <= time.time():
                raise unauthenticated()
            return Auth(access.email, tuple(access.scopes), access.client_id)
