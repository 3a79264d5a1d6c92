"""The Control Center as a service: what the CLI (`studiosync jobs ...`) and the console call.

The console never touches the store directly; everything it shows about jobs, runs and computers comes
from here, as plain dataclasses with `to_doc()` for JSON.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from studiosync.core.errors import InputError
from studiosync.core.jobs.catalogue import Catalogue, JobKind, JobSettings, kind, kinds
from studiosync.core.jobs.computers import Computer, Computers, same_computer, this_computer
from studiosync.core.jobs.fire_times import next_fire, pending_fire
from studiosync.core.jobs.history import History, RunRecord
from studiosync.core.jobs.runner import Listener, run_job
from studiosync.core.schedule import Schedule, parse_schedule
from studiosync.core.studio.studio import Studio
from studiosync.core.studio.timeparse import now_utc, zone

_MICRO = timedelta(microseconds=1)


@dataclass
class JobView:
    """One job as the Control Center shows it (the console and `studiosync jobs`): its settings, its schedule
    in words, its computer's state, the next and last runs."""

    name: str
    title: str
    description: str
    enabled: bool
    schedule: str  # canonical: "15m", "0 9 * * 1"
    schedule_text: str  # in words: "every 15 minutes", "at 09:00 on Monday"
    computer: str
    computer_alive: bool  # a console or daemon on that computer was seen within ALIVE_SECONDS
    computer_known: bool  # seen at least once
    runs_here: bool  # the job's computer is this one
    next_run: str | None  # ISO, studio time zone; None when disabled
    last_run: str | None  # start of the newest run that ran (not skipped)
    last_finished: str | None
    last_status: str | None  # running | ok | warning | error (None: never ran)
    last_summary: str | None
    options: dict[str, int] = field(default_factory=dict)
    # google-sync's live sync (core.jobs.live): seconds between fast pulls, and whether it is on;
    # None for the other jobs.
    pull_every: int | None = None
    live: bool | None = None

    def to_doc(self) -> dict[str, Any]:
        return asdict(self)


class Jobs:
    def __init__(self, studio: Studio) -> None:
        self.studio = studio
        self._catalogue = Catalogue(studio.store)
        self._history = History(studio.store)
        self._computers = Computers(studio.store)

    # -- reading ---------------------------------------------------------------------------------------
    def list(self) -> list[JobView]:
        computers = self._computers.list()
        tz = self.studio.prefs.timezone
        return [self._view(s, computers, tz) for s in self._catalogue.all()]

    def get(self, name: str) -> JobView:
        settings = self._catalogue.get(name)
        return self._view(settings, self._computers.list(), self.studio.prefs.timezone)

    def kinds(self) -> list[JobKind]:
        return kinds()

    def history(self, name: str | None = None, limit: int | None = 50) -> list[RunRecord]:
        if name is not None:
            kind(name)
        return self._history.list(name, limit)

    def computers(self) -> list[Computer]:
        """Known computers (this one first is not guaranteed: sorted by name), each with `alive`."""
        return self._computers.list()

    def this_computer(self) -> str:
        return this_computer()

    def next_runs(self, name: str, n: int = 3) -> list[datetime]:
        """The next `n` fire times of the job as set now (studio zone), whether or not it is enabled."""
        settings = self._catalogue.get(name)
        return self._next_runs(settings, n, self.studio.prefs.timezone)

    @staticmethod
    def describe_schedule(text: str) -> str:
        """Validate a schedule as typed (for the job editor) and say it in words; InputError if invalid."""
        return parse_schedule(text).describe()

    def preview(self, text: str, n: int = 3) -> list[datetime]:
        """Next fire times of a schedule being typed (interval counted from now, as saving it would)."""
        schedule = parse_schedule(text)
        tz = self.studio.prefs.timezone
        now = now_utc()
        return _upcoming(schedule, tz, now, now, n)

    # -- changing --------------------------------------------------------------------------------------
    def update(
        self,
        name: str,
        *,
        enabled: bool | None = None,
        schedule: str | None = None,
        computer: str | None = None,
        options: dict[str, Any] | None = None,
    ) -> tuple[JobView, list[str]]:
        """Change a job; every running scheduler picks it up within seconds. Returns (job, warnings):
        warnings say what will keep it from running (computer unknown or off, no user set up)."""
        if enabled is None and schedule is None and computer is None and not options:
            raise InputError("nothing to change: give enabled, schedule, computer or options")
        _, after = self._catalogue.update(
            name, enabled=enabled, schedule=schedule, computer=computer, options=options
        )
        view = self.get(name)
        return view, self._warnings(after, view, computer_given=computer is not None)

    def _warnings(self, settings: JobSettings, view: JobView, *, computer_given: bool) -> list[str]:
        warnings: list[str] = []
        found = self._computers.find(settings.computer)
        if found is None and (computer_given or settings.enabled):
            if not same_computer(settings.computer, this_computer()):
                warnings.append(
                    f"computer {settings.computer!r} has not been seen yet: {view.title} will run there once "
                    "studiosync (the console or `studiosync serve`) runs on it"
                )
        elif found is not None and not found.alive and settings.enabled:
            warnings.append(
                f"computer {settings.computer!r} was last seen {found.last_seen}: it must be on, online and running "
                "studiosync (the console or `studiosync serve`) for the job to run"
            )
        if (
            settings.name == "google-sync"
            and settings.enabled
            and not any(p.enabled for p in self.studio.users.all_google_prefs())
        ):
            warnings.append("no user has Google sync enabled yet: the processor will have nothing to do")
        return warnings

    # -- running ---------------------------------------------------------------------------------------
    def run(
        self,
        name: str,
        *,
        stop: threading.Event | None = None,
        listener: Listener | None = None,
        process: str = "cli",
    ) -> RunRecord:
        """Run the job once now on this computer, blocking (call it from a worker thread in the console).
        The record's status is "skipped" when the job was already running."""
        record = run_job(self.studio, name, trigger="manual", stop=stop, process=process, listener=listener)
        assert record is not None  # manual runs always run or record a skip
        return record

    def run_now(
        self, name: str, *, stop: threading.Event | None = None, listener: Listener | None = None
    ) -> Future[RunRecord]:
        """Start the job in a background (daemon) thread; the future gives its RunRecord."""
        kind(name)  # an unknown name fails here, in the caller, not in the thread
        future: Future[RunRecord] = Future()

        def work() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                future.set_result(self.run(name, stop=stop, listener=listener, process="console"))
            except BaseException as exc:  # noqa: BLE001 - handed to the caller through the future
                future.set_exception(exc)

        threading.Thread(target=work, name=f"studiosync-run-{name}", daemon=True).start()
        return future

    # -- helpers ---------------------------------------------------------------------------------------
    def _view(self, settings: JobSettings, computers: list[Computer], tz: str) -> JobView:
        k = kind(settings.name)
        schedule = parse_schedule(settings.schedule)
        found = next((c for c in computers if same_computer(c.host, settings.computer)), None)
        last = self._history.last(settings.name)
        upcoming = self._next_runs(settings, 1, tz, last) if settings.enabled else []
        return JobView(
            name=settings.name,
            title=k.title,
            description=k.description,
            enabled=settings.enabled,
            schedule=settings.schedule,
            schedule_text=schedule.describe(),
            computer=settings.computer,
            computer_alive=bool(found and found.alive),
            computer_known=found is not None,
            runs_here=same_computer(settings.computer, this_computer()),
            next_run=upcoming[0].isoformat() if upcoming else None,
            last_run=last.started if last else None,
            last_finished=last.finished if last else None,
            last_status=last.status if last else None,
            last_summary=last.summary if last else None,
            options=dict(settings.options),
            pull_every=settings.options.get("pull_every"),
            live=bool(settings.options["live"]) if "live" in settings.options else None,
        )

    def _next_runs(
        self, settings: JobSettings, n: int, tz: str, last: RunRecord | None | bool = False
    ) -> list[datetime]:
        schedule = parse_schedule(settings.schedule)
        anchor = _parse(settings.anchor)
        now = now_utc()
        if last is False:
            last = self._history.last(settings.name)
        last_start = _parse(last.started) if isinstance(last, RunRecord) else None
        # A run owed now (just enabled, or missed while the computer was off) comes first, as the
        # scheduler on that computer will do it as soon as it looks.
        owed = pending_fire(schedule, tz, anchor, last_start, now) if settings.enabled else None
        runs = [owed.astimezone(zone(tz))] if owed else []
        runs += _upcoming(schedule, tz, anchor, now, n - len(runs))
        return runs[:n]


def _upcoming(schedule: Schedule, tz: str, anchor: datetime, after: datetime, n: int) -> list[datetime]:
    found: list[datetime] = []
    cursor = after
    while len(found) < n:
        nxt = next_fire(schedule, tz, anchor, cursor)  # at or after the cursor
        if nxt is None:
            break
        found.append(nxt.astimezone(zone(tz)))
        cursor = nxt + _MICRO
    return found


def _parse(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
