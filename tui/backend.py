"""The console's one door into core: every screen calls these methods (from workers), nothing else.

Why a facade: it holds who is logged in and enforces what they may see (admins everything; a non-admin
only their own Google tab, appointments and log lines), it shapes core's records into rows the screens
show, and it absorbs the services that are optional in a given build (jobs, logs, doctor, sync), so a
screen can say "not available" instead of crashing. It never imports Textual.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from types import ModuleType
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from studiosync.core import clock as core_clock
from studiosync.core.errors import InputError, NotFoundError, StudioSyncError
from studiosync.core.model import Appointment, ClientGroup, CompanyPrefs, GooglePrefs, User
from studiosync.core.studio.timeparse import zone
from studiosync.core.sync.held import CAUSE as HELD_CAUSE
from studiosync.tui.clock import Clock

if TYPE_CHECKING:
    from studiosync.core.explain import Explanation
    from studiosync.core.google.oauth import AuthResult
    from studiosync.core.google.signin import AuthorizationSession
    from studiosync.core.studio.google_accounts import CalendarInfo
    from studiosync.core.studio.studio import Studio
    from studiosync.tui.web.context import WebContext

# The four states the Users screen and the dashboard show (plus resources, which cannot sync at all).
NOT_SET_UP = "not set up"
AUTHENTICATED = "authenticated"
ENABLED = "enabled"  # enabled and authenticated: issue 7's word ("syncing" in `studiosync status`)
FAILING = "failing"
HELD = "deletions held"  # the mass-deletion guard holds this user's deletions until someone decides
CANNOT_SYNC = "cannot sync"
NO_ACCOUNT = "enabled, no account"

# Light check while typing; the service validates again (core.mail) when saving.
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def optional_module(name: str) -> ModuleType | None:
    """Import a core service that another team may not have shipped yet; None when it is absent."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and (name == exc.name or name.startswith(exc.name + ".")):
            return None
        raise


def one_line(exc: BaseException) -> str:
    """The single line a person sees for a failure: the message, then the fix if there is one."""
    if isinstance(exc, StudioSyncError):
        text = exc.message.splitlines()[0] if exc.message else exc.__class__.__name__
        return f"{text} — {exc.fix}" if exc.fix else text
    first = str(exc).splitlines()[0] if str(exc) else ""
    return f"{exc.__class__.__name__}: {first}" if first else exc.__class__.__name__


@dataclass(frozen=True)
class UserRow:
    login: str
    name: str
    kind: str
    admin: bool
    has_password: bool
    status: str
    account_email: str | None
    last_sync: str | None
    last_error: str | None
    failures: int = 0
    cause: str | None = None  # the first cause of the user's diagnosis, when it is a problem (core.diagnosis)


@dataclass(frozen=True)
class GoogleTab:
    """Everything the Google tab shows for one user, read in one go."""

    user: User
    prefs: GooglePrefs
    authenticated: bool
    group_name: str | None
    groups: list[ClientGroup]
    api_ready: bool  # company Google API settings exist


@dataclass(frozen=True)
class GroupRow:
    group: ClientGroup
    used_by: list[str]
    clients: int


@dataclass
class SyncHealth:
    """One dashboard row: how a user's sync is doing."""

    login: str
    name: str
    status: str
    last_sync: str | None
    lag_seconds: float | None
    last_error: str | None
    fix: str | None
    pushed: int | None = None
    pulled: int | None = None
    failures: int = 0
    enabled: bool = False  # Enable Google Sync is checked: only then does a lag mean anything
    extra: dict[str, Any] = field(default_factory=dict)


def google_status(user: User, prefs: GooglePrefs, authenticated: bool, *, failing: bool | None = None) -> str:
    """The Google column: resource / failing / enabled / enabled, no account / authenticated / not set up."""
    if not user.can_sync:
        return CANNOT_SYNC
    if failing is None:
        failing = bool(prefs.last_error) and prefs.consecutive_failures > 0
        if failing and prefs.last_error_cause == HELD_CAUSE:
            return HELD if prefs.enabled else NOT_SET_UP
    if prefs.enabled and failing:
        return FAILING
    if prefs.enabled:
        return ENABLED if authenticated else NO_ACCOUNT
    return AUTHENTICATED if authenticated else NOT_SET_UP


def health_status(user: User, h: Any) -> str:
    """The Google column from core.health's UserHealth, whose status follows the diagnosis' first cause."""
    if h.status == "held":
        return HELD
    prefs = GooglePrefs(login=h.login, enabled=h.enabled)
    return google_status(user, prefs, h.authenticated, failing=h.status == "failing")


def problem_text(h: Any) -> tuple[str | None, str | None]:
    """(the first cause, its fix) unless the user syncs cleanly (the diagnosis' first finding is `ok`)."""
    if h.cause_severity in ("error", "warn", "note", "off"):
        return h.cause_message, h.cause_fix
    return None, None


class Backend:
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
        self.web: WebContext | None = None

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
        from studiosync.core.health import sync_health

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
        appt = self.appointment(appointment_id)
        health = optional_module("studiosync.core.health")
        doc: dict[str, Any] = {}
        if health is not None and hasattr(health, "appointment_trace"):
            doc = dict(health.appointment_trace(self.studio, appointment_id))
        doc.setdefault("google_event_id", appt.google_event_id)
        doc.setdefault("sync_error", appt.sync_error)
        doc.setdefault("trace", [dict(t) for t in appt.trace])
        doc["reasons"] = self.explain(appt)
        doc["appointment"] = appt
        return doc

    def explain(self, appt: Appointment) -> list[str]:
        """Answers "why isn't this in Google?" from the appointment and its owner's Google tab."""
        user = self.studio.users.get(appt.user)
        prefs = self.studio.users.google_prefs(appt.user)
        reasons: list[str] = []
        if not user.can_sync:
            reasons.append(f"{user.name} is a resource; resources such as rooms cannot sync with Google.")
            return reasons
        if not prefs.enabled:
            reasons.append("Enable Google Sync is not checked on this user's Google tab.")
        if not self._authenticated(appt.user):
            reasons.append(
                "The Google account is not authenticated (Google tab: Authenticate My Google Account)."
            )
        if not prefs.calendar_id:
            reasons.append("No Google calendar is selected on the Google tab.")
        if appt.sync_error:
            reasons.append(f"The last attempt failed: {appt.sync_error}")
        if appt.deleted:
            reasons.append("Deleted in the studio; the deletion reaches Google on the next sync run.")
        elif appt.google_event_id and not appt.dirty:
            reasons.append("It is in Google: linked to the event id shown above and up to date.")
        elif appt.dirty and not appt.sync_error:
            when = prefs.last_sync and f" (last successful sync {prefs.last_sync[:16].replace('T', ' ')} UTC)"
            reasons.append(f"Changed in the studio; waiting for the next sync run{when or ''}.")
        older = bool(appt.created and prefs.enabled_at and appt.created < prefs.enabled_at)
        if not appt.google_event_id and older and not prefs.populate_google:
            reasons.append(
                "It is older than the day sync was enabled: check the Populate box on the Google tab "
                "to send older appointments over."
            )
        if prefs.last_error:
            reasons.append(f"The user's last sync failed: {prefs.last_error}")
        return reasons

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
        self.require_admin()
        notify = optional_module("studiosync.core.studio.notify")
        if notify is None or not hasattr(notify, "send_test_email"):
            raise InputError("sending email is not available in this build (core.studio.notify is missing)")
        return str(notify.send_test_email(self.studio, address))

    # -- optional services ---------------------------------------------------------------------------
    def jobs(self) -> Any | None:
        module = optional_module("studiosync.core.jobs.service")
        return module.Jobs(self.studio) if module and hasattr(module, "Jobs") else None

    def sync_runner(self) -> Callable[..., Any] | None:
        module = optional_module("studiosync.core.sync.processor")
        return getattr(module, "run_sync", None) if module else None

    def sync_logins(self) -> list[str] | None:
        """Who "Sync now" covers: everyone for an admin (None), else only the viewer."""
        return None if self.is_admin else [self.me]

    def run_sync(
        self,
        *,
        stop: Any = None,
        progress: Callable[[Any], None] | None = None,
        login: str | None = None,
        release: str | None = None,
    ) -> Any:
        """Sync now: everyone "Sync now" covers, or one user -- with `release` ("allow" | "restore"),
        a person's decision about that user's held deletions (admins only)."""
        runner = self.sync_runner()
        if runner is None:
            raise InputError("the sync processor is not available in this build (core.sync.processor)")
        from studiosync.core.jobs.sync_job import sync_options

        options = sync_options(self.studio)  # Run now goes by the google-sync job's options too
        if login is not None:
            self.require_self_or_admin(login)
            if release is not None:
                self.require_admin()
            return runner(self.studio, [login], stop=stop, progress=progress, options=options, release=release)
        return runner(self.studio, self.sync_logins(), stop=stop, progress=progress, options=options)

    def sync_health(self) -> list[SyncHealth]:
        """Per-user health for the dashboard (core.health), failing users first."""
        self.require_admin()
        now = self.now()
        health = optional_module("studiosync.core.health")
        users = {u.login: u for u in self.studio.users.list()}
        rows: list[SyncHealth] = []
        if health is None:
            return rows
        for h in health.sync_health(self.studio, now=now):
            user = users.get(h.login)
            if user is None or not user.can_sync:
                continue
            counts = h.last_run_counts or {}
            cause, fix = problem_text(h)  # the diagnosis' first cause: the doctor and `status` name it too
            rows.append(
                SyncHealth(
                    login=h.login,
                    name=h.name,
                    status=health_status(user, h),
                    last_sync=h.last_sync,
                    lag_seconds=h.lag_s,
                    last_error=cause if h.cause_severity in ("error", "warn") else None,
                    fix=fix,
                    pushed=sum(
                        counts.get(k, 0) for k in ("pushed_created", "pushed_updated", "pushed_deleted")
                    )
                    if h.last_run
                    else None,
                    pulled=sum(
                        counts.get(k, 0) for k in ("pulled_created", "pulled_updated", "pulled_deleted")
                    )
                    if h.last_run
                    else None,
                    failures=h.consecutive_failures,
                    enabled=h.enabled,
                    extra={
                        "summary": h.last_run_summary,
                        "account": h.account_email,
                        "calendar": h.calendar,
                        "severity": h.cause_severity,
                        "note": cause if h.cause_severity in ("note", "off") else None,
                        "last_emailed": h.last_emailed,
                        "last_emailed_why": h.last_emailed_why,
                        "next_reminder": h.next_reminder,
                        "email_trouble": h.email_trouble,
                        "held": h.held,
                    },
                )
            )
        order = {FAILING: 0, HELD: 1, NO_ACCOUNT: 2, ENABLED: 3, AUTHENTICATED: 4, NOT_SET_UP: 5}
        rows.sort(key=lambda r: (order.get(r.status, 9), r.login))
        return rows

    # -- logs ----------------------------------------------------------------------------------------
    def log_dir(self) -> Any:
        return self.studio.datadir.logs

    def log_user_filter(self) -> str | None:
        """A non-admin reads only their own lines: the filter is applied by the reader, not just the view."""
        return None if self.is_admin else self.me

    def recent_logs(self, limit: int = 1000) -> list[Any]:
        logs = optional_module("studiosync.core.logs")
        if logs is None:
            raise InputError("the log reader is not available in this build (core.logs)")
        return logs.read_logs(self.log_dir(), user=self.log_user_filter())[-limit:]

    def follow_logs(self, stop: Any, poll: float = 0.1) -> Any:
        logs = optional_module("studiosync.core.logs")
        if logs is None:
            raise InputError("the log reader is not available in this build (core.logs)")
        return logs.follow_logs(self.log_dir(), user=self.log_user_filter(), stop=stop, poll=poll)

    def explain_log_record(self, record: Any) -> Explanation | None:
        """Cause and fix of a log line (core.explain), or None when it records no known failure.

        Pure text matching on a record the viewer already holds: cheap enough to call from the UI thread.
        """
        explain = optional_module("studiosync.core.explain")
        found = getattr(explain, "explain_record", None) if explain else None
        return found(record) if found is not None else None

    # -- doctor --------------------------------------------------------------------------------------
    def run_doctor(self, login: str | None = None) -> Any:
        self.require_admin()
        module = optional_module("studiosync.core.doctor.run") or optional_module("studiosync.core.doctor")
        run = getattr(module, "run_doctor", None) if module else None
        if run is None:
            raise InputError("the doctor is not available in this build (core.doctor)")
        return run(self.studio, login)
