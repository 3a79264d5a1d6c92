"""Each user's Google tab: authenticate / remove the account, pick a calendar, the sync options.

Seed rules enforced here: only staff users (not resources) sync; each user syncs a different Google
account; each user syncs to one existing calendar they can write to; contacts need an existing client
group; "Email Warnings and Errors to Me" needs a valid address. Refresh tokens live in the keyring
(TokenVault), never in the store.

Must never import the Studio facade (it receives the services it uses, `StudioServices`) nor talk to
Google other than through core.google.
"""

from __future__ import annotations

import contextlib
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Protocol

from studiosync.core.errors import InputError, OperationError, StudioSyncError
from studiosync.core.model.users import GooglePrefs, User
from studiosync.core.store import layout
from studiosync.core.studio import validate
from studiosync.core.studio.google_calendars import CalendarInfo, google_error_for, list_calendars
from studiosync.core.studio.timeparse import stamp

if TYPE_CHECKING:
    from google.oauth2.credentials import Credentials
    from studiosync.core.google.oauth import AuthResult, ClientConfig
    from studiosync.core.google.signin import AuthorizationSession
    from studiosync.core.google.tokens import StoredToken, TokenVault
    from studiosync.core.store.store import Store
    from studiosync.core.studio.clients import Clients
    from studiosync.core.studio.groups import Groups
    from studiosync.core.studio.prefs import Prefs
    from studiosync.core.studio.users import Users

_CONTACTS_NEED_GROUP = "importing Google contacts needs an existing client group (--client-group NAME)"
_CONTACTS_FIX = "create one with: studiosync groups add NAME"
_UNSET: Any = object()


class StudioServices(Protocol):
    """What the Google tab uses of the studio. The Studio facade provides it; it is declared here so
    this module never imports the facade that builds it (core.studio.studio imports us)."""

    store: Store
    users: Users
    groups: Groups
    clients: Clients

    @property
    def prefs(self) -> Prefs: ...

    @property
    def secrets(self) -> TokenVault: ...

    def reset_sync_state(self, login: str, *, keep_history: bool = True) -> None: ...


class GoogleAccounts:
    def __init__(self, studio: StudioServices) -> None:
        self._studio = studio

    # -- configuration -------------------------------------------------------------------------------
    def client_config(self) -> ClientConfig:
        config = self._studio.prefs.client_config()
        if config is None:
            raise InputError(
                "the Google API settings are not set up",
                fix="studiosync prefs google --client-secrets FILE (Company Preferences > Google)",
            )
        return config

    def api_root(self) -> str | None:
        return self._studio.prefs.get().google.api_endpoint

    def _staff(self, login: str) -> User:
        user = self._studio.users.get(login)
        if not user.can_sync:
            raise InputError(_resource_message(login))
        return user

    # -- authentication ------------------------------------------------------------------------------
    def is_authenticated(self, login: str) -> bool:
        return self._studio.secrets.get(login) is not None

    def begin_auth(
        self, login: str, *, login_hint: str | None = None, redirect_uri: str | None = None
    ) -> AuthorizationSession:
        """Start OAuth: the session carries the URL to open and completes by redirect or pasted URL.

        `redirect_uri`: where Google sends the browser back (default: the session's loopback listener)."""
        from studiosync.core.google.signin import AuthorizationSession

        self._staff(login)
        if login_hint is not None:
            login_hint = validate.single_line(login_hint, "the Google account (--account)")
        return AuthorizationSession(
            self.client_config(), api_root=self.api_root(), login_hint=login_hint, redirect_uri=redirect_uri
        )

    def finish_auth(self, login: str, result: AuthResult) -> GooglePrefs:
        """Store the token and link the account, refusing an account another user already syncs.

        The refusal does NOT revoke the new token: at Google, revoking a token withdraws the app's whole
        access to that account, so it would cut off the other user, whose sync uses the same account.
        """
        self._staff(login)
        email = result.account_email.strip().lower()
        config = self.client_config()
        token = replace(result.stored_token(config), account_email=email)
        previous: StoredToken | None = None
        stored = False
        try:
            # One transaction: two users signing in with one account at once cannot both pass the check.
            with self._studio.store.transaction(layout.STUDIO):
                other = self.user_with_account(email)
                if other and other != login:
                    raise InputError(
                        f"Google account {email} is already linked to user {other!r}; each user must sync "
                        "to a different Google account",
                        fix=f"sign in with another Google account, or first remove it from {other!r} "
                        f"(studiosync google remove {other})",
                    )
                previous = self._studio.secrets.get(login)
                old_email = (self._studio.users.google_prefs(login).account_email or "").lower()
                switched = bool(old_email) and old_email != email

                def change(prefs: GooglePrefs) -> None:
                    if switched:
                        # A different account: its calendars are not this one's.
                        prefs.calendar_id = None
                        prefs.calendar_summary = None
                    prefs.account_email = email
                    prefs.last_error = prefs.last_error_cause = prefs.last_error_fix = None
                    prefs.consecutive_failures = 0

                self._studio.secrets.put(login, token)
                stored = True
                prefs = self._studio.users.update_google_prefs(login, change)
        except BaseException:
            if stored:  # the tab was not saved: don't keep a token it does not name
                self._restore_token(login, previous)
            raise
        if switched:
            self._studio.reset_sync_state(login)  # its sync state belongs to the other account
        if previous is not None and previous.account_email and previous.account_email.lower() != email:
            # The old account is no longer used here: withdraw our access to it (best effort). Never for
            # the same account: at Google that would revoke the token just stored as well.
            self._revoke_quietly(previous.refresh_token)
        return prefs

    def _restore_token(self, login: str, previous: StoredToken | None) -> None:
        with contextlib.suppress(StudioSyncError):
            if previous is None:
                self._studio.secrets.delete(login)
            else:
                self._studio.secrets.put(login, previous)

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

        def change(prefs: GooglePrefs) -> None:
            prefs.account_email = None
            prefs.calendar_id = None
            prefs.calendar_summary = None

        self._studio.users.update_google_prefs(login, change)
        return warning

    def _revoke_quietly(self, token: str) -> str | None:
        from studiosync.core.google.oauth import revoke

        try:
            trouble = revoke(token, self.client_config())
        except Exception as exc:  # noqa: BLE001 - revocation is best effort; the token is dropped anyway
            return (
                f"could not revoke the token at Google ({exc.__class__.__name__}); it was forgotten locally"
            )
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
        from studiosync.core.google.oauth import credentials_from_token

        stored = self._studio.secrets.get(login)
        if stored is None:
            raise OperationError(
                f"{login} has not authenticated a Google account",
                fix=f"Google tab: Authenticate My Google Account (CLI: studiosync google auth {login})",
            )
        return credentials_from_token(stored, self.client_config())

    def calendar_service(
        self, login: str, *, counter: Any = None, credentials: Any = None, timeout: float | None = None
    ) -> Any:
        from studiosync.core.google.api import DEFAULT_TIMEOUT_S, build_calendar

        return build_calendar(
            credentials if credentials is not None else self.credentials(login),
            self.api_root(),
            counter=counter,
            timeout=DEFAULT_TIMEOUT_S if timeout is None else timeout,
        )

    def people_service(self, login: str, *, counter: Any = None) -> Any:
        from studiosync.core.google.api import build_people

        return build_people(self.credentials(login), self.api_root(), counter=counter)

    def calendars(
        self, login: str, *, credentials: Credentials | None = None, timeout: float | None = None
    ) -> list[CalendarInfo]:
        """The account's calendars, live from Google.

        `credentials`: already-built (e.g. just refreshed) credentials to use instead of the stored token's.
        `timeout`: bound each request to it and retry at most once within it (the doctor's quick probe)
        instead of the default patient policy.
        """
        from studiosync.core.google.api import DEFAULT_POLICY, quick_policy

        self._staff(login)
        if credentials is None and not self.is_authenticated(login):
            raise InputError(
                f"{login} has not authenticated a Google account yet",
                fix=f"studiosync google auth {login}",
            )
        policy = DEFAULT_POLICY if timeout is None else quick_policy(timeout)
        try:
            service = self.calendar_service(login, credentials=credentials, timeout=timeout)
            return list_calendars(service, policy)
        except Exception as exc:
            from studiosync.core.google.errors import GoogleError

            if isinstance(exc, StudioSyncError) and not isinstance(exc, GoogleError):
                raise  # ours (keyring, store...): already says what is wrong
            raise google_error_for(login, exc) from exc

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
        """Validate everything first, then change only the given fields, under the lock.

        A refused change leaves the tab as it was. Only the fields asked for are written, re-read under
        the store lock: the sync processor recording `last_sync` or unchecking a Populate box meanwhile
        (this method may wait seconds for Google) keeps its change.
        """
        from studiosync.core.mail import validate_email_address

        user = self._studio.users.get(login)
        current = self._studio.users.google_prefs(login)
        if enabled and not user.can_sync:
            raise InputError(_resource_message(login))
        group_id = current.client_group
        if client_group is not None:
            group_id = self._studio.groups.get(client_group).id
        if contacts and not (group_id and self._studio.groups.find(group_id)):
            raise InputError(_CONTACTS_NEED_GROUP, fix=_CONTACTS_FIX)
        if warn_email is not _UNSET and warn_email is not None:
            warn_email = validate_email_address(warn_email)
        chosen: CalendarInfo | None = None
        if calendar_id is not None:
            calendar_id = validate.single_line(calendar_id, "the calendar id (--calendar)", max_len=1024)
            chosen = self._check_calendar(login, calendar_id)
        new_calendar = chosen.id if chosen is not None else None
        if new_calendar is not None and current.calendar_id and current.calendar_id != new_calendar:
            self._studio.reset_sync_state(login)  # another calendar: start over (full listing)

        def change(prefs: GooglePrefs) -> None:
            # Under the lock: what was checked above may have changed meanwhile.
            if enabled and not self._studio.users.get(login).can_sync:
                raise InputError(_resource_message(login))
            if client_group is not None:
                prefs.client_group = group_id
            if contacts and not (prefs.client_group and self._studio.groups.find(prefs.client_group)):
                raise InputError(_CONTACTS_NEED_GROUP, fix=_CONTACTS_FIX)
            if enabled is not None:
                if enabled and not prefs.enabled:
                    prefs.enabled_at = stamp()
                prefs.enabled = enabled
            if chosen is not None:
                prefs.calendar_id = chosen.id
                prefs.calendar_summary = chosen.summary
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
            if warn_email is not _UNSET:
                prefs.warn_email = warn_email

        return self._studio.users.update_google_prefs(login, change)

    def _check_calendar(self, login: str, calendar_id: str) -> CalendarInfo:
        self._staff(login)
        if not self.is_authenticated(login):
            raise InputError(
                f"{login} has not authenticated a Google account yet, so no calendar can be chosen",
                fix=f"studiosync google auth {login}",
            )
        wanted = calendar_id.strip()
        for cal in self.calendars(login):
            # "primary" is Google's own name for the account's main calendar: store its real id.
            if cal.id == wanted or (wanted == "primary" and cal.primary):
                if not cal.writable:
                    raise InputError(
                        f"calendar {cal.id!r} is read-only for {login} ({cal.access_role}); "
                        "pick one you can write to"
                    )
                return cal
        raise InputError(
            f"{login}'s Google account has no calendar {wanted!r}",
            fix=f"pick one listed by: studiosync google calendars {login}",
        )


def _resource_message(login: str) -> str:
    return f"{login!r} is a resource; resources such as rooms or locations cannot sync with Google"
