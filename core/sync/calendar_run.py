"""CalendarRun: what one user's calendar run knows, shared by the listing, pairing, planning and push steps.

Who and which calendar, the switches of the Google tab (two-way, the Populate boxes), the clock and the
recurring-event window, the handles the steps talk through (store, Google service, run log) and the run's
tallies. Built once per run by `CalendarSync` (which fills in the defaults: SyncOptions(), the clock's now). This module holds data and small read-only helpers; it must
never call Google, read or write the store, or decide anything about an appointment.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from studiosync.core.model.users import GooglePrefs
from studiosync.core.sync import mapping
from studiosync.core.sync.options import SyncOptions
from studiosync.core.sync.runlog import RunLog
from studiosync.core.sync.state import SyncState


@dataclass
class CalendarRun:
    """What one user's calendar run knows, shared by its steps: the Google tab's switches (read once, at the
    start), the clock and window, the handles and the run's tallies."""

    studio: Any
    prefs: GooglePrefs
    service: Any
    state: SyncState
    log: RunLog
    tz_name: str
    options: SyncOptions
    stop: threading.Event | None
    now: datetime
    release: str | None = None  # a person released this user's held deletions: "allow" | "restore"
    # Read once at the start: the run goes by the switches it started with (a Populate box that unchecks
    # itself midway changes nothing for the rest of the run).
    events: Any = field(init=False)  # the events() Resource: building one costs ~4 ms, so once per run
    login: str = field(init=False)
    calendar_id: str = field(init=False)
    tz: ZoneInfo = field(init=False)
    enabled_at: datetime | None = field(init=False)
    two_way: bool = field(init=False)
    populate_studio: bool = field(init=False)  # only with two-way (it waits for it, the box stays checked)
    populate_google: bool = field(init=False)
    window_start: datetime = field(init=False)  # recurring events: [start of today, now + horizon]
    window_end: datetime = field(init=False)
    # tallies of this run
    push_failures: int = field(default=0, init=False)  # studio changes that could not be sent
    push_problem: Any = field(default=None, init=False)  # the first one's GoogleProblem
    pull_failures: int = field(default=0, init=False)  # Google changes that could not be applied
    restored: int = field(default=0, init=False)  # our events the studio had no record of, brought back
    unknown_left: int = field(default=0, init=False)  # ... and left alone on Google (one-way)

    def __post_init__(self) -> None:
        prefs = self.prefs
        self.events = self.service.events()
        self.login = prefs.login
        self.calendar_id = prefs.calendar_id or ""
        self.tz = ZoneInfo(self.tz_name)
        self.enabled_at = mapping.parse_stamp(prefs.enabled_at)
        self.two_way = prefs.two_way
        self.populate_studio = prefs.populate_studio and prefs.two_way
        self.populate_google = prefs.populate_google
        today = self.now.astimezone(self.tz).date()
        self.window_start = datetime.combine(today, time(0), self.tz).astimezone(UTC)
        self.window_end = self.now + timedelta(days=self.options.horizon_days)

    def stopping(self) -> bool:
        return self.stop is not None and self.stop.is_set()

    # -- the recurring-event window ------------------------------------------------------------------
    def before_window(self, text: str) -> bool:
        if len(text) == 10:
            return date.fromisoformat(text) < self.window_start.astimezone(self.tz).date()
        moment = mapping.parse_stamp(text)
        return moment is not None and moment < self.window_start

    def in_window(self, value: Any) -> bool:
        if isinstance(value, datetime):
            return self.window_start <= value <= self.window_end
        start = self.window_start.astimezone(self.tz).date()
        return start <= value <= self.window_end.astimezone(self.tz).date()
