"""Sync health dashboard (the admins' home): every user's Google sync at a glance, failing users first."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from studiosync.tui.clock import parse_stamp, span
from studiosync.tui.failures import one_line
from studiosync.tui.rows import SyncHealth
from studiosync.tui.safe_text import Text
from studiosync.tui.screens.confirm import ConfirmScreen
from studiosync.tui.screens.users import status_text
from studiosync.tui.screens.view import View
from studiosync.tui.widgets.sync_progress import SyncProgress
from studiosync.tui.widgets.table import Column, FitTable
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Static

# Most important first (1): on a narrow screen "Synced" goes first, then "Moved"; the last error (the reason
# a user is failing) is the flexible column and is never dropped. Room for later columns (when the
# user was last emailed, and why) is made the same way: give them a priority.
COLUMNS = [
    Column("user", "User", 1, min_width=10),
    Column("google", "Google", 2, min_width=7),
    Column("lag", "Lag", 4, min_width=4),
    Column("live", "Live", 5, min_width=5),  # ↑ last push, ↓ last pull: aged every second
    Column("synced", "Synced", 7, min_width=12),  # Lag says the same, relative: it goes first
    Column("moved", "Moved", 6, min_width=11),
    Column("error", "Last error", 3, min_width=14, flex=True, want=24),
]
STALE_PROGRESS_SECONDS = 300  # a finished run's panel goes once it is this old


def lag_text(row: SyncHealth) -> str:
    """How far behind the user's calendar is: time since the last successful sync ("4 min").

    "—" when it never synced, or when sync is off: a stale last sync is no lag if nothing should sync.
    """
    if not row.enabled or row.lag_seconds is None:
        return "—"
    return span(row.lag_seconds)


def live_text(row: SyncHealth, now: datetime) -> str:
    """Live sync at a glance: "↑5 s ↓40 s" -- how long ago a studio change last reached Google, and how
    long ago Google was last checked ("—" when never)."""
    if not row.enabled:
        return "—"
    parts = []
    for arrow, key in (("↑", "last_push"), ("↓", "last_pull")):
        moment = parse_stamp(row.extra.get(key))
        parts.append(f"{arrow}{span(max(0.0, (now - moment).total_seconds()))}" if moment else f"{arrow}—")
    return " ".join(parts)


def short_time(stamp: str, tz: ZoneInfo) -> str:
    """A stored stamp in studio time, compact for a column ("30 Nov 08:00"); the Lag column says how long ago."""
    moment = parse_stamp(stamp)
    return moment.astimezone(tz).strftime("%d %b %H:%M") if moment else stamp


def emailed_text(row: SyncHealth, tz: ZoneInfo) -> Text:
    """When the user was last emailed about their sync, and why (core.alerts); empty when never."""
    extra = row.extra
    text = Text()
    if extra.get("last_emailed"):
        text.append("\nEmailed: ", style="bold")
        text.append(
            f"{short_time(extra['last_emailed'], tz)}, {extra.get('last_emailed_why') or ''}".rstrip(", ")
        )
        if extra.get("next_reminder"):
            text.append(f" · next reminder {short_time(extra['next_reminder'], tz)}", style="dim")
    if extra.get("email_trouble"):
        text.append("\nEmail: ", style="bold red")
        text.append(str(extra["email_trouble"]))
    return text


_APPLY_EFFECT = {
    "google": "the appointments leave the studio book",
    "studio": "the events are deleted on Google",
    "both": "the appointments leave the studio book and the events are deleted on Google",
}


class DashboardView(View):
    SECTION = "dashboard"
    TITLE = "Dashboard"
    HELP = """\
## Sync health

Every staff user's Google sync, failing users first: status, **Synced** (the last successful sync, studio
time), the **Lag** (how long ago that was: how far behind Google may be; "—" when it never synced or sync
is off), **Live** (how long ago a studio change last reached Google ↑ and Google was last checked ↓: live
sync pushes on save and checks Google every minute), **Moved** (what the last run moved: ↑ pushed to Google,
↓ pulled from Google) and the last error with its fix. Enter opens the user's Google tab.

`s` syncs now (everyone who has Enable Google Sync checked) and shows the progress: users done, appointments
pushed and pulled. `x` stops it after the current user. The Control Center's Google Sync Processor job does
the same on its schedule.

## Deletions held

When one run would delete too many of a user's appointments or events at once (Company prefs > Mass
deletions), nothing is deleted on either side and the user shows *deletions held*. Select the user, then:
`h` applies the held deletions (a dialog asks first; Keep is focused), `u` undoes them -- events deleted on
Google are re-created from the studio book, appointments deleted in the studio come back from Google.
"""
    BINDINGS = [
        Binding("s", "sync", "Sync now", id="dashboard.sync"),
        Binding("x", "stop_sync", "Stop sync", id="dashboard.stop", show=False),
        Binding("r", "reload", "Reload", id="dashboard.reload", show=False),
        Binding("h", "apply_held", "Apply held deletions", id="dashboard.apply_held", show=False),
        Binding("u", "undo_held", "Undo held deletions", id="dashboard.undo_held", show=False),
    ]
    DEFAULT_CSS = """
    DashboardView #health-table { height: auto; max-height: 60%; }
    DashboardView #health-updated { height: 1; color: $text-muted; }
    DashboardView #health-scroll { height: 1fr; }
    DashboardView #health-detail { height: auto; }
    """

    class Loaded(Message):
        def __init__(self, rows: list[SyncHealth]) -> None:
            super().__init__()
            self.rows = rows

    class Progress(Message):
        def __init__(self, event: Any) -> None:
            super().__init__()
            self.event = event

    class SyncDone(Message):
        def __init__(self, summary: str, ok: bool) -> None:
            super().__init__()
            self.summary, self.ok = summary, ok

    rows: list[SyncHealth] = []
    REFRESH_SECONDS = 10.0
    _stop_sync: threading.Event | None = None

    def compose(self) -> ComposeResult:
        yield SyncProgress(id="sync-progress")
        yield FitTable(COLUMNS, id="health-table", zebra_stripes=True)
        yield Static(Text(""), id="health-updated")
        with VerticalScroll(id="health-scroll"):
            yield Static(Text(""), id="health-detail")

    def on_mount(self) -> None:
        self.set_interval(1.0, self._age_live)  # "N s ago" counts up between reloads

    def _age_live(self) -> None:
        if not self.rows:
            return
        tz, now = self.backend.tz(), self.backend.now()
        # show_rows changes only the cells that changed: here the Live column's ages
        self.query_one("#health-table", FitTable).show_rows([(r.login, self._cells(r, tz, now)) for r in self.rows])

    def focus_first(self) -> None:
        self.call_after_refresh(self.query_one("#health-table", FitTable).focus)

    def reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="dashboard-load")
    def _load(self) -> None:
        try:
            self.post_message(self.Loaded(self.backend.sync_health()))
        finally:
            self.app.call_from_thread(self._schedule_refresh)

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        self.rows = event.rows
        table = self.query_one("#health-table", FitTable)
        tz, now = self.backend.tz(), self.backend.now()
        table.show_rows([(row.login, self._cells(row, tz, now)) for row in event.rows])
        table.styles.height = len(event.rows) + 1  # the rows and the header; the detail pane takes the rest
        if not event.rows:
            self.query_one("#health-detail", Static).update(
                Text("No staff users yet: add them in Users (F3).", style="dim")
            )
        # Every number above is as of this moment: say when that was.
        self.query_one("#health-updated", Static).update(
            Text(f"Updated {now.astimezone(tz):%H:%M:%S} · Lag counts from then · s syncs now", style="dim")
        )
        self.query_one(SyncProgress).clear_if_older(now, STALE_PROGRESS_SECONDS)
        self._detail()
        self.loaded()

    @staticmethod
    def _cells(row: SyncHealth, tz: ZoneInfo, now: datetime) -> dict[str, Text]:
        moved = "—"
        if row.pushed is not None:
            when = short_time(row.extra["run_time"], tz).split(" ")[-1] if row.extra.get("run_time") else ""
            moved = f"↑{row.pushed} ↓{row.pulled} {when}".rstrip()
        return {
            "user": Text(f"{row.name} ({row.login})"),
            "google": status_text(row.status),
            "synced": Text(short_time(row.last_sync, tz) if row.last_sync else "never"),
            "lag": Text(lag_text(row)),
            "live": Text(live_text(row, now)),
            "moved": Text(moved),
            "error": Text(row.last_error or "", style="red"),
        }

    @on(DataTable.RowHighlighted, "#health-table")
    def _detail(self) -> None:
        row = self._selected()
        if row is None:
            return
        text = Text.assemble((f"{row.name}: ", "bold"), status_text(row.status))
        if row.lag_seconds is not None:
            text.append(f" · last successful sync {span(row.lag_seconds)} ago")
        summary = row.extra.get("summary")
        if summary:
            run_time = row.extra.get("run_time")
            text.append(f" · last run{' ' + short_time(run_time, self.backend.tz()) if run_time else ''}: {summary}")
        # The first cause of the user's diagnosis (core.diagnosis): the doctor and `status` name the same.
        severity = row.extra.get("severity")
        if row.enabled and row.extra.get("pending"):
            text.append(f" · {row.extra['pending']} change(s) waiting for Google")
        if row.last_error:
            label, style = ("Error: ", "bold red") if severity == "error" else ("Warning: ", "bold yellow")
            text.append(f"\n{label}", style=style)
            text.append(row.last_error)
            if row.failures and severity == "error":
                text.append(f" ({row.failures} runs in a row)", style="dim")
        elif row.extra.get("note"):
            text.append("\nNot syncing: " if severity == "off" else "\nNote: ", style="bold")
            text.append(row.extra["note"])
        if row.fix:
            text.append("\nFix: ", style="bold")
            text.append(row.fix)
        if row.extra.get("held"):
            text.append("\nh: apply the held deletions · u: undo them", style="bold yellow")
        text.append(emailed_text(row, self.backend.tz()))
        self.query_one("#health-detail", Static).update(text)

    def _selected(self) -> SyncHealth | None:
        key = self.query_one("#health-table", FitTable).cursor_key()
        return next((r for r in self.rows if r.login == key), None)

    @on(DataTable.RowSelected, "#health-table")
    def _open(self) -> None:
        row = self._selected()
        if row is not None:
            self.console.open_google_tab(row.login)

    def action_reload(self) -> None:
        self._load()

    # -- sync now ------------------------------------------------------------------------------------
    def action_sync(self) -> None:
        if self._stop_sync is not None:
            self.app.notify("A sync is already running (x stops it).", severity="warning")
            return
        self._stop_sync = threading.Event()
        self.query_one(SyncProgress).start()
        self._sync(self._stop_sync)

    def on_unmount(self) -> None:
        if self._stop_sync is not None:  # quitting mid-sync: stop at the next safe point
            self._stop_sync.set()

    def action_stop_sync(self) -> None:
        if self._stop_sync is not None:
            self._stop_sync.set()
            self.app.notify("Stopping after the current user…")

    # -- held deletions: a person decides --------------------------------------------------------------
    def action_apply_held(self) -> None:
        self._decide_held("allow")

    def action_undo_held(self) -> None:
        self._decide_held("restore")

    def _decide_held(self, release: str) -> None:
        row = self._selected()
        held = row.extra.get("held") if row is not None else None
        if row is None or not held:
            self.app.notify("Nothing is held for this user.", severity="warning")
            return
        if self._stop_sync is not None:
            self.app.notify("A sync is already running (x stops it).", severity="warning")
            return
        if release == "allow":
            title = f"Delete {held['deletions']} held item(s) of {row.name}?"
            effect = _APPLY_EFFECT.get(held["side"], _APPLY_EFFECT["both"])
            detail = f"{held['message']}.\n\nDeleting applies them: {effect}. Then the user syncs as usual."
            yes = "Delete them"
        else:
            title = f"Undo {held['deletions']} held deletion(s) of {row.name}?"
            detail = (
                f"{held['message']}.\n\nUndoing re-creates on Google the events deleted there (from the studio "
                "book) and brings back into the studio the appointments deleted in the studio (from Google)."
            )
            yes = "Undo them"

        def answered(yes_pressed: bool | None) -> None:
            if yes_pressed:
                self._stop_sync = threading.Event()
                self.query_one(SyncProgress).start()
                self._sync(self._stop_sync, row.login, release)

        self.app.push_screen(ConfirmScreen(title, detail, yes=yes, no="Keep them"), answered)

    @work(thread=True, exclusive=True, exit_on_error=False, group="dashboard-sync")
    def _sync(self, stop: threading.Event, login: str | None = None, release: str | None = None) -> None:
        def progress(event: Any) -> None:
            self.post_message(self.Progress(event))

        try:
            if login is None:
                result = self.backend.run_sync(stop=stop, progress=progress)
            else:
                result = self.backend.run_sync(stop=stop, progress=progress, login=login, release=release)
        except Exception as exc:
            self.post_message(self.SyncDone(one_line(exc), False))
            raise
        self.post_message(self.SyncDone(str(result.summary), result.status != "error"))

    @on(Progress)
    def _progress(self, event: Progress) -> None:
        self.query_one(SyncProgress).progress(event.event)

    @on(SyncDone)
    def _sync_done(self, event: SyncDone) -> None:
        self._stop_sync = None
        self.query_one(SyncProgress).finish(event.summary, ok=event.ok, at=self.backend.now(), tz=self.backend.tz())
        if event.ok:
            self.app.notify(f"Sync finished: {event.summary}")
        self._load()
