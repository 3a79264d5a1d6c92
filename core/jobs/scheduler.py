"""APScheduler wiring, shared by the console (embedded, in its asyncio loop) and `studiosync serve`.

- Job settings live in the store; triggers are rebuilt from them at start and whenever the JOBS file (or the
  studio file, which holds the time zone) changes: every TICK_SECONDS a cheap stat() of both, so an edit made
  in any console or CLI reaches every running process within seconds, without a restart.
- A process schedules only the enabled jobs that name its computer.
- Fire times are deterministic (core.jobs.fire_times), so a console and a daemon on one computer fire for
  the same times; the run lock and the history's "scheduled_for" make exactly one of them run each.
- Missed fire times (the computer slept, the process was down) coalesce into one run as soon as possible.
- Job bodies run in daemon threads (core.jobs.executor), never in the event loop; on shutdown they get the
  stop event and a few seconds to reach a safe point.
- While google-sync is scheduled here with its `live` option on, its live sync thread (core.jobs.live: push
  on save, fast pull) runs alongside, started and stopped with the job's settings.

Must never run a job itself (core.jobs.runner does, with the run lock and the history) nor be imported by a
command that only reads or edits job settings (`jobs list` / `jobs set` use core.jobs.service).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.interval import IntervalTrigger
from studiosync.core import clock
from studiosync.core.errors import StudioSyncError, one_line_error
from studiosync.core.jobs.catalogue import Catalogue, JobSettings, kind, live_on
from studiosync.core.jobs.computers import Heartbeat, ProcessKind, same_computer, this_computer
from studiosync.core.jobs.executor import JobThreadExecutor
from studiosync.core.jobs.fire_times import AnchoredTrigger, base_trigger, pending_fire
from studiosync.core.jobs.history import History, RunRecord
from studiosync.core.jobs.runner import Listener, run_job
from studiosync.core.logs import LOGGER_NAME, event, log_context
from studiosync.core.schedule import parse_schedule
from studiosync.core.store import layout
from studiosync.core.studio.studio import Studio

TICK_SECONDS = 2.0
STOP_TIMEOUT = 8.0  # `serve` must exit within 10 s of SIGTERM
_JOBS_EXECUTOR = "jobs"
_TICK_ID = "_studiosync_tick"
LIVE_JOB = "google-sync"

# APScheduler logs every submission at INFO ("Running job ..."); our runner logs what matters.
logging.getLogger("apscheduler").setLevel(logging.WARNING)


# -- the shared core ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Plan:
    """What a job's APScheduler entry was built from; a change to any of it reschedules the job."""

    schedule: str
    tz: str
    anchor: str


class JobScheduler:
    """Scheduling logic shared by the console and the daemon; `aps` is the APScheduler flavour."""

    def __init__(self, studio: Studio, aps: BaseScheduler, process: ProcessKind) -> None:
        self.studio = studio
        self.process = process
        self.stop_event = threading.Event()
        self._aps = aps
        self._catalogue = Catalogue(studio.store)
        self._history = History(studio.store)
        self._heartbeat = Heartbeat(studio.store, process)
        self._executor = JobThreadExecutor()
        self._plans: dict[str, Plan] = {}
        self._signature: tuple[Any, ...] | None = None
        self._refresh_lock = threading.Lock()
        self._listeners: list[Listener] = []
        self._last_tick_error: str | None = None
        self.live: Any = None  # google-sync's live sync (core.jobs.live.LiveSync), while it runs here

    # lifecycle (the flavours call these in order) ----------------------------------------------------
    def install(self) -> None:
        self._aps.add_executor(self._executor, _JOBS_EXECUTOR)

    def prepare(self) -> None:
        """Blocking store work before the scheduler starts: defaults, first heartbeat, first plans."""
        self._catalogue.ensure()
        self._heartbeat.beat(time.monotonic())
        self.refresh(force=True)

    def add_tick(self) -> None:
        self._aps.add_job(
            self.tick,
            IntervalTrigger(seconds=TICK_SECONDS),
            id=_TICK_ID,
            name="studiosync: heartbeat and job settings check",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )

    def finish(self, timeout: float) -> bool:
        """After the scheduler stopped firing: give running jobs `timeout` s, then leave. True if clean."""
        self.stop_event.set()
        started = time.monotonic()
        self._set_live(False, timeout / 3)  # live passes stop at their next safe point, like job bodies
        clean = self._executor.join(max(0.0, timeout - (time.monotonic() - started)))
        if not clean:
            event(
                "WARNING", f"jobs still running after {timeout:.0f} s; leaving them to be marked interrupted"
            )
        with suppress(StudioSyncError, OSError):
            self._heartbeat.stop()
        return clean

    # observers ---------------------------------------------------------------------------------------
    def add_listener(self, listener: Listener) -> None:
        """Called (from a job thread) when a run starts, ends or is skipped."""
        self._listeners.append(listener)

    def _notify(self, record: RunRecord) -> None:
        for listener in list(self._listeners):
            with suppress(Exception):
                listener(record)

    @property
    def running_jobs(self) -> bool:
        return self._executor.busy

    def scheduled(self) -> dict[str, datetime | None]:
        """Job name -> next fire time, for the jobs this process will run."""
        found: dict[str, datetime | None] = {}
        for job in self._aps.get_jobs():
            if job.id != _TICK_ID:
                found[job.id] = getattr(job, "next_run_time", None)
        return found

    # the periodic tick -------------------------------------------------------------------------------
    def tick(self) -> None:
        if self.stop_event.is_set():
            return
        try:
            now = time.monotonic()
            if self._heartbeat.due(now):
                self._heartbeat.beat(now)
            self.refresh()
            self._last_tick_error = None
        except StudioSyncError as exc:
            # Log a persistent problem (a corrupt file, a full disk) once, not every 2 seconds.
            if str(exc) != self._last_tick_error:
                event("ERROR", f"scheduler cannot read the job settings: {exc}", fix=exc.fix)
                self._last_tick_error = str(exc)

    def _signature_now(self) -> tuple[Any, ...]:
        # Stat signature plus the store's generation counter: a rewrite within one mtime tick is seen too.
        return tuple(self.studio.store.file(name).disk_version() for name in (layout.JOBS, layout.STUDIO))

    def refresh(self, force: bool = False) -> None:
        """Bring APScheduler's jobs in line with the stored settings (only what changed)."""
        with self._refresh_lock:
            signature = self._signature_now()
            if not force and signature == self._signature:
                return
            # Taken before reading: a change landing while we read shows as a new signature next tick.
            self._signature = signature
            try:
                self._apply()
            except BaseException:
                self._signature = None  # try again next tick rather than keep a half-applied view
                raise

    def _apply(self) -> None:
        tz = self.studio.prefs.timezone
        here = this_computer()
        wanted: dict[str, tuple[Plan, JobSettings]] = {}
        for settings in self._catalogue.all():
            if settings.enabled and same_computer(settings.computer, here):
                wanted[settings.name] = (Plan(settings.schedule, tz, settings.anchor), settings)
        for name in list(self._plans):
            if name not in wanted or wanted[name][0] != self._plans[name]:
                with suppress(JobLookupError):
                    self._aps.remove_job(name)
                del self._plans[name]
                if name not in wanted:
                    with log_context(job=name):
                        event("INFO", f"{_title(name)} is no longer scheduled on {here}")
        for name, (plan, settings) in wanted.items():
            if name not in self._plans:
                self._add(settings, plan)
        sync = wanted.get(LIVE_JOB)
        self._set_live(sync is not None and live_on(sync[1]) and not self.stop_event.is_set())

    def _set_live(self, on: bool, timeout: float = 5.0) -> None:
        """Start or stop google-sync's live sync thread in this process."""
        if on and self.live is None:
            from studiosync.core.jobs.live import LiveSync  # loads the sync: only where it runs

            self.live = LiveSync(self.studio, process=self.process, listener=self._notify)
            self.live.start()
            with log_context(job=LIVE_JOB):
                event("INFO", f"live sync started on {this_computer()}")
        elif not on and self.live is not None:
            live, self.live = self.live, None
            live.stop(timeout)
            with log_context(job=LIVE_JOB):
                event("INFO", f"live sync stopped on {this_computer()}")

    def _add(self, settings: JobSettings, plan: Plan) -> None:
        try:
            schedule = parse_schedule(plan.schedule)
        except StudioSyncError as exc:  # only a hand-edited file can hold a bad schedule
            event("ERROR", f"job {settings.name} has an invalid schedule {plan.schedule!r}: {exc}")
            return
        anchor = _parse_time(plan.anchor)
        last = self._history.last(settings.name)
        now = clock.now()
        pending = pending_fire(schedule, plan.tz, anchor, _parse_time(last.started) if last else None, now)
        trigger = AnchoredTrigger(base_trigger(schedule, plan.tz, anchor), pending)
        self._aps.add_job(
            self._fire,
            trigger,
            args=[settings.name],
            id=settings.name,
            name=_title(settings.name),
            executor=_JOBS_EXECUTOR,
            coalesce=True,
            misfire_grace_time=None,  # late is better than never; coalescing keeps it to one run
            max_instances=2,  # a second instance reaches our run lock and is recorded as skipped
            replace_existing=True,
        )
        self._plans[settings.name] = plan
        first = pending or trigger.get_next_fire_time(None, now)
        with log_context(job=settings.name):
            event(
                "INFO",
                f"{_title(settings.name)} scheduled on {this_computer()}: {schedule.describe()}",
                next_run=first.isoformat() if first else None,
                catch_up=pending is not None,
            )

    def _fire(self, name: str, scheduled_for: datetime | None = None) -> None:
        if self.stop_event.is_set():
            return
        try:
            run_job(
                self.studio,
                name,
                trigger="schedule",
                scheduled_for=scheduled_for,
                stop=self.stop_event,
                process=self.process,
                listener=self._notify,
            )
        except Exception as exc:  # noqa: BLE001 - e.g. the store is unwritable; keep scheduling
            logging.getLogger(LOGGER_NAME).error(
                f"job {name} could not run: {one_line_error(exc)}",
                exc_info=exc,
                extra={"fields": {"job_name": name}},
            )


def _title(name: str) -> str:
    try:
        return kind(name).title
    except StudioSyncError:  # a plugin kind that is gone
        return name


def _parse_time(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _job_defaults() -> dict[str, Any]:
    return {"coalesce": True, "misfire_grace_time": None, "max_instances": 2}


# -- the two flavours ---------------------------------------------------------------------------------
class EmbeddedScheduler:
    """The scheduler inside the console's asyncio loop (Textual). Job bodies run in threads.

    scheduler = EmbeddedScheduler(studio)
    await scheduler.start()       # in on_mount
    ...
    await scheduler.shutdown()    # in on_unmount / before exit
    """

    def __init__(self, studio: Studio, *, process: ProcessKind = "console") -> None:
        self._aps = AsyncIOScheduler(timezone=UTC, job_defaults=_job_defaults())
        self.core = JobScheduler(studio, self._aps, process)

    @property
    def stop_event(self) -> threading.Event:
        return self.core.stop_event

    def add_listener(self, listener: Callable[[RunRecord], None]) -> None:
        self.core.add_listener(listener)

    async def start(self) -> None:
        self.core.install()
        await asyncio.to_thread(self.core.prepare)  # store I/O: never in the loop
        self._aps.start()
        self.core.add_tick()

    async def shutdown(self, timeout: float = STOP_TIMEOUT) -> bool:
        self.core.stop_event.set()
        if self._aps.running:
            self._aps.shutdown(wait=False)
        return await asyncio.to_thread(self.core.finish, timeout)


class HeadlessScheduler:
    """The same scheduler for `studiosync serve`: APScheduler's background thread; the caller waits."""

    def __init__(self, studio: Studio, *, process: ProcessKind = "daemon") -> None:
        self._aps = BackgroundScheduler(timezone=UTC, job_defaults=_job_defaults(), daemon=True)
        self.core = JobScheduler(studio, self._aps, process)

    @property
    def stop_event(self) -> threading.Event:
        return self.core.stop_event

    def start(self) -> None:
        self.core.install()
        self.core.prepare()
        self._aps.start()
        self.core.add_tick()

    def shutdown(self, timeout: float = STOP_TIMEOUT) -> bool:
        self.core.stop_event.set()
        if self._aps.running:
            self._aps.shutdown(wait=False)
        return self.core.finish(timeout)
