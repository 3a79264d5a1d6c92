"""Control Center (Utilities > Control Center): the jobs, where and when they run, and how they went.

The table refreshes itself every few seconds with a chained timer (never two refreshes at once), and not
while a dialog is open.
"""

from __future__ import annotations

import threading
from typing import Any

from studiosync.tui.clock import ago, local
from studiosync.tui.safe_text import Text
from studiosync.tui.screens.job_edit import JobEditScreen, disable_confirmation
from studiosync.tui.screens.run_history import RunHistoryScreen
from studiosync.tui.screens.view import View
from studiosync.tui.widgets.table import Column, FitTable
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Static

STATUS_STYLE = {"ok": "green", "warning": "yellow", "error": "bold red", "running": "cyan", "skipped": "dim"}


class ControlCenterView(View):
    SECTION = "control"
    TITLE = "Control Center"
    HELP = """\
## Control Center (Utilities > Control Center)

The **Google Sync Processor** job syncs every user who has Enable Google Sync checked. Check that:

* the job is **enabled** (space toggles it; disabling asks first),
* its **schedule** is right (`e` edits it; "15m", "every 5 minutes" or cron such as `*/10 8-18 * * 1-5`),
* the **computer** chosen to run it is correct, and is *alive*: that computer must be on, have an Internet
  connection and run studiosync (this console or `studiosync serve`).

`n` runs the highlighted job now, `h` shows its run history with per-user results.
"""
    BINDINGS = [
        Binding("e", "edit", "Edit", id="jobs.edit"),
        Binding("n", "run_now", "Run now", id="jobs.run_now"),
        Binding("h", "history", "History", id="jobs.history"),
        Binding("space", "toggle", "On/off", id="jobs.toggle"),
        Binding("r", "reload", "Reload", id="jobs.reload", show=False),
    ]
    DEFAULT_CSS = """
    ControlCenterView #jobs-table { height: auto; max-height: 12; }
    ControlCenterView #jobs-detail { height: auto; margin-top: 1; }
    """

    class Loaded(Message):
        def __init__(self, jobs: list[Any], this_computer: str) -> None:
            super().__init__()
            self.jobs, self.this_computer = jobs, this_computer

    class Ran(Message):
        def __init__(self, record: Any) -> None:
            super().__init__()
            self.record = record

    class Updated(Message):
        def __init__(self, text: str, warnings: list[str]) -> None:
            super().__init__()
            self.text, self.warnings = text, warnings

    jobs: list[Any] = []
    this_computer = ""
    _stop_runs: threading.Event
    REFRESH_SECONDS = 5.0

    def compose(self) -> ComposeResult:
        # Two lines a job. The seed's three checks (enabled, schedule, computer alive) come first; when
        # the terminal is narrow the schedule and next run go first (the detail panel repeats them).
        yield FitTable(
            [
                Column("job", "Job", 1, min_width=14),
                Column("on", "On", 2, min_width=3),
                Column("computer", "Computer", 3, min_width=12, flex=True),
                Column("last", "Last run", 4, min_width=9),
                Column("next", "Next run", 5, min_width=10),
                Column("schedule", "Schedule / as typed", 6, min_width=12),
            ],
            row_height=2,
            id="jobs-table",
        )
        yield Static(Text(""), id="jobs-detail")

    def focus_first(self) -> None:
        self.call_after_refresh(self.query_one("#jobs-table", DataTable).focus)

    def on_mount(self) -> None:
        self._stop_runs = threading.Event()

    def on_unmount(self) -> None:
        self._stop_runs.set()  # quitting: a job run now stops at its next safe point

    def reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="jobs-load")
    def _load(self) -> None:
        jobs = self.backend.jobs()
        try:
            self.post_message(self.Loaded(jobs.list(), jobs.this_computer()))
        finally:
            self.app.call_from_thread(self._schedule_refresh)

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        self.jobs, self.this_computer = event.jobs, event.this_computer
        tz, now = self.backend.tz(), self.backend.now()
        rows = []
        for job in event.jobs:
            alive = Text("● ", style="green") if job.computer_alive else Text("○ ", style="red")
            status = job.last_status or ""
            where = "this computer" if job.runs_here else ("alive" if job.computer_alive else "not running")
            cells = {
                "job": Text.assemble(job.title, "\n", (job.name, "dim")),
                "on": Text("yes", style="green") if job.enabled else Text("no", style="red"),
                "next": Text("\n".join(local(job.next_run, tz).rsplit(" ", 1)) if job.next_run else "—"),
                "last": Text.assemble(
                    (status or "never", STATUS_STYLE.get(status, "dim")), "\n", ago(job.last_run, now, never="")
                ),
                "schedule": Text.assemble(job.schedule_text, "\n", (job.schedule, "dim")),
                "computer": Text.assemble(alive, job.computer, "\n", (where, "dim")),
            }
            rows.append((job.name, cells))
        self.query_one("#jobs-table", FitTable).show_rows(rows)
        self._paint_detail()
        self.loaded()

    @on(DataTable.RowHighlighted, "#jobs-table")
    def _paint_detail(self) -> None:
        job = self.selected()
        if job is None:
            return
        tz, now = self.backend.tz(), self.backend.now()
        text = Text.assemble((job.title, "bold"), " — ", job.description, "\n")
        text.append("Schedule: ", style="bold")
        text.append(f"{job.schedule_text} (typed: {job.schedule})")
        text.append("   Next: ", style="bold")
        text.append(local(job.next_run, tz) if job.next_run else "— (disabled)")
        text.append("\nComputer: ", style="bold")
        text.append(f"{job.computer}{' (this one)' if job.runs_here else ''} ")
        text.append(
            "● running studiosync" if job.computer_alive else "○ not running",
            style="green" if job.computer_alive else "red",
        )
        if not job.computer_alive:
            text.append(
                f"\n{job.computer} is not running studiosync right now: it must be on, online and running the console "
                "or `studiosync serve` for this job to run.",
                style="yellow",
            )
        # One "Last run:" line: the status and when, then what it did.
        text.append("\nLast run: ", style="bold")
        status = job.last_status or "never"
        text.append(status, style=STATUS_STYLE.get(status, "dim"))
        when = ago(job.last_run, now, never="")
        if when:
            text.append(f" {when}")
        if job.last_summary:
            text.append(f" — {job.last_summary}")
        self.query_one("#jobs-detail", Static).update(text)

    def selected(self) -> Any | None:
        key = self.query_one("#jobs-table", FitTable).cursor_key()
        return next((j for j in self.jobs if j.name == key), None)

    # -- actions -------------------------------------------------------------------------------------
    def action_reload(self) -> None:
        self._load()

    @on(DataTable.RowSelected, "#jobs-table")
    def action_edit(self) -> None:
        job = self.selected()
        if job is None:
            return

        def done(result: tuple[str, list[str]] | None) -> None:
            if result:
                self.post_message(self.Updated(*result))

        self.app.push_screen(JobEditScreen(job, self.this_computer), done)

    def action_toggle(self) -> None:
        job = self.selected()
        if job is None:
            return
        if not job.enabled:
            self._update(job.name, True)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._update(job.name, False)

        self.app.push_screen(disable_confirmation(job), answered)

    @work(thread=True, exclusive=True, exit_on_error=False, group="jobs-update")
    def _update(self, name: str, enabled: bool) -> None:
        view, warnings = self.backend.jobs().update(name, enabled=enabled)
        self.post_message(self.Updated(f"{view.title} {'enabled' if enabled else 'disabled'}.", warnings))

    @on(Updated)
    def _updated(self, event: Updated) -> None:
        self.app.notify(event.text)
        for warning in event.warnings:
            self.app.notify(warning, severity="warning", timeout=10)
        self._load()

    def action_run_now(self) -> None:
        job = self.selected()
        if job is None:
            return
        self.app.notify(f"{job.title}: running now…")
        self._run(job.name)

    @work(thread=True, exclusive=False, exit_on_error=False, group="jobs-run")
    def _run(self, name: str) -> None:
        jobs = self.backend.jobs()
        record = jobs.run(name, process="console", stop=self._stop_runs)
        self.post_message(self.Ran(record))

    @on(Ran)
    def _ran(self, event: Ran) -> None:
        record = event.record
        severity = {"ok": "information", "warning": "warning", "skipped": "warning"}.get(
            record.status, "error"
        )
        self.app.notify(f"{record.job}: {record.status} — {record.summary}", severity=severity, timeout=8)  # type: ignore[arg-type]
        self._load()

    def action_history(self) -> None:
        job = self.selected()
        if job is not None:
            self.app.push_screen(RunHistoryScreen(job.name, job.title))
