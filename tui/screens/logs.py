"""Logs: the live tail of the structured log, filtered by level/user/job, searchable, pausable.

A reader thread (worker) follows the file by name -- surviving rotation and truncation (core.logs) -- and
hands records to the UI in batches at most ten times a second, so a burst of lines costs a few redraws,
not thousands.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from studiosync.tui.safe_text import Text, plain_choices
from studiosync.tui.screens.view import View
from studiosync.tui.widgets.field import Field
from studiosync.tui.widgets.log_detail import LogDetail, describe_record
from studiosync.tui.widgets.log_pane import LEVELS, LogPane
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Select, Static

BATCH_SECONDS = 0.1


class LogsView(View):
    SECTION = "logs"
    TITLE = "Logs"
    ADMIN_ONLY = False
    HELP = """\
## Logs

The live log of every studiosync process (this console, `studiosync serve`, CLI commands), newest at the
bottom; lines of one job run are grouped under a header, like the Control Center logs. Filter by level,
user and job; `/` searches (case-insensitive). `p` pauses and resumes; while paused, or scrolled up, new
lines are counted as "+N new lines" instead of moving the view; `End` jumps back and follows again.

**Select a line** to read it in full: Up/Down (PageUp/PageDown, Home) move the cursor, or click a line.
The panel under the log shows the whole message, its time, level, user, job, run and every field, and for
a failure its cause and the fix (Tab moves into the panel to scroll a long one). While a line is
selected the view stays put, like when scrolled up: `Escape` clears the selection, `End` clears it and
follows the newest lines again.

Admins see every line; others see only their own.
"""
    BINDINGS = [
        # First: while a line is selected it belongs in the footer next to the pane's ↑↓ and End.
        Binding("escape", "unselect", "Unselect", key_display="Esc", id="logs.unselect"),
        # The footer holds only the main keys at 80 columns; the rest are in F1 help and the palette.
        Binding("p", "pause", "Pause", id="logs.pause"),
        Binding("slash", "search", "Search", id="logs.search"),
        # The pane has its own End (listed in F1 help); G follows from anywhere.
        Binding("end,G", "follow", "Follow", id="logs.follow", show=False),
        Binding("c", "clear_filters", "Clear filters", id="logs.clear", show=False),
    ]
    DEFAULT_CSS = """
    LogsView #log-bar { height: auto; }
    LogsView #log-bar Select { width: 1fr; max-width: 22; }
    LogsView #log-search { width: 1fr; }
    LogsView #log-status { height: 1; }
    """

    class Batch(Message):
        def __init__(self, records: list[Any]) -> None:
            super().__init__()
            self.records = records

    _stop: threading.Event | None = None
    _users_known: set[str] = set()
    _jobs_known: set[str] = set()

    def compose(self) -> ComposeResult:
        with Horizontal(id="log-bar"):
            yield Select(
                [(name, name) for name in ("INFO", "WARNING", "ERROR")] + [("DEBUG", "DEBUG")],
                prompt="level",
                id="log-level",
                value="INFO",  # DEBUG records (tracebacks for developers) only when asked for
            )
            yield Select([], prompt="user", id="log-user")
            yield Select([], prompt="job", id="log-job")
            yield Field(placeholder="search", id="log-search")
        yield LogPane(id="log-pane")
        yield LogDetail(id="log-detail")
        yield Static(Text(""), id="log-status")

    def on_mount(self) -> None:
        if not self.backend.is_admin:
            self.query_one("#log-user").display = False

    def on_unmount(self) -> None:
        self.stop_reader()

    def focus_first(self) -> None:
        self.call_after_refresh(self.query_one(LogPane).focus)

    def stop_reader(self) -> None:
        if self._stop is not None:
            self._stop.set()

    def reload(self) -> None:
        self.loaded()  # its actions need no data: the pane fills as the reader brings lines
        if self._stop is None:  # start the reader once; it runs while the console runs
            self._stop = threading.Event()
            # A plain daemon thread, not a Worker: it never finishes, and workers are what tests (and
            # app.workers.wait_for_complete) wait for.
            threading.Thread(target=self._read, args=(self._stop,), name="log-reader", daemon=True).start()
        self._apply_filters()

    def _read(self, stop: threading.Event) -> None:
        try:
            self.post_message(self.Batch(self.backend.recent_logs()))
            batch: list[Any] = []
            last = time.monotonic()
            for rec in self.backend.follow_logs(stop, poll=BATCH_SECONDS):
                if rec is not None:
                    batch.append(rec)
                now = time.monotonic()
                if batch and (rec is None or now - last >= BATCH_SECONDS):
                    self.post_message(self.Batch(batch))
                    batch, last = [], now
        except Exception as exc:  # noqa: BLE001 - shown as one line like any worker failure
            if not stop.is_set():
                self.post_message(self.ReaderFailed(exc))

    class ReaderFailed(Message):
        def __init__(self, error: BaseException) -> None:
            super().__init__()
            self.error = error

    @on(ReaderFailed)
    def _reader_failed(self, event: ReaderFailed) -> None:
        self.console.report_error(event.error, where="log reader")

    @on(LogPane.FollowChanged)
    def _follow_changed(self) -> None:
        self._paint_status()

    @on(LogPane.Selected)
    def _selected(self, event: LogPane.Selected) -> None:
        rec = event.record
        detail = self.query_one(LogDetail)
        if rec is None:
            detail.show(None)
        else:
            pane = self.query_one(LogPane)
            detail.show(describe_record(rec, pane.tz, self.backend.explain_log_record(rec)))
        self._paint_status()

    @on(Batch)
    def _batch(self, event: Batch) -> None:
        pane = self.query_one(LogPane)
        pane.add(event.records)
        self._learn_choices(event.records)
        self._paint_status()

    def _learn_choices(self, records: list[Any]) -> None:
        users = {r.user for r in records if r.user} - self._users_known
        jobs = {r.job for r in records if r.job} - self._jobs_known
        if users:
            self._users_known = self._users_known | users
            self._set_options("#log-user", sorted(self._users_known))
        if jobs:
            self._jobs_known = self._jobs_known | jobs
            self._set_options("#log-job", sorted(self._jobs_known))

    def _set_options(self, selector: str, values: list[str]) -> None:
        select = self.query_one(selector, Select)
        current = select.value
        with select.prevent(Select.Changed):
            select.set_options(plain_choices((v, v) for v in values))
            if current is not Select.NULL and current in values:
                select.value = current

    def _paint_status(self) -> None:
        pane = self.query_one(LogPane)
        if pane.paused:
            state = Text.assemble(("PAUSED", "bold yellow"), f"  +{pane.unseen} new lines  (p resumes)")
        elif pane.selected is not None:
            # The footer names Esc and End; the status only says why the view stands still.
            state = Text("line selected", style="cyan")
            if pane.unseen:
                state.append(f"  +{pane.unseen} new lines  (End follows)")
        elif pane.unseen:
            state = Text.assemble(("scrolled up", "yellow"), f"  +{pane.unseen} new lines  (End follows)")
        else:
            state = Text("following", style="green")
        state.append(f"   {len(pane.records)} lines in memory", style="dim")
        self.query_one("#log-status", Static).update(state)

    # -- filters -------------------------------------------------------------------------------------
    @on(Select.Changed)
    @on(Field.Changed, "#log-search")
    def _apply_filters(self) -> None:
        level = self.query_one("#log-level", Select).value
        user = self.query_one("#log-user", Select).value
        job = self.query_one("#log-job", Select).value
        threshold = LEVELS.get(str(level), 0) if level is not Select.NULL else 0

        def accepts(rec: Any) -> bool:
            if threshold and LEVELS.get(rec.level, 20) < threshold:
                return False
            if user is not Select.NULL and rec.user != user:
                return False
            return job is Select.NULL or rec.job == job

        pane = self.query_one(LogPane)
        pane.set_view(accepts, self.query_one("#log-search", Field).value.strip(), self.backend.tz())
        self._paint_status()

    @on(Field.Submitted, "#log-search")
    def _search_done(self) -> None:
        self.query_one(LogPane).focus()

    # -- actions -------------------------------------------------------------------------------------
    def action_pause(self) -> None:
        pane = self.query_one(LogPane)
        if pane.paused:
            pane.resume()
        else:
            pane.paused = True
        self._paint_status()

    def action_follow(self) -> None:
        self.query_one(LogPane).action_follow()
        self._paint_status()

    def action_unselect(self) -> None:
        self.query_one(LogPane).unselect()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "unselect":
            # Only while a line is selected: hidden from the footer otherwise, and Escape passes on.
            panes = self.query(LogPane)
            return bool(panes) and panes.first().selected is not None
        return True

    def action_search(self) -> None:
        self.query_one("#log-search", Field).focus()

    def action_clear_filters(self) -> None:
        self.query_one("#log-level", Select).value = "INFO"
        for selector in ("#log-user", "#log-job"):
            self.query_one(selector, Select).clear()
        self.query_one("#log-search", Field).value = ""
