"""The authorization endpoint (`/o/oauth2/auth`), as Google runs it for installed apps.

GET checks the request the way Google does (unknown client or untrusted redirect_uri: an error page, never
a redirect; other mistakes: a redirect carrying `error=`), then shows the account chooser and consent
page. The page's form POSTs back to the same address: Allow redirects to the loopback redirect_uri with
`code`, `scope` and `state`; Cancel with `error=access_denied` and `state`. `login_hint` preselects an
account; `prompt=none` never shows a page (a code only for an account that already granted this client
those scopes, else `consent_required` / `interaction_required`).

For tests and scripts the control API can stand in for the person (`set_consent_account`): then the
address consents (or, with deny, refuses) at once, as before. This module issues codes; it never
exchanges them (oauth.py) and never renders HTML itself (consent_page.py).
"""

from __future__ import annotations

import re
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass

from .consent_page import OTHER, ChooserAccount, consent_page, error_page
from .ids import new_secret
from .state import AuthCode, EmulatorState
from .wire import Request, Response

CODE_TTL = 600.0  # Google's authorization codes live about ten minutes
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
PROMPTS = ("none", "consent", "select_account")
_EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"'.]+$")

SignUp = Callable[[str], object]  # creates an account the emulator does not know yet


@dataclass(frozen=True)
class AuthRequest:
    """A checked authorization request."""

    client_id: str
    redirect_uri: str
    state: str | None
    scopes: tuple[str, ...]
    challenge: str | None
    challenge_method: str
    login_hint: str | None
    prompt: tuple[str, ...]
    target: str  # path?query the request came in on: the consent form posts back to it

    def back(self, params: dict[str, str]) -> Response:
        """302 to the redirect_uri with `params` (and the state, when the app sent one)."""
        if self.state is not None:
            params = {**params, "state": self.state}
        sep = "&" if urllib.parse.urlsplit(self.redirect_uri).query else "?"
        return Response(302, b"", {"Location": self.redirect_uri + sep + urllib.parse.urlencode(params)})

    def refuse(self, error: str, description: str | None = None) -> Response:
        params = {"error": error}
        if description:
            params["error_description"] = description
        return self.back(params)


@dataclass(frozen=True)
class Retry:
    """What the person had chosen when the page is shown again with a problem."""

    chosen: str | None  # an account's email, OTHER, or None
    other_email: str
    ticked: list[str] | None  # None: every requested scope


class Authorizer:
    """GET shows the consent page (or consents at once for the control API); POST records the decision."""

    def __init__(self, state: EmulatorState, sign_up: SignUp | None = None) -> None:
        self.state = state
        self.sign_up = sign_up

    def handle(self, req: Request) -> Response:
        with self.state.lock:
            checked = self._check(req)
            if isinstance(checked, Response):
                return checked
            if req.method == "POST":
                return self._decide(checked, _body_fields(req))
            if self.state.consent_account or self.state.consent_deny:
                return self._scripted(checked)
            if "none" in checked.prompt:
                return self._silent(checked)
            return self._page(checked)

    # -- the request ------------------------------------------------------------------------------------
    def _check(self, req: Request) -> AuthRequest | Response:
        st = self.state
        client_id = req.arg("client_id") or ""
        redirect_uri = req.arg("redirect_uri") or ""
        client = st.clients.get(client_id)
        if client is None:
            return error_page("invalid_client", f"The OAuth client was not found: {client_id!r}.")
        if not redirect_uri or not (_is_loopback(redirect_uri) or redirect_uri in client.redirect_uris):
            return error_page(
                "redirect_uri_mismatch", f"redirect_uri {redirect_uri!r} is not loopback nor registered."
            )
        query = urllib.parse.urlencode([(k, v) for k, vs in req.query.items() for v in vs])
        request = AuthRequest(
            client_id=client_id,
            redirect_uri=redirect_uri,
            state=req.arg("state"),
            scopes=tuple(dict.fromkeys((req.arg("scope") or "").split())),
            challenge=req.arg("code_challenge"),
            challenge_method=req.arg("code_challenge_method") or "plain",
            login_hint=(req.arg("login_hint") or "").strip() or None,
            prompt=tuple((req.arg("prompt") or "").split()),
            target=f"{req.path}?{query}",
        )
        if req.arg("response_type") != "code":
            return request.refuse("unsupported_response_type")
        if not request.scopes:
            return request.refuse("invalid_request", "Missing required parameter: scope")
        if request.challenge is not None and request.challenge_method not in ("S256", "plain"):
            return request.refuse("invalid_request", "Invalid code_challenge_method")
        unknown = [p for p in request.prompt if p not in PROMPTS]
        if unknown:
            return request.refuse("invalid_request", f"Invalid prompt: {unknown[0]}")
        if "none" in request.prompt and len(request.prompt) > 1:
            return request.refuse("invalid_request", "prompt=none must not be combined with other values")
        return request

    # -- the three ways a request is answered ---------------------------------------------------------------
    def _scripted(self, request: AuthRequest) -> Response:
        """The control API plays the person: a known login_hint, else the configured account, consents."""
        st = self.state
        email = self._scripted_account(request.login_hint)
        st.count(email, "oauth")
        if email is None or st.consent_deny:
            return request.refuse("access_denied")
        return self._issue(request, email, request.scopes)

    def _scripted_account(self, login_hint: str | None) -> str | None:
        st = self.state
        if login_hint and st.account(login_hint):
            return login_hint.lower()
        if st.consent_account and st.account(st.consent_account):
            return st.consent_account.lower()
        if len(st.accounts) == 1:  # nobody chosen, only one person could be at the browser
            return next(iter(st.accounts))
        return None

    def _silent(self, request: AuthRequest) -> Response:
        """prompt=none: no page may be shown, so only an earlier grant of these scopes can answer."""
        email = (request.login_hint or "").lower()
        if not email or self.state.account(email) is None:
            return request.refuse("interaction_required")
        wanted = set(request.scopes)
        for grant in self.state.grants.values():
            if (
                grant.email == email
                and grant.client_id == request.client_id
                and not grant.revoked
                and wanted <= set(grant.scopes)
            ):
                self.state.count(email, "oauth")
                return self._issue(request, email, request.scopes)
        return request.refuse("consent_required")

    def _page(self, request: AuthRequest, problem: str | None = None, again: Retry | None = None) -> Response:
        """The chooser + consent page; `again` keeps what the person had filled in when `problem` sends it back."""
        accounts = [ChooserAccount(a.email, a.name) for a in self.state.accounts.values()]
        hint = (request.login_hint or "").lower()
        known = bool(hint) and self.state.account(hint) is not None
        if again is None:  # first showing: the hint preselects its account, or fills in "another account"
            again = Retry(hint if known else (OTHER if hint else None), "" if known else hint, None)
        return consent_page(
            action=request.target,
            client_id=request.client_id,
            accounts=accounts,
            chosen=again.chosen,
            other_email=again.other_email,
            scopes=request.scopes,
            ticked=again.ticked,
            problem=problem,
            status=400 if problem else 200,
        )

    # -- the person's answer ---------------------------------------------------------------------------------
    def _decide(self, request: AuthRequest, form: dict[str, list[str]]) -> Response:
        decision = _first(form, "decision").lower()
        if decision == "cancel":
            return request.refuse("access_denied")
        account = _first(form, "account")
        other = _first(form, "email").strip()
        ticked = [s for s in form.get("grant", []) if s in request.scopes]
        if "scopes_shown" not in form:
            ticked = list(request.scopes)  # a script posting without the checkboxes grants what was asked
        again = Retry(account or None, other, ticked)
        if decision != "allow":
            return self._page(request, "Choose Allow or Cancel.", again)
        email = _chosen_email(account, other, request.login_hint)
        if not email:
            return self._page(request, "Choose an account, or type one under Use another account.", again)
        if not _EMAIL.match(email):
            return self._page(request, f"Enter a valid email address (not {email!r}).", again)
        if self.state.account(email) is None:
            if self.sign_up is None:
                return self._page(request, f"Couldn't find your Google Account {email}.", again)
            self.sign_up(email)
        if not ticked:
            return self._page(request, "Tick at least one thing this app may do, or click Cancel.", again)
        self.state.count(email, "oauth")
        return self._issue(request, email, tuple(ticked))

    def _issue(self, request: AuthRequest, email: str, scopes: tuple[str, ...]) -> Response:
        code = new_secret("4/0A")
        self.state.codes[code] = AuthCode(
            code,
            request.client_id,
            request.redirect_uri,
            list(scopes),
            email,
            request.challenge,
            request.challenge_method,
            time.time() + CODE_TTL,
        )
        return request.back({"code": code, "scope": " ".join(scopes)})


def _chosen_email(account: str, other: str, login_hint: str | None) -> str:
    """The radio's account; "Use another account" takes the typed address. A script that posts no
    account at all means the preselected one (the login_hint)."""
    if account == OTHER:
        return other.strip().lower()
    if not account:
        return (other or login_hint or "").strip().lower()
    return account.strip().lower()


def _body_fields(req: Request) -> dict[str, list[str]]:
    """The POSTed form only (the request's own parameters stay in the query string)."""
    return urllib.parse.parse_qs(req.body.decode("utf-8", "replace"), keep_blank_values=True)


def _first(form: dict[str, list[str]], name: str) -> str:
    values = form.get(name)
    return values[0] if values else ""


def _is_loopback(uri: str) -> bool:
    parts = urllib.parse.urlsplit(uri)
    return parts.scheme == "http" and (parts.hostname or "") in LOOPBACK_HOSTS
