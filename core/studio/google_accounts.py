"""Each user's Google tab: authenticate / remove the account, pick a calendar, the sync options.

Seed rules enforced here: only staff users (not resources) sync; each user syncs a different Google
account; each user syncs to one existing calendar they can write to; contacts need an existing client
group; "Email Warnings and Errors to Me" needs a valid address. Refresh tokens live in the keyring
(TokenVault), never in the store.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from core.errors import InputError, OperationError
from core.model import GooglePrefs
from core.studio.timeparse import stamp

if TYPE_CHECKING:
    from google.oauth2.credentials import Credentials

    from core.google.oauth import AuthorizationSession, AuthResult, ClientConfig
    from core.studio.studio import Studio

WRITABLE_ROLES = ("owner", "writer")
_UNSET: Any = object()


@dataclass
class CalendarInfo:
    id: str
    summary: str
    primary: bool
    access_role: str
    time_zone: str | None

    @property
    def writable(self) -> bool:
        return self.access_role in WRITABLE_ROLES

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "summary": self.summary,
            "primary": self.primary,
            "access_role": self.access_role,
            "time_zone": self.time_zone,
            "writable": self.writable,
        }


class GoogleAccounts:
    def __init__(self, studio: Studio) -> None:
        self._studio = studio
        self._service_cache: dict[tuple[str, str], Any] = {}

    # -- configuration -------------------------------------------------------------------------------
    def client_config(self) -> ClientConfig:
        from core.google.oauth import load_client_secrets

        path = self._studio.prefs.client_secrets_path()
        if path is None:
            raise InputError(
                "the Google API settings are not set up",
                fix="studiosync prefs google --client-secrets FILE (Company Preferences > Google)",
            )
        return load_client_secrets(path)

    def api_root(self) -> str | None:
        return self._studio.prefs.get().google.api_endpoint

    def _staff(self, login: str):
        user = self._studio.users.get(login)
        if not user.can_sync:
            raise InputError(f"{login!r} is a resource; resources such as rooms or locations cannot sync with Google")
        return user

    # -- authentication ------------------------------------------------------------------------------
    def is_authenticated(self, login: str) -> bool:
        return self._studio.secrets.get(login) is not None

    def begin_auth(self, login: str, *, login_hint: str | None = None) -> AuthorizationSession:
        """Start OAuth: the session carries the URL to open and completes by redirect or pasted URL."""
        from core.google.oauth import AuthorizationSession

        self._staff(login)
        return AuthorizationSession(self.client_config(), api_root=self.api_root(), login_hint=login_hint)

    def finish_auth(self, login: str, result: AuthResult) -> GooglePrefs:
        """Store the token and link the account, refusing an account another user already syncs."""
        self._staff(login)
        email = result.account_email.strip().lower()
        other = self.user_with_account(email)
        if other and other != login:
            self._revoke_quietly(result.refresh_token)
            raise InputError(
                f"Google account {email} is already linked to user {other!r}; each user must sync to a different "
                "Google account"
            )
        config = self.client_config()
        self._studio.secrets.put(login, replace(result.stored_token(config), account_email=email))
        prefs = self._studio.users.google_prefs(login)
        if prefs.account_email and prefs.account_email != email:
            # A different account: its calendars and sync state are not ours any more.
            prefs.calendar_id = None
            prefs.calendar_summary = None
            self._studio.reset_sync_state(login)
        prefs.account_email = email
        prefs.last_error = prefs.last_error_cause = prefs.last_error_fix = None
        prefs.consecutive_failures = 0
        self._studio.users.save_google_prefs(prefs)
        self._service_cache.clear()
        return prefs

    def remove(self, login: str) -> str | None:
        """Remove My Google Account: revoke at Google (best effort) and forget the token.

        Returns a warning when Google could not be told (the local token is forgotten anyway).
        """
        self._studio.users.get(login)
        stored = self._studio.secrets.get(login)
        warning = None
        if stored is not None:
            warning = self._revoke_quietly(stored.refresh_token)
            self._studio.secrets.delete(login)
        prefs = self._studio.users.google_prefs(login)
        prefs.account_email = None
        prefs.calendar_id = None
        prefs.calendar_summary = None
        self._studio.users.save_google_prefs(prefs)
        self._service_cache.clear()
        return warning

    def _revoke_quietly(self, token: str) -> str | None:
        from core.google.oauth import revoke

        try:
            trouble = revoke(token, self.client_config())
        except Exception as exc:  # noqa: BLE001 - revocation is best effort; the token is dropped anyway
            return f"could not revoke the token at Google ({exc.__class__.__name__}); it was forgotten locally"
        if trouble is not None:
            return f"could not revoke the token at Google ({trouble.message}); it was forgotten locally"
        return None

    def user_with_account(self, email: str) -> str | None:
        email = email.strip().lower()
        for prefs in self._studio.users.all_google_prefs():
            if prefs.account_email and prefs.account_email.lower() == email:
                return prefs.login
        return None

    # -- Google services -----------------------------------------------------------------------------
    def credentials(self, login: str) -> Credentials:
        from core.google.oauth import credentials_from_token

        stored = self._studio.secrets.get(login)
        if stored is None:
            raise OperationError(
                f"{login} has not authenticated a Google account",
                fix=f"Google tab: Authenticate My Google Account (CLI: studiosync google auth {login})",
            )
        return credentials_from_token(stored, self.client_config())

    def calendar_service(self, login: str, *, counter: Any = None) -> Any:
        from core.google.api import build_calendar

        return build_calendar(self.credentials(login), self.api_root(), counter=counter)

    def people_service(self, login: str, *, counter: Any = None) -> Any:
        from core.google.api import build_people

        return build_people(self.credentials(login), self.api_root(), counter=counter)

    def calendars(self, login: str) -> list[CalendarInfo]:
        """The account's calendars, live from Google."""
        from core.google.api import execute
        from core.google.errors import as_google_error

        self._staff(login)
        service = self.calendar_service(login)
        found: list[CalendarInfo] = []
        page: str | None = None
        try:
            while True:
                resp = execute(service.calendarList().list(pageToken=page, maxResults=250))
                for item in resp.get("items", []):
                    found.append(
                        CalendarInfo(
                            id=item["id"],
                            summary=item.get("summaryOverride") or item.get("summary") or item["id"],
                            primary=bool(item.get("primary")),
                            access_role=item.get("accessRole", "reader"),
                            time_zone=item.get("timeZone"),
                        )
                    )
                page = resp.get("nextPageToken")
                if not page:
                    break
        except Exception as exc:
            if isinstance(exc, OperationError | InputError):
                raise
            raise as_google_error(exc) from exc
        return found

    # -- the Google tab ------------------------------------------------------------------------------
    def show(self, login: str) -> dict[str, Any]:
        self._studio.users.get(login)
        prefs = self._studio.users.google_prefs(login)
        group = self._studio.clients.group_name(prefs.client_group)
        return {
            "login": login,
            "enabled": prefs.enabled,
            "authenticated": self.is_authenticated(login),
            "account_email": prefs.account_email,
            "calendar_id": prefs.calendar_id,
            "calendar_summary": prefs.calendar_summary,
            "populate_google": prefs.populate_google,
            "populate_studio": prefs.populate_studio,
            "two_way": prefs.two_way,
            "tentative": prefs.tentative,
            "contacts": prefs.contacts,
            "client_group": group,
            "warn_email": prefs.warn_email,
            "detailed_logs": prefs.detailed_logs,
            "enabled_at": prefs.enabled_at,
            "last_sync": prefs.last_sync,
            "last_attempt": prefs.last_attempt,
            "last_error": prefs.last_error,
            "last_error_cause": prefs.last_error_cause,
            "last_error_fix": prefs.last_error_fix,
        }

    def update(
        self,
        login: str,
        *,
        enabled: bool | None = None,
        calendar_id: str | None = None,
        populate_google: bool | None = None,
        populate_studio: bool | None = None,
        two_way: bool | None = None,
        tentative: bool | None = None,
        contacts: bool | None = None,
        client_group: str | None = None,
        warn_email: str | None = _UNSET,
        detailed_logs: bool | None = None,
    ) -> GooglePrefs:
        """Validate everything first, then save once: a refused change leaves the tab as it was."""
        from core.mail import validate_email_address

        user = self._studio.users.get(login)
        prefs = self._studio.users.google_prefs(login)
        if enabled and not user.can_sync:
            raise InputError(f"{login!r} is a resource; resources such as rooms or locations cannot sync with Google")
        group_id = prefs.client_group
        if client_group is not None:
            group_id = self._studio.groups.get(client_group).id
        if contacts and not group_id:
            raise InputError(
                "importing Google contacts needs an existing client group (--client-group NAME)",
                fix="create one with: studiosync groups add NAME",
            )
        if warn_email is not _UNSET and warn_email is not None:
            warn_email = validate_email_address(warn_email)
        summary = prefs.calendar_summary
        if calendar_id is not None:
            summary = self._check_calendar(login, calendar_id).summary
        # All checks passed: apply.
        if enabled is not None:
            if enabled and not prefs.enabled:
                prefs.enabled_at = stamp()
            prefs.enabled = enabled
        if calendar_id is not None:
            if prefs.calendar_id and prefs.calendar_id != calendar_id:
                self._studio.reset_sync_state(login)
            prefs.calendar_id = calendar_id
            prefs.calendar_summary = summary
        for name, value in (
            ("populate_google", populate_google),
            ("populate_studio", populate_studio),
            ("two_way", two_way),
            ("tentative", tentative),
            ("contacts", contacts),
            ("detailed_logs", detailed_logs),
        ):
            if value is not None:
                setattr(prefs, name, value)
        prefs.client_group = group_id
        if warn_email is not _UNSET:
            prefs.warn_email = warn_email
        self._studio.users.save_google_prefs(prefs)
        return prefs

    def _check_calendar(self, login: str, calendar_id: str) -> CalendarInfo:
        if not self.is_authenticated(login):
            raise InputError(
                f"{login} has not authenticated a Google account yet, so no calendar can be chosen",
                fix=f"studiosync google auth {login}",
            )
        calendars = self.calendars(login)
        for cal in calendars:
            if cal.id == calendar_id:
                if not cal.writable:
                    raise InputError(
                        f"calendar {calendar_id!r} is read-only for {login} ({cal.access_role}); pick one you can write to"
                    )
                return cal
        raise InputError(f"{login}'s Google account has no calendar {calendar_id!r} (see: studiosync google calendars {login})")
