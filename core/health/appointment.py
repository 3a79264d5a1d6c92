"""One appointment's sync story: where it stands, why it is (not) in Google, and the last error that
touched it -- for `studiosync appointments show` and the console's trace view.

It only reads the store (the appointment, its user's Google tab and health): never writes, never calls
Google. Its user's state comes from core.health.users, never recomputed here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from studiosync.core.errors import NotFoundError
from studiosync.core.explain import cause_from_text, explain_cause, fill_login
from studiosync.core.health.users import UserHealth, user_health
from studiosync.core.model.users import GooglePrefs, User
from studiosync.core.studio.timeparse import to_text

if TYPE_CHECKING:
    from studiosync.core.studio.studio import Studio


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
