"""Run one job now: run lock, history record, logs.

Used by the schedulers (trigger "schedule", with the fire time it serves) and by `jobs run` / the console's
Run Now (trigger "manual"). A scheduled run re-reads the job's settings first, so a process with a stale
view never runs a job that was just disabled or moved to another computer.

google-sync's live passes (core.jobs.live) take the same run lock for a few seconds at a time: a run that
finds one holding it waits for it (up to LIVE_WAIT_S) instead of being recorded as skipped.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from studiosync.core.errors import StudioSyncError, one_line_error
from studiosync.core.jobs.base import JobContext, JobOutcome, load_body
from studiosync.core.jobs.catalogue import Catalogue, JobKind, JobSettings, kind
from studiosync.core.jobs.computers import same_computer, this_computer
from studiosync.core.jobs.history import LIVE_KINDS, History, RunRecord
from studiosync.core.jobs.runlock import RunLockBusy, describe_holder, run_lock
from studiosync.core.logs import LOGGER_NAME, event, log_context, new_crash_id, redact, redact_fields
from studiosync.core.studio.studio import Studio
from studiosync.core.studio.timeparse import stamp

Listener = Callable[[RunRecord], None]
LIVE_WAIT_S = 300.0  # a live pass is seconds long; this bounds a stuck one
LIVE_POLL_S = 0.2
_LEVEL = {"ok": "INFO", "warning": "WARNING", "error": "ERROR", "skipped": "WARNING"}


def fire_time_text(when: datetime) -> str:
    """The canonical text of a fire time; processes that fire for the same schedule produce the same."""
    return when.astimezone(UTC).isoformat(timespec="milliseconds")


def run_job(
    studio: Studio,
    name: str,
    *,
    trigger: str = "manual",
    scheduled_for: datetime | None = None,
    stop: threading.Event | None = None,
    process: str = "cli",
    listener: Listener | None = None,
) -> RunRecord | None:
    """Run job `name` on this computer. Returns its record, the skipped record when the job was already
    running, or None when there was nothing to do (a scheduled run that is no longer ours to run)."""
    k = kind(name)
    settings = Catalogue(studio.store).get(name)
    computer = this_computer()
    if trigger == "schedule" and (not settings.enabled or not same_computer(settings.computer, computer)):
        return None
    fire = fire_time_text(scheduled_for) if scheduled_for is not None else None
    history = History(studio.store)
    run_id = uuid.uuid4().hex[:16]
    holder = {
        "pid": os.getpid(),
        "process": process,
        "run_id": run_id,
        "started": stamp(),
        "scheduled_for": fire,
        "kind": "scheduled" if trigger == "schedule" else "manual",
    }
    live_deadline = time.monotonic() + LIVE_WAIT_S
    with log_context(job=name, run_id=run_id):
        while True:
            try:
                with run_lock(studio.datadir.locks, name, holder):
                    if fire is not None and history.served(name, computer, fire) is not None:
                        # Another process on this computer (console + daemon) already ran this fire time.
                        event(
                            "INFO",
                            f"{k.title}: the run due at {fire} was already done by another process here",
                        )
                        return None
                    return _run_locked(
                        studio, k, settings, run_id, computer, process, trigger, fire, stop, listener
                    )
            except RunLockBusy as busy:
                if _live_pass(busy) and time.monotonic() < live_deadline and not (stop and stop.is_set()):
                    time.sleep(LIVE_POLL_S)  # a live pass of this job: seconds long, then it is our turn
                    continue
                if fire is not None and busy.holder.get("scheduled_for") == fire:
                    who = describe_holder(busy.holder)
                    event("INFO", f"{k.title}: the run due at {fire} is being done by {who}")
                    return None
                return _record_skip(history, k, run_id, computer, process, trigger, fire, busy, listener)


def _live_pass(busy: RunLockBusy) -> bool:
    return busy.holder.get("kind") in LIVE_KINDS


def _new_record(
    k: JobKind, run_id: str, computer: str, process: str, trigger: str, fire: str | None
) -> RunRecord:
    """A run of `k` by this process, started now (status "running" until told otherwise)."""
    return RunRecord(
        id=run_id,
        job=k.name,
        computer=computer,
        pid=os.getpid(),
        process=process,
        trigger=trigger,
        scheduled_for=fire,
        started=stamp(),
    )


def _record_skip(
    history: History,
    k: JobKind,
    run_id: str,
    computer: str,
    process: str,
    trigger: str,
    fire: str | None,
    busy: RunLockBusy,
    listener: Listener | None,
) -> RunRecord:
    record = _new_record(k, run_id, computer, process, trigger, fire)
    record.finished = record.started
    record.status = "skipped"
    record.summary = f"skipped: {k.title} was still running ({describe_holder(busy.holder)})"
    record.duration_s = 0.0
    history.finish(record)
    event("WARNING", record.summary, status="skipped", holder_pid=busy.holder.get("pid"))
    _notify(listener, record)
    return record


def _run_locked(
    studio: Studio,
    k: JobKind,
    settings: JobSettings,
    run_id: str,
    computer: str,
    process: str,
    trigger: str,
    fire: str | None,
    stop: threading.Event | None,
    listener: Listener | None,
) -> RunRecord:
    record = _new_record(k, run_id, computer, process, trigger, fire)
    history = History(studio.store)
    history.begin(record)
    _notify(listener, record)
    event("INFO", f"{k.title} started", trigger=trigger, scheduled_for=fire, computer=computer)
    ctx = JobContext(
        studio=studio, job=settings, run_id=run_id, computer=computer, stop=stop or threading.Event()
    )
    t0 = time.monotonic()
    outcome = JobOutcome("error", "interrupted before it finished")
    try:
        outcome = _call(k, ctx)
    finally:
        # Also on KeyboardInterrupt/SystemExit: the record must not stay "running".
        record.finished = stamp()
        record.duration_s = round(time.monotonic() - t0, 3)
        record.status = outcome.status
        # Redacted here too: the summary is shown in the console and emailed, not only logged.
        record.summary = redact(outcome.summary)
        record.users = redact_fields(outcome.users)
        history.finish(record)
        event(
            _LEVEL.get(record.status, "INFO"),
            f"{k.title} finished: {record.status}: {record.summary}",
            status=record.status,
            duration_s=record.duration_s,
            **({"users": len(record.users)} if record.users else {}),
        )
        _notify(listener, record)
    return record


def _call(k: JobKind, ctx: JobContext) -> JobOutcome:
    try:
        outcome = load_body(k)(ctx)
    except StudioSyncError as exc:
        fix = f" (fix: {exc.fix})" if exc.fix else ""
        return JobOutcome("error", f"{exc.message}{fix}")
    except Exception as exc:  # noqa: BLE001 - one broken job must not take the scheduler down
        # One line for people (the run record, the log line); the stack only in a private crash file.
        what = one_line_error(exc)
        crash_id = new_crash_id()
        logging.getLogger(LOGGER_NAME).error(
            f"{k.title} crashed: {what}", exc_info=exc, extra={"fields": {"crash_id": crash_id}}
        )
        return JobOutcome("error", f"internal error: {what} (crash id {crash_id}; please report it)")
    if outcome.status not in ("ok", "warning", "error"):
        return JobOutcome("error", f"internal error: job returned status {outcome.status!r}", outcome.users)
    return outcome


def _notify(listener: Listener | None, record: RunRecord) -> None:
    if listener is None:
        return
    try:
        listener(record)
    except Exception as exc:  # noqa: BLE001 - a console callback failing must not fail the run
        event("WARNING", f"run listener failed: {exc.__class__.__name__}: {exc}")
