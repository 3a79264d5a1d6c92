"""After each user's run: what went wrong in words, where the outcome is recorded, who is told.

- `classify_failure`: any exception of a user's run -> message, cause and fix (never a traceback).
- `save_run_record`: the run record in the user's own sync state file.
- `notify`: the user's diagnosis after the run and the emails it calls for (core.sync.alerting: on a
  change of state, never once per run), noted on the result for the run record.
- `OutcomeQueue` / `save_outcomes`: outcomes reach the Google tabs in one studio-file transaction every few
  seconds, then escalation looks at failing (and recovered) users, by the same alert rules.

Every step here is best effort: a failure to record or notify is logged, never raised, and never fails
(or repeats) the sync. This module never talks to Google and never syncs anything itself.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from studiosync.core import logs
from studiosync.core.errors import InputError, NotFoundError, OperationError, StoreError, StudioSyncError
from studiosync.core.google.errors import GoogleError, classify
from studiosync.core.model.users import GooglePrefs
from studiosync.core.store import layout
from studiosync.core.studio.timeparse import stamp
from studiosync.core.studio.users import GOOGLE
from studiosync.core.sync.failures import Failure
from studiosync.core.sync.held import CAUSE as HELD_CAUSE
from studiosync.core.sync.runs import UserRunResult
from studiosync.core.sync.state import SyncState

FLUSH_EVERY_S = 2.0  # outcomes reach the Google tabs at least this often during a long run


def classify_failure(exc: BaseException) -> Failure:
    if isinstance(exc, GoogleError):
        p = exc.problem
        return Failure(p.message, p.cause, p.fix)
    if isinstance(exc, NotFoundError | InputError):
        fix = exc.fix or "Check the user's Google tab and the Google API settings."
        return Failure(str(exc), "not_configured", fix)
    if isinstance(exc, StoreError):
        from studiosync.core.explain import explain_exception

        found = explain_exception(exc, context="store")  # store_corrupt, store_disk_full, store_lock...
        return Failure(str(exc), found.cause, exc.fix or found.fix)
    if isinstance(exc, OperationError):
        cause = "not_authenticated" if "authenticated" in str(exc) else "operation"
        return Failure(str(exc), cause, exc.fix)
    if isinstance(exc, StudioSyncError):
        return Failure(str(exc), "operation", exc.fix)
    p = classify(exc)
    if p.cause == "unknown":
        first = str(exc).splitlines()[0] if str(exc) else ""
        return Failure(
            f"internal error: {type(exc).__name__}: {first}".rstrip(": "),
            "internal",
            "Retry; if it persists, report it with the studiosync log.",
        )
    return Failure(p.message, p.cause, p.fix)


# -- the user's own files ---------------------------------------------------------------------------
def save_run_record(studio: Any, login: str, state: SyncState | None, result: UserRunResult) -> None:
    """The run record goes to the user's own sync state file. A store failure here is logged, not raised."""
    try:
        if state is None:
            state = SyncState.load(studio.store, login)
        state.add_run(result.record())
        state.save(studio.store)
    except Exception as exc:  # noqa: BLE001
        logs.event("ERROR", f"could not save the run record: {exc}")


def notify(studio: Any, prefs: GooglePrefs, result: UserRunResult, details: list[str]) -> None:
    """The user's problem after this run (`result.problem`, the first cause the dashboard shows too) and the
    emails it calls for (`result.emailed`); call before `save_run_record` so the record says both."""
    from studiosync.core.sync.alerting import after_run, run_problem

    try:
        found = run_problem(prefs, result)
        result.problem = found.to_json() if found is not None else None
    except Exception as exc:  # noqa: BLE001 - the diagnosis is bookkeeping: it never fails the sync
        logs.event("WARNING", f"could not diagnose the run: {exc}")
    result.emailed = after_run(studio, prefs, result, details)


# -- the shared studio file -------------------------------------------------------------------------
@dataclass
class OutcomeQueue:
    """Outcomes of finished users, written to the Google tabs together (thread-safe)."""

    studio: Any
    lock: threading.Lock = field(default_factory=threading.Lock)
    unsaved: list[UserRunResult] = field(default_factory=list)
    last_flush: float = field(default_factory=time.monotonic)

    def add(self, result: UserRunResult) -> None:
        if result.status == "skipped":
            return
        with self.lock:
            self.unsaved.append(result)
        self.flush(force=False)

    def flush(self, *, force: bool) -> None:
        """Write queued outcomes to the Google tabs in one transaction, then let escalation look at them."""
        with self.lock:
            if not self.unsaved or (not force and time.monotonic() - self.last_flush < FLUSH_EVERY_S):
                return
            batch, self.unsaved = self.unsaved, []
            self.last_flush = time.monotonic()
        try:
            watch = set(save_outcomes(self.studio, batch))
        except Exception as exc:  # noqa: BLE001
            logs.event("ERROR", f"could not save the sync outcome on the Google tabs: {exc}")
            return
        for result in batch:
            if result.login in watch:  # healthy users never need escalation: skip its store reads
                _escalate(self.studio, result)


def save_outcomes(studio: Any, results: list[UserRunResult]) -> list[str]:
    """Each user's Google tab gets the outcome of its run; only these fields are touched (re-read under the
    lock, so a concurrent edit of the tab in the console is kept). Returns the logins escalation must look
    at: failing ones, and recovered ones whose admins were told."""
    now = stamp()
    watch: list[str] = []
    with studio.store.transaction(layout.STUDIO) as tx:
        table = tx.table(layout.STUDIO, GOOGLE)
        for result in results:
            row = table.get(doc_id=result.login)
            if row is None:
                continue  # removed meanwhile
            doc = dict(row)
            doc["last_attempt"] = result.started
            was_failing = int(doc.get("consecutive_failures") or 0) > 0
            if result.status == "error":
                doc.update(
                    last_error=result.error,
                    last_error_cause=result.cause,
                    last_error_fix=result.fix,
                    consecutive_failures=int(doc.get("consecutive_failures") or 0) + 1,
                )
                if result.cause == HELD_CAUSE:
                    doc["last_sync"] = now  # everything but the held deletions synced: no lag
                watch.append(result.login)
            else:
                doc.update(
                    last_sync=now,
                    last_error=None,
                    last_error_cause=None,
                    last_error_fix=None,
                    consecutive_failures=0,
                )
                if doc.get("escalated") or was_failing:  # the admins may have to hear it is resolved
                    watch.append(result.login)
            table.put(result.login, doc)
    return watch


def _escalate(studio: Any, result: UserRunResult) -> None:
    """Admins hear about a user whose sync keeps failing, by the same alert rules as the user's own
    emails, naming the same first cause (core.escalation keeps its own never-raise rule)."""
    try:
        from studiosync.core.escalation import after_user_run

        after_user_run(studio, result.login, result.status != "error", result.problem)
    except Exception as exc:  # noqa: BLE001
        logs.event("WARNING", f"admin escalation check failed: {exc}")
