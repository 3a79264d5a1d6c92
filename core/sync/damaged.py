"""Users whose own record is corrupt: a full sync run names each one as a failed user, never skips it
in silence.

A listing of users or Google tabs leaves a record of the wrong shape out (core.store.records), so that one
bad record cannot stop everyone else's sync. A scheduled run has no terminal to print that on, so here
each such user becomes an error in the run's result -- the run record, the log and the job's status say
which user, which file and record, and how to repair it -- while the other users sync as usual.

Must never write the damaged record (or anything else): it only reports.
"""

from __future__ import annotations

from typing import Any

from studiosync.core import logs
from studiosync.core.model.users import GooglePrefs
from studiosync.core.store.records import CorruptRecord, repair_hint
from studiosync.core.sync.runs import UserRunResult, zero_counts

CAUSE = "store_corrupt"


def damaged_users(
    studio: Any, logins: list[str] | None, all_prefs: dict[str, GooglePrefs], *, run_id: str, started: str
) -> list[UserRunResult]:
    """An error result (logged) for each user this run would sync -- the named ones, else every user whose
    Google tab is enabled or itself unreadable -- whose user record or Google tab is corrupt."""
    found: dict[str, CorruptRecord] = {}
    for exc in studio.users.damaged():
        prefs = all_prefs.get(exc.doc_id)
        wanted = exc.doc_id in logins if logins else prefs is None or prefs.enabled
        if wanted:
            found.setdefault(exc.doc_id, exc)
    return [_result(found[login], run_id, started) for login in sorted(found)]


def _result(exc: CorruptRecord, run_id: str, started: str) -> UserRunResult:
    shown = repair_hint(exc.path).removeprefix("studiosync backup restore ")
    fix = f"see the damage with studiosync store verify, then restore the file: studiosync backup restore {shown}"
    with logs.log_context(user=exc.doc_id):
        logs.event("ERROR", f"not synced: {exc.message}", cause=CAUSE, fix=fix, file=shown)
    return UserRunResult(
        exc.doc_id,
        "error",
        started,
        0.0,
        zero_counts(),
        [],
        error=exc.message,
        cause=CAUSE,
        fix=fix,
        run_id=run_id,
    )
