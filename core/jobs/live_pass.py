"""One live pass of the google-sync job: under the job's run lock, a push or pull of some users through the
processor, then its run record and live sync's marks.

A pass is one of the job's runs: it takes the same run lock as the scheduled run (`flock`, any process on
this computer), so a console and a daemon never push at the same time and a pass never overlaps a full
run; when the lock is busy the pass does nothing and says so (`Busy`), and core.jobs.live tries again a
moment later (the scheduled run, for its part, waits for a pass instead of skipping: core.jobs.runner).
Inside the lock the job's settings are read again: a job just disabled, moved to another computer or with
live sync turned off never pushes or pulls here.

Run records (core.jobs.history) say `kind` push or pull and list only the users something happened to;
quiet passes are merged (`PassRecorder`): one stored record with a repeat count, written at most every
QUIET_FLUSH_S seconds while nothing happens.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from studiosync.core.jobs.catalogue import Catalogue, JobSettings, live_on
from studiosync.core.jobs.computers import same_computer, this_computer
from studiosync.core.jobs.history import History, RunRecord
from studiosync.core.jobs.runlock import RunLockBusy, run_lock
from studiosync.core.jobs.sync_job import sync_options
from studiosync.core.logs import event, log_context, redact, redact_fields
from studiosync.core.studio.studio import Studio
from studiosync.core.studio.timeparse import stamp

JOB = "google-sync"
QUIET_FLUSH_S = 300.0


class Busy(Exception):
    """The job's run lock is held (a full run, or the other process's pass)."""


@dataclass
class PassResult:
    """What one live pass did: its run record, and which users went through, failed, should be tried again
    soon, or wait for a full run."""

    record: RunRecord | None  # None: nothing ran (settings changed, no user left)
    done: set[str] = field(default_factory=set)  # users the pass went through (ok or warning)
    failed: set[str] = field(default_factory=set)  # users whose pass failed (error)
    retry: set[str] = field(default_factory=set)  # users to try again soon (their sync lock was busy)
    waiting: set[str] = field(default_factory=set)  # users that need a full run first


def job_settings(studio: Studio) -> JobSettings | None:
    """The google-sync job's settings when live sync must run on this computer, else None."""
    settings = Catalogue(studio.store).get(JOB)
    if settings.enabled and same_computer(settings.computer, this_computer()) and live_on(settings):
        return settings
    return None


def run_pass(
    studio: Studio, kind: str, logins: list[str], *, process: str, stop: threading.Event
) -> PassResult:
    """Push or pull `logins` now (kind "push" / "pull"). Raises Busy when the run lock is held."""
    from studiosync.core.sync.processor import run_sync

    run_id = uuid.uuid4().hex[:16]
    holder = {"pid": os.getpid(), "process": process, "run_id": run_id, "started": stamp(), "kind": kind}
    with log_context(job=JOB, run_id=run_id):
        try:
            with run_lock(studio.datadir.locks, JOB, holder):
                if job_settings(studio) is None or not logins:
                    return PassResult(None)
                t0 = time.monotonic()
                started = stamp()
                result = run_sync(
                    studio, logins, run_id=run_id, stop=stop, options=sync_options(studio), mode=kind
                )
                record = _record(kind, run_id, process, started, time.monotonic() - t0, result)
        except RunLockBusy as busy:
            raise Busy(str(busy)) from None
    out = PassResult(record)
    for user in result.users:
        if user.status in ("ok", "warning"):
            out.done.add(user.login)
        elif user.status == "error":
            out.failed.add(user.login)
        elif any("another sync of this user" in w for w in user.warnings):
            out.retry.add(user.login)
        else:
            out.waiting.add(user.login)
    return out


def _record(kind: str, run_id: str, process: str, started: str, took: float, result: Any) -> RunRecord:
    news = [u for u in result.users if u.status in ("error", "warning") or u.changed]
    status = (
        "error"
        if any(u.status == "error" for u in news)
        else "warning"
        if news and any(u.status == "warning" for u in news)
        else "ok"
    )
    checked = sum(1 for u in result.users if u.status != "skipped")
    if news:
        summary = f"{checked} user(s): " + "; ".join(u.one_line() for u in news[:5])
        if len(news) > 5:
            summary += f"; and {len(news) - 5} more"
    else:
        summary = f"{checked} user(s) checked, nothing new" if kind == "pull" else "nothing to send"
    now = stamp()
    return RunRecord(
        id=run_id,
        job=JOB,
        computer=this_computer(),
        pid=os.getpid(),
        process=process,
        trigger="live",
        scheduled_for=None,
        started=started,
        finished=now,
        status=status,
        summary=redact(summary),
        duration_s=round(took, 3),
        users=redact_fields([_plain_user(u) for u in news]),
        kind=kind,
        last_started=started,
        last_finished=now,
    )


def _plain_user(user: Any) -> dict[str, Any]:
    from studiosync.core.jobs.sync_job import plain

    return plain(user.record())


class PassRecorder:
    """Writes pass records; quiet ones merge in memory and reach the store at most every QUIET_FLUSH_S
    seconds (and before any other record, and on stop)."""

    def __init__(self, studio: Studio, clock: Any = time.monotonic) -> None:
        self._history = History(studio.store)
        self._clock = clock
        self._quiet: RunRecord | None = None
        self._flushed = float("-inf")

    def add(self, record: RunRecord) -> None:
        if not record.quiet:
            self.flush()
            self._history.finish_live(record)
            self._flushed = float("-inf")  # the next quiet pass is written at once: the history shows it
            _log(record)
            return
        if self._quiet is not None and self._quiet.kind == record.kind:
            self._quiet.repeats += 1
            self._quiet.last_started = record.started
            self._quiet.last_finished = record.finished
        else:
            self.flush()
            self._quiet = record
        if self._clock() - self._flushed >= QUIET_FLUSH_S:
            self.flush()

    def flush(self) -> None:
        if self._quiet is None:
            return
        quiet, self._quiet = self._quiet, None
        self._history.finish_live(quiet)
        self._flushed = self._clock()


def _log(record: RunRecord) -> None:
    level = {"error": "ERROR", "warning": "WARNING"}.get(record.status, "INFO")
    with log_context(job=JOB, run_id=record.id):
        event(level, f"live {record.kind}: {record.summary}", status=record.status, kind=record.kind)
