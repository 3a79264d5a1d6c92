"""Sync health: how each user's Google sync is doing, and why one appointment is (not) in Google.

`sync_health` feeds `studiosync status` and the console dashboard; `appointment_trace` feeds the
appointment's trace view. Both only read the store (the Google tab, the processor's run records in each
user's sync state, the appointment itself): cheap enough to refresh every few seconds, and never slowed
down by Google.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from studiosync.core.errors import NotFoundError, StudioSyncError
from studiosync.core.explain import cause_from_text, explain_cause, fill_login
from studiosync.core.model import GooglePrefs, User
from studiosync.core.studio.timeparse import now_utc, to_text
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
    # Deletions the mass-deletion guard holds back (core.sync.held.summary): side, deletions, linked,
    # since, message, fix. The user's status is "held" unless something else fails too.
    held: dict[str, Any] | None = None

    @property
    def status_text(self) -> str:
        return STATUS_TEXT[self.status]

    def to_json(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["status_text"] = self.status_text
        return doc


def sync_health(studio: Studio, now: datetime | None = None) -> list[UserHealth]:
    """Every user's sync health, failing users first."""
    prefs = {p.login: p for p in studio.users.all_google_prefs()}
    found = [
        user_health(studio, u, prefs.get(u.login) or GooglePrefs(login=u.login), now=now)
        for u in studio.users.list()
    ]
    return sorted(found, key=lambda h: (_ORDER[h.status], h.login))


def user_health(
    studio: Studio,
    user: User,
    prefs: GooglePrefs,
    *,
    now: datetime | None = None,
    authenticated: bool | None = None,
) -> UserHealth:
    """One user's health; `authenticated` spares a second token lookup when the caller already did it."""
    now = now or now_utc()
    h = UserHealth(login=user.login, name=user.name, kind=user.kind, status="resource")
    if not user.can_sync:
        return h
    h.enabled = prefs.enabled
    h.authenticated = _authenticated(studio, user.login) if authenticated is None else authenticated
    h.account_email = prefs.account_email
    h.calendar = prefs.calendar_summary or prefs.calendar_id
    h.last_sync, h.lag_s = prefs.last_sync, seconds_since(prefs.last_sync, now)
    h.last_attempt, h.attempt_age_s = prefs.last_attempt, seconds_since(prefs.last_attempt, now)
    h.consecutive_failures = prefs.consecutive_failures
    h.escalated = prefs.escalated
    _add_last_run(studio, h)
    h.held = held_summary(studio.store, user.login) if prefs.enabled else None
    failing = prefs.consecutive_failures > 0 or (h.last_run or {}).get("status") == "error"
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
    if not prefs.enabled:
        h.status = "not_set_up"
    elif h.held and (not failing or h.last_error_cause == HELD_CAUSE):
        h.status = "held"  # synced everything else; waits for a person's decision about the deletions
    elif failing:
        h.status = "failing"
    elif h.authenticated:
        h.status = "authenticated"
    else:
        h.status = "enabled"
    return h


def _authenticated(studio: Studio, login: str) -> bool:
    try:
        return studio.google.is_authenticated(login)
    except StudioSyncError:
        return False  # an unreadable token store counts as not authenticated; the doctor says why


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


# -- one appointment ----------------------------------------------------------------------------------
def appointment_trace(studio: Studio, appointment_id: str) -> dict[str, Any]:
    """An appointment's sync story for the console: links, trace, and the last error that touched it.

    `last_error` comes from the appointment's own `sync_error` when it has one; otherwise, while it still
    waits to sync (dirty), from its user's last run when that run failed -- the reason it did not go.
    """
    appt = studio.appointments.find(appointment_id, include_deleted=True)
    if appt is None:
        raise NotFoundError(f"no appointment {appointment_id!r}")
    user = studio.users.find(appt.user)
    prefs = studio.users.google_prefs(appt.user) if user else GooglePrefs(login=appt.user)
    health = user_health(studio, user, prefs) if user else None
    run = health.last_run if health else None
    doc: dict[str, Any] = {
        "id": appt.id,
        "user": appt.user,
        "title": appt.title,
        "start": to_text(appt.start),
        "end": to_text(appt.end),
        "all_day": appt.all_day,
        "status": appt.status,
        "origin": appt.origin,
        "deleted": appt.deleted,
        "dirty": appt.dirty,
        "revision": appt.revision,
        "synced_revision": appt.synced_revision,
        "google_event_id": appt.google_event_id,
        "google_etag": appt.google_etag,
        "google_updated": appt.google_updated,
        "sync_error": appt.sync_error,
        "trace": [dict(t) for t in appt.trace],
        "sync_state": _sync_state(appt, user, prefs, health),
        "user_sync": health.to_json() if health else None,
        "last_error": _last_error(appt, run, health),
    }
    return doc


def _sync_state(appt: Any, user: User | None, prefs: GooglePrefs, health: UserHealth | None = None) -> str:
    """One line: where this appointment stands, and why it is not (yet) in Google."""
    if user is None:
        return "its user no longer exists"
    if not user.can_sync:
        return "belongs to a resource, which does not sync with Google"
    if appt.sync_error:
        return "failed to sync (see last_error)"
    # What is missing on Google's side: the appointment, or only its latest change.
    missing = "its latest change is not in Google" if appt.google_event_id else "not in Google"
    if not prefs.enabled:
        if appt.google_event_id and not appt.dirty:
            return "in Google, but its user's Google sync is off: later changes will not go (Google tab)"
        return f"{missing}: its user's Google sync is off (Google tab: Enable Google Sync)"
    if not appt.google_event_id and not appt.deleted and _before_sync(appt, prefs):
        return (
            "not in Google: last changed before Google sync was enabled, so only Populate sends it "
            "(Google tab: check Populate)"
        )
    if appt.dirty:
        if health is not None and health.status == "failing":
            return f"{missing}: its user's last sync failed (see last_error)"
        if health is not None and not health.authenticated:
            return f"{missing}: its user has no authenticated Google account (Google tab: Authenticate)"
        return "waiting for the next sync" + (" (deletion)" if appt.deleted else "")
    if appt.google_event_id:
        return "in sync with Google"
    return "not linked to a Google event"


def _before_sync(appt: Any, prefs: GooglePrefs) -> bool:
    """The processor's rule (core.sync.pairing.push_allowed): an unlinked appointment last changed
    before Google sync was enabled goes over only with Populate."""
    from studiosync.core.sync.mapping import changed_before_sync, parse_stamp

    return not prefs.populate_google and changed_before_sync(appt.updated, parse_stamp(prefs.enabled_at))


def _last_error(appt: Any, run: dict[str, Any] | None, health: UserHealth | None) -> dict[str, Any] | None:
    if appt.sync_error:
        entry = _last_trace(appt, ("error", "conflict")) or {}
        # Trace entries may carry the cause id; otherwise recognise our own message in the error text.
        cause = entry.get("cause") or cause_from_text(appt.sync_error)
        return _error_doc(
            "appointment", appt.sync_error, cause, None, entry.get("time"), entry.get("run_id"), appt.user
        )
    if run and run.get("status") == "error" and appt.dirty:
        message = run.get("error") or (health.last_error if health else None)
        return _error_doc(
            "run", message, run.get("cause"), run.get("fix"), run.get("started"), run.get("run_id"), appt.user
        )
    return None


def _error_doc(
    source: str,
    message: str | None,
    cause: str | None,
    fix: str | None,
    time: str | None,
    run_id: str | None,
    login: str,
) -> dict[str, Any]:
    explained = explain_cause(cause) if cause else None
    fix = fix or (explained.fix if explained else None)
    return {
        "source": source,  # appointment: its own sync_error; run: its user's last run failed before it went
        "message": message,
        "cause": cause,
        "explanation": explained.message if explained else None,
        "fix": fill_login(fix, login) if fix else None,
        "time": time,
        "run_id": run_id,
    }


def _last_trace(appt: Any, actions: tuple[str, ...]) -> dict[str, Any] | None:
    for entry in reversed(appt.trace):
        if entry.get("action") in actions:
            return entry
    return None
