"""The console's one door into core: every screen calls these methods (from workers), nothing else.

Why a facade: it holds who is logged in and enforces what they may see (admins everything; a non-admin
only their own Google tab, appointments and log lines), and it shapes core's records into the rows of
tui.rows. The heavier core services (jobs, sync, logs, doctor, health) are imported by the method that
uses them, so the console's first paint does not pay for them. It never imports Textual.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from studiosync.core import clock as core_clock
from studiosync.core.errors import InputError, NotFoundError, StudioSyncError
from studiosync.core.model.appointments import Appointment
from studiosync.core.model.clients import ClientGroup
from studiosync.core.model.company import CompanyPrefs
from studiosync.core.model.users import GooglePrefs, User
from studiosync.core.studio.timeparse import zone
from studiosync.tui.backend_services import CoreServices
from studiosync.tui.clock import Clock
from studiosync.tui.explain_appointment import explain_appointment
from studiosync.tui.failures import one_line
from studiosync.tui.rows import (
    GoogleTab,
    GroupRow,
    UserRow,
    google_status,
    health_status,
    problem_text,
)

if TYPE_CHECKING:
    from studiosync.core.google.oauth import AuthResult
    from studiosync.core.google.signin import AuthorizationSession
    from studiosync.core.studio.google_accounts import CalendarInfo
    from studiosync.core.studio.studio import Studio

__all__ = ["Backend", "one_line"]


class Backend(CoreServices):
    def __init__(self, studio: Studio, *, clock: Clock | None = None, demo: bool = False) -> None:
        self.studio = studio
        if clock is not None:
            # One clock for the whole process: the doctor, the jobs and the stamps the console writes read
            # core.clock too, so a pinned console (tests, screenshots) is pinned everywhere.
            core_clock.install(clock)
        self.demo = demo
        self.viewer: User | None = None
        # Demo only: which emulator account each user signs in as (real Google asks the person instead).
        self.login_hints: dict[str, str] = {}
        # A browser session (`studiosync web`): every login needs a password and is throttled.
        # (a tui.web.context.WebContext; not imported here: tui.web sits above the backend)
        self.web: Any = None

    # -- who is logged in ----------------------------------------------------------------------------
    def login_choices(self) -> list[User]:
        """People who can log in: staff users (rooms and locations never log in)."""
        return [u for u in self.studio.users.list() if u.kind == "staff"]

    def first_run(self) -> bool:
        """No admin has a password yet: everyone may log in without one, to set the studio up.

        Never in a browser: that shortcut is for the terminal, whose user already holds the data folder."""
        if self.web is not None:
            return False
        return not any(u.admin and u.password_hash for u in self.studio.users.list())

    def log_in(self, login: str, password: str) -> User:
        if self.web is not None:
            self.viewer = self.web.log_in(self.studio, login, password)
            return self.viewer
        user = self.studio.users.find(login)
        if user is None or user.kind != "staff":
            raise InputError("choose a user to log in as")
        if user.password_hash:
            if not self.studio.users.check_password(login, password):
                raise InputError("wrong password")
        elif not self.first_run():
            raise InputError(f"{login} has no password yet: ask an admin to set one in Users")
        self.viewer = user
        return user

    def log_in_as(self, login: str) -> User:
        """Trusted login (the --login of a console the OS user already opened, demo, tests)."""
        self.viewer = self.studio.users.get(login)
        return self.viewer

    @property
    def is_admin(self) -> bool:
        return bool(self.viewer and self.viewer.admin)

    @property
    def me(self) -> str:
        return self.viewer.login if self.viewer else ""

    def require_admin(self) -> None:
        if not self.is_admin:
            raise InputError("only an admin can do that")

    def require_self_or_admin(self, login: str) -> None:
        if not self.is_admin and login != self.me:
            raise InputError("you can only see and change your own settings")

    def now(self) -> datetime:
        return core_clock.now()

    def tz(self) -> ZoneInfo:
        try:
            return zone(self.studio.prefs.timezone)
        except InputError:
            return ZoneInfo("UTC")

    # -- users ---------------------------------------------------------------------------------------
    def user_rows(self) -> list[UserRow]:
        from studiosync.core.health.users import sync_health

        self.require_admin()
        prefs = {p.login: p for p in self.studio.users.all_google_prefs()}
        health = {h.login: h for h in sync_health(self.studio, now=self.now())}  # the dashboard's words
        rows = []
        for user in self.studio.users.list():
            p = prefs.get(user.login) or GooglePrefs(login=user.login)
            h = health.get(user.login)
            cause = problem_text(h)[0] if h is not None and h.cause_severity in ("error", "warn") else None
            rows.append(
                UserRow(
                    login=user.login,
                    name=user.name,
                    kind=user.kind,
                    admin=user.admin,
                    has_password=user.password_hash is not None,
                    status=health_status(user, h) if h is not None else google_status(user, p, False),
                    account_email=p.account_email,
                    last_sync=p.last_sync,
                    last_error=p.last_error,
                    failures=p.consecutive_failures,
                    cause=cause,
                )
            )
        return rows

    def _authenticated(self, login: str) -> bool:
        try:
            return self.studio.google.is_authenticated(login)
        except StudioSyncError:
            return False  # an unreadable token store shows as "not set up"; the doctor explains why

    def user(self, login: str) -> User:
        self.require_self_or_admin(login)
        return self.studio.users.get(login)

    def add_user(self, login: str, name: str, *, kind: str, admin: bool, password: str | None) -> User:
        self.require_admin()
        return self.studio.users.add(login, name, kind=kind, admin=admin, password=password or None)

    def update_user(self, login: str, *, name: str, admin: bool, password: str | None) -> User:
        self.require_admin()
        if login == self.me and not admin:
            raise InputError("you cannot take admin rights away from yourself")
        user = self.studio.users.update(login, name=name, admin=admin)
        if password:
            self.studio.users.set_password(login, password)
        return user

    def change_own_password(self, current: str, new: str) -> None:
        """Anyone logged in changes their own password, proving the current one first (if they have one)."""
        user = self.studio.users.get(self.me)
        if user.password_hash and not self.studio.users.check_password(user.login, current):
            raise InputError("the current password is wrong")
        self.studio.users.set_password(user.login, new)

    def remove_user(self, login: str) -> None:
        self.require_admin()
        if login == self.me:
            raise InputError("you cannot remove the user you are logged in as")
        self.studio.remove_user(login)

    # -- the Google tab ------------------------------------------------------------------------------
    def google_tab(self, login: str) -> GoogleTab:
        self.require_self_or_admin(login)
        user = self.studio.users.get(login)
        prefs = self.studio.users.google_prefs(login)
        return GoogleTab(
            user=user,
            prefs=prefs,
            authenticated=user.can_sync and self._authenticated(login),
            group_name=self.studio.clients.group_name(prefs.client_group),
            groups=self.studio.groups.list(),
            api_ready=self.studio.prefs.client_secrets_path() is not None,
        )

    def writable_calendars(self, login: str) -> list[CalendarInfo]:
        self.require_self_or_admin(login)
        # Seed: "An existing Google calendar has been selected" -- one the user can write to.
        return [c for c in self.studio.google.calendars(login) if c.writable]

    def save_google(self, login: str, **fields: Any) -> GooglePrefs:
        self.require_self_or_admin(login)
        return self.studio.google.update(login, **fields)

    def begin_auth(self, login: str, login_hint: str | None = None) -> AuthorizationSession:
        self.require_self_or_admin(login)
        hint = login_hint or self.login_hints.get(login)
        if hint is None and self.demo:
            from studiosync.core.demo_consent import demo_account

            hint = demo_account(login)  # a user added during the demo signs up a fresh demo account
        callback = self.web_callback()
        session = self.studio.google.begin_auth(login, login_hint=hint, redirect_uri=callback)
        if callback and self.web is not None and self.web.announce_sign_in is not None:
            self.web.announce_sign_in(session.state, session.port)
        return session

    def web_callback(self) -> str | None:
        """<public URL>/oauth2callback when Google may send the browser straight back (a "web" client)."""
        if self.web is None or not self.web.callback_url:
            return None
        client = self.studio.prefs.client_config()
        return self.web.callback_url if client is not None and client.kind == "web" else None

    def finish_auth(self, login: str, result: AuthResult) -> GooglePrefs:
        self.require_self_or_admin(login)
        return self.studio.google.finish_auth(login, result)

    def remove_google(self, login: str) -> str | None:
        self.require_self_or_admin(login)
        return self.studio.google.remove(login)

    def demo_consent(self, url: str) -> None:
        """Demo only: play the person at the browser, clicking Allow on the emulator's consent page for the
        account it preselects; the emulator then redirects to our loopback listener."""
        from studiosync.core.demo_consent import allow_on_consent_page

        if not self.demo:
            raise InputError("automatic consent exists only in the demo")
        allow_on_consent_page(url)

    def add_group(self, name: str) -> ClientGroup:
        self.require_admin()
        return self.studio.groups.add(name)

    def client_groups(self) -> list[ClientGroup]:
        """The groups a Google tab can pick (anyone who may see a Google tab sees them there already)."""
        return self.studio.groups.list()

    # -- client groups -------------------------------------------------------------------------------
    def group_rows(self) -> list[GroupRow]:
        self.require_admin()
        used: dict[str, list[str]] = {}
        for prefs in self.studio.users.all_google_prefs():
            if prefs.client_group:
                used.setdefault(prefs.client_group, []).append(prefs.login)
        counts: dict[str, int] = {}
        for client in self.studio.clients.list():
            if client.group:
                counts[client.group] = counts.get(client.group, 0) + 1
        return [
            GroupRow(g, sorted(used.get(g.id, [])), counts.get(g.id, 0)) for g in self.studio.groups.list()
        ]

    def rename_group(self, group_id: str, name: str) -> ClientGroup:
        self.require_admin()
        return self.studio.groups.rename(group_id, name)

    def remove_group(self, group_id: str) -> ClientGroup:
        self.require_admin()
        return self.studio.groups.remove(group_id)

    # -- appointments --------------------------------------------------------------------------------
    def appointment_owners(self) -> list[User]:
        if self.is_admin:
            return self.studio.users.list()
        return [self.viewer] if self.viewer else []

    def appointments(self, login: str) -> list[Appointment]:
        self.require_self_or_admin(login)
        return self.studio.appointments.list(login, include_deleted=True, skip_corrupt=True)

    def google_sync_on(self, login: str) -> bool:
        """Whether this user's appointments go to Google at all: a staff user with Enable Google Sync on.

        When it is off (or for a resource), nothing is "pending": the appointments stay in the studio.
        """
        self.require_self_or_admin(login)
        user = self.studio.users.get(login)
        return user.can_sync and self.studio.users.google_prefs(login).enabled

    def pending_ids(self, login: str) -> list[str]:
        """This user's appointments whose studio change has not reached Google yet (one small file)."""
        self.require_self_or_admin(login)
        return self.studio.appointments.pending_ids(login)

    def live_sync_on(self) -> bool:
        """Whether studio changes go to Google on save (the google-sync job enabled, its live sync on)."""
        from studiosync.core.jobs.service import Jobs

        try:
            job = Jobs(self.studio).get("google-sync")
        except StudioSyncError:
            return False
        return bool(job.enabled and job.live)

    def appointment(self, appointment_id: str) -> Appointment:
        appt = self.studio.appointments.find(appointment_id, include_deleted=True)
        if appt is None:
            raise NotFoundError(f"no appointment {appointment_id!r}")
        self.require_self_or_admin(appt.user)
        return appt

    def add_appointment(
        self, login: str, *, title: str, start: datetime | date, end: datetime | date, status: str, notes: str
    ) -> Appointment:
        self.require_self_or_admin(login)
        return self.studio.appointments.add(
            login, title=title, start=start, end=end, status=status, notes=notes
        )

    def edit_appointment(self, appointment_id: str, **fields: Any) -> Appointment:
        self.appointment(appointment_id)
        return self.studio.appointments.edit(appointment_id, **fields)

    def delete_appointment(self, appointment_id: str) -> Appointment:
        self.appointment(appointment_id)
        return self.studio.appointments.delete(appointment_id)

    def trace(self, appointment_id: str) -> dict[str, Any]:
        """The appointment's sync story (core.health.appointment_trace) plus our plain-words reasons."""
        from studiosync.core.health.appointment import appointment_trace

        appt = self.appointment(appointment_id)
        doc: dict[str, Any] = dict(appointment_trace(self.studio, appointment_id))
        doc.setdefault("google_event_id", appt.google_event_id)
        doc.setdefault("sync_error", appt.sync_error)
        doc.setdefault("trace", [dict(t) for t in appt.trace])
        doc["reasons"] = self.explain(appt)
        doc["appointment"] = appt
        return doc

    def explain(self, appt: Appointment) -> list[str]:
        """Answers "why isn't this in Google?" from the appointment and its owner's Google tab."""
        return explain_appointment(
            appt,
            self.studio.users.get(appt.user),
            self.studio.users.google_prefs(appt.user),
            authenticated=self._authenticated(appt.user),
        )

    # -- company preferences -------------------------------------------------------------------------
    def company(self) -> CompanyPrefs:
        self.require_admin()
        return self.studio.prefs.get()

    def set_timezone(self, name: str) -> CompanyPrefs:
        self.require_admin()
        return self.studio.prefs.set_timezone(name)

    def set_email(self, **fields: Any) -> Any:
        self.require_admin()
        return self.studio.prefs.set_email(**fields)

    def set_google_api(self, client_secrets: str, api_endpoint: str | None) -> Any:
        self.require_admin()
        return self.studio.prefs.set_google(client_secrets=client_secrets, api_endpoint=api_endpoint or None)

    def set_app_published(self, published: bool) -> Any:
        """The admin's word that the OAuth app is "In production" on Google (InputError without a client)."""
        self.require_admin()
        return self.studio.prefs.set_app_published(published)

    def set_request_budget(self, per_user: int, per_project: int) -> Any:
        """The Calendar requests a minute the sync may send, per user and for the whole project."""
        self.require_admin()
        return self.studio.prefs.set_request_budget(per_user=per_user, per_project=per_project)

    def set_deletion_limits(self, max_count: int, max_percent: int) -> CompanyPrefs:
        self.require_admin()
        return self.studio.prefs.set_deletion_limits(max_count, max_percent)

    def set_escalation(self, enabled: bool, after: int) -> CompanyPrefs:
        self.require_admin()
        return self.studio.prefs.set_escalation(enabled, after)

    def set_alert_reminder(self, hours: int) -> CompanyPrefs:
        self.require_admin()
        return self.studio.prefs.set_alert_reminder(hours)

    def send_test_email(self, address: str) -> str:
        from studiosync.core.studio.notify import send_test_email

        self.require_admin()
        return str(send_test_email(self.studio, address))
