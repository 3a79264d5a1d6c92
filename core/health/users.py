"""Each user's sync health: how their Google sync is doing (`UserHealth`), one user or all of them.

`sync_health` feeds `studiosync status`, the console's dashboard and Users screen, and the doctor's
per-user verdicts. Each user's health carries the user's ordered diagnosis (core.diagnosis: the real cause
first, the same everywhere), live sync's marks, held deletions, and when the user and the admins were last
emailed about it, and why (core.alerts).

It only reads the store (the Google tab, the token, the run records and alert state in each user's sync
state): never writes, never calls Google, so it is cheap enough to refresh every few seconds.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from studiosync.core.diagnosis import Facts, Finding, diagnose
from studiosync.core.errors import StudioSyncError
from studiosync.core.explain import explain_cause, fill_login
from studiosync.core.model.users import GooglePrefs, User
from studiosync.core.studio.timeparse import now_utc
from studiosync.core.sync.held import CAUSE as HELD_CAUSE
from studiosync.core.sync.held import held_summary

if TYPE_CHECKING:
    from studiosync.core.studio.studio import Studio

HealthStatus = Literal["failing", "held", "enabled", "authenticated", "not_set_up", "resource"]
# Failing users first: the dashboard is read top-down by someone looking for trouble.
_ORDER: dict[str, int] = {
    "failing": 0,
    "held": 1,
    "enabled": 2,
    "authenticated": 3,
    "not_set_up": 4,
    "resource": 5,
}
STATUS_TEXT: dict[str, str] = {
    "failing": "failing",
    "held": "deletions held",
    "enabled": "enabled, not authenticated",
    "authenticated": "syncing",
    "not_set_up": "not set up",
    "resource": "resource (cannot sync)",
}


@dataclass
class UserHealth:
    """How one user's Google sync is doing, read from the store alone: status, last runs, diagnosis, live
    sync's marks, alert emails and held deletions."""

    login: str
    name: str
    kind: str
    status: HealthStatus
    enabled: bool = False
    authenticated: bool = False
    account_email: str | None = None
    calendar: str | None = None  # summary, else id
    last_sync: str | None = None  # last successful sync (UTC ISO)
    lag_s: float | None = None  # now - last_sync
    last_attempt: str | None = None
    attempt_age_s: float | None = None  # now - last_attempt
    last_error: str | None = None
    last_error_cause: str | None = None
    last_error_fix: str | None = None
    consecutive_failures: int = 0
    escalated: bool = False
    last_run: dict[str, Any] | None = None  # the newest run record (see core.sync.runs.UserRunResult.record)
    last_run_counts: dict[str, int] = field(default_factory=dict)
    last_run_summary: str = ""  # "pushed 3, pulled 1" style
    last_run_warnings: list[str] = field(default_factory=list)
    # Live sync (core.jobs.live; marks in core.sync.live_state): when a studio change of the user last
    # reached Google, when their Google calendar was last checked, and how many studio changes wait.
    last_push: str | None = None
    last_pull: str | None = None
    push_age_s: float | None = None
    pull_age_s: float | None = None
    pending: int = 0
    # The ordered diagnosis (core.diagnosis), and its first finding: what every surface names first.
    diagnosis: list[dict[str, Any]] = field(default_factory=list)
    cause: str | None = None  # the first finding's code ("not_authenticated", "network", "ok", ...)
    cause_severity: str | None = None  # error | warn | note | off | ok
    cause_message: str | None = None
    cause_fix: str | None = None
    # Alert emails (core.alerts.record.view): the last warning email that went to the user, and why.
    last_emailed: str | None = None
    last_emailed_kind: str | None = None  # problem | changed | reminder | resolved
    last_emailed_why: str | None = None  # "problem started: network", "reminder: ...", ...
    last_emailed_to: str | None = None
    email_trouble: str | None = None  # the last attempt did not go (failed / unconfirmed), in words
    next_reminder: str | None = None  # while a problem the user was told about lasts
    alert_since: str | None = None  # since when the problem the user was told about lasts
    admins_last_emailed: str | None = None
    admins_last_emailed_why: str | None = None
    last_log_email: str | None = None  # the last detailed-log email (at most one an hour)
    # Deletions the mass-deletion guard holds back (core.sync.held.summary): side, deletions, linked,
    # since, message, fix. The user's status is "held" unless something else fails too.
    held: dict[str, Any] | None = None

    @property
    def status_text(self) -> str:
        return STATUS_TEXT[self.status]

    @property
    def first(self) -> Finding | None:
        return Finding(**self.diagnosis[0]) if self.diagnosis else None

    @property
    def problem(self) -> bool:
        """The first finding is an error or a warning (what the dashboard's error column shows)."""
        return self.cause_severity in ("error", "warn")

    def to_json(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["status_text"] = self.status_text
        return doc


def sync_health(studio: Studio, now: datetime | None = None) -> list[UserHealth]:
    """Every user's sync health, failing users first."""
    prefs = {p.login: p for p in studio.users.all_google_prefs()}
    context = HealthContext.read(studio, list(prefs.values()))
    found = [
        user_health(studio, u, prefs.get(u.login) or GooglePrefs(login=u.login), now=now, context=context)
        for u in studio.users.list()
    ]
    return sorted(found, key=lambda h: (_ORDER[h.status], h.login))


@dataclass
class HealthContext:
    """What every user's health reads from the studio as a whole: read once for a whole listing."""

    all_prefs: list[GooglePrefs]
    groups: set[str]
    remind_hours: int
    live: dict[str, dict[str, Any]]  # live sync's marks (core.sync.live_state)

    @classmethod
    def read(cls, studio: Studio, all_prefs: list[GooglePrefs] | None = None) -> HealthContext:
        from studiosync.core.sync.live_state import marks

        return cls(
            all_prefs if all_prefs is not None else studio.users.all_google_prefs(),
            {g.id for g in studio.groups.list()},
            studio.prefs.get().alert_remind_hours,
            marks(studio.store),
        )


def user_health(
    studio: Studio,
    user: User,
    prefs: GooglePrefs,
    *,
    now: datetime | None = None,
    authenticated: bool | None = None,
    token_problem: str | None = None,
    context: HealthContext | None = None,
) -> UserHealth:
    """One user's health; `authenticated` (and `token_problem`, the reason a stored token cannot be read)
    spare a second token lookup when the caller already did it."""
    now = now or now_utc()
    h = UserHealth(login=user.login, name=user.name, kind=user.kind, status="resource")
    if not user.can_sync:
        _diagnose(h, Facts(login=user.login, staff=False))
        return h
    h.enabled = prefs.enabled
    if authenticated is None:
        authenticated, token_problem = _authenticated(studio, user.login)
    h.authenticated = authenticated
    h.account_email = prefs.account_email
    h.calendar = prefs.calendar_summary or prefs.calendar_id
    h.last_sync, h.lag_s = prefs.last_sync, seconds_since(prefs.last_sync, now)
    h.last_attempt, h.attempt_age_s = prefs.last_attempt, seconds_since(prefs.last_attempt, now)
    h.consecutive_failures = prefs.consecutive_failures
    h.escalated = prefs.escalated
    _add_last_run(studio, h)
    context = context or HealthContext.read(studio)
    _add_live(studio, h, prefs, context.live, now)
    h.held = held_summary(studio.store, user.login) if prefs.enabled else None
    # A failed run the Google tab has not recorded yet (outcomes are saved every few seconds) fails too; an
    # older one does not: re-authenticating clears the tab's failures, and the old run's error with them.
    run = h.last_run or {}
    unsaved = run.get("status") == "error" and str(run.get("started") or "") > str(prefs.last_attempt or "")
    failing = prefs.consecutive_failures > 0 or unsaved
    if prefs.last_error or failing:
        cause = prefs.last_error_cause or (h.last_run or {}).get("cause")
        h.last_error = prefs.last_error or (h.last_run or {}).get("error")
        h.last_error_cause = cause
        fix = (
            prefs.last_error_fix
            or (h.last_run or {}).get("fix")
            or (explain_cause(cause).fix if cause else None)
        )
        h.last_error_fix = fill_login(fix, user.login) if fix else None
    _diagnose(h, _facts(h, prefs, token_problem, context))
    h.status = _status(h)
    _add_alerts(studio, h, context.remind_hours)
    return h


def _add_live(studio: Studio, h: UserHealth, prefs: GooglePrefs, live: dict[str, dict[str, Any]], now: datetime) -> None:
    mark = live.get(h.login) or {}
    h.last_push, h.push_age_s = mark.get("last_push"), seconds_since(mark.get("last_push"), now)
    h.last_pull, h.pull_age_s = mark.get("last_pull"), seconds_since(mark.get("last_pull"), now)
    # With sync off nothing is on its way to Google: nothing is pending.
    h.pending = len(studio.appointments.pending_ids(h.login)) if prefs.enabled else 0


def _facts(h: UserHealth, prefs: GooglePrefs, token_problem: str | None, context: HealthContext) -> Facts:
    from studiosync.core.mail import validate_email_address

    valid = True
    if prefs.warn_email:
        try:
            validate_email_address(prefs.warn_email)
        except StudioSyncError:
            valid = False
    account = (prefs.account_email or "").lower()
    shared = tuple(
        sorted(
            p.login
            for p in context.all_prefs
            if account and p.login != prefs.login and (p.account_email or "").lower() == account
        )
    )
    run = h.last_run or {}
    return Facts(
        login=h.login,
        enabled=prefs.enabled,
        authenticated=h.authenticated,
        token_problem=token_problem,
        account_email=prefs.account_email,
        shared_with=shared,
        calendar_id=prefs.calendar_id,
        calendar_summary=prefs.calendar_summary,
        held=h.held,
        error=h.last_error,
        error_cause=h.last_error_cause,
        error_fix=h.last_error_fix,
        warnings=tuple(h.last_run_warnings) if run.get("status") == "warning" else (),
        ran=bool(h.last_run or prefs.last_sync or prefs.last_attempt),
        warn_email=prefs.warn_email,
        warn_email_valid=valid,
        contacts=prefs.contacts,
        client_group_exists=bool(prefs.client_group) and prefs.client_group in context.groups,
        two_way=prefs.two_way,
        populate_google=prefs.populate_google,
        populate_studio=prefs.populate_studio,
    )


def _diagnose(h: UserHealth, facts: Facts) -> None:
    findings = diagnose(facts)
    h.diagnosis = [f.to_json() for f in findings]
    first = findings[0]
    h.cause, h.cause_severity, h.cause_message, h.cause_fix = (
        first.code,
        first.severity,
        first.message,
        first.fix,
    )


def _status(h: UserHealth) -> HealthStatus:
    """The status word follows the diagnosis' first finding, so the two never disagree."""
    if not h.enabled:
        return "not_set_up"
    if h.cause in ("not_authenticated", "token_unreadable"):
        return "enabled"  # enabled, not authenticated
    if h.cause == HELD_CAUSE:
        return "held"  # synced everything else; waits for a person's decision about the deletions
    if h.cause_severity == "error":
        return "failing"
    return "authenticated"


def _add_alerts(studio: Studio, h: UserHealth, remind_hours: int) -> None:
    from studiosync.core.alerts.machine import remind_every
    from studiosync.core.alerts.record import load, view

    try:
        docs = load(studio.store, h.login)
    except StudioSyncError:
        return  # an unreadable sync state file: the run history and the doctor's store check say so
    for key, value in view(docs, remind_every(remind_hours)).items():
        setattr(h, key, value)


def _authenticated(studio: Studio, login: str) -> tuple[bool, str | None]:
    """(a token is stored, why the token store could not be read)."""
    try:
        return studio.google.is_authenticated(login), None
    except StudioSyncError as exc:
        return False, exc.message  # an unreadable token store counts as not authenticated, with its reason


def _add_last_run(studio: Studio, h: UserHealth) -> None:
    from studiosync.core.sync.state import run_history

    runs = run_history(studio.store, h.login)
    if not runs:
        return
    last = runs[-1]
    h.last_run = last
    counts = {k: int(v) for k, v in (last.get("counts") or {}).items() if v}
    h.last_run_counts = counts
    h.last_run_warnings = [str(w) for w in last.get("warnings") or []]
    h.last_run_summary = summarize_counts(counts)


def summarize_counts(counts: dict[str, int]) -> str:
    pushed = sum(counts.get(k, 0) for k in ("pushed_created", "pushed_updated", "pushed_deleted"))
    pulled = sum(counts.get(k, 0) for k in ("pulled_created", "pulled_updated", "pulled_deleted"))
    contacts = counts.get("contacts_created", 0) + counts.get("contacts_updated", 0)
    parts = [f"pushed {pushed}", f"pulled {pulled}"]
    if contacts:
        parts.append(f"contacts {contacts}")
    if counts.get("conflicts"):  # fields changed on both sides (edits to different fields merge)
        parts.append(f"{counts['conflicts']} field conflict(s)")
    return ", ".join(parts)


def seconds_since(text: str | None, now: datetime) -> float | None:
    """Seconds from an ISO stamp (ours or Google's) to `now`; None when absent or unreadable."""
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (now - when).total_seconds())
