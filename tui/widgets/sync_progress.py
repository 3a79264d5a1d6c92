"""Progress of a sync run: users done / total, appointments pushed and pulled, what it is doing now.

When the run ends the panel says so with its time ("Finished 10:04 with errors: ..."), so its errors are
never mistaken for the current state; the dashboard clears it once it is a few minutes old.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from studiosync.tui.safe_text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import ProgressBar, Static


class SyncProgress(Vertical):
    DEFAULT_CSS = """
    SyncProgress { height: auto; border: round $accent 50%; padding: 0 1; display: none; }
    SyncProgress.-running, SyncProgress.-done { display: block; }
    SyncProgress ProgressBar { width: 1fr; }
    SyncProgress #sp-line { height: auto; }
    """

    events_seen = 0
    last_event: Any = None
    finished_at: datetime | None = None

    def compose(self) -> ComposeResult:
        yield ProgressBar(total=None, show_eta=False, id="sp-bar")
        yield Static(Text(""), id="sp-line")

    def start(self) -> None:
        self.set_class(True, "-running")
        self.set_class(False, "-done")
        self.events_seen, self.last_event, self.finished_at = 0, None, None
        self.query_one(ProgressBar).update(total=None, progress=0)
        self.query_one("#sp-line", Static).update(Text("Starting the sync…"))

    def progress(self, event: Any) -> None:
        self.events_seen += 1
        self.last_event = event
        bar = self.query_one(ProgressBar)
        bar.update(total=max(event.users_total, 1), progress=event.users_done)
        line = Text.assemble(
            (f"users {event.users_done}/{event.users_total}", "bold"),
            f" · pushed {event.pushed} · pulled {event.pulled}",
        )
        if event.login:
            line.append(f" · {event.login}", style="cyan")
        if event.message:
            line.append(" · ")
            line.append(str(event.message))  # may quote Google: plain text
        self.query_one("#sp-line", Static).update(line)

    def finish(self, summary: str, *, ok: bool, at: datetime, tz: ZoneInfo) -> None:
        self.set_class(False, "-running")
        self.set_class(True, "-done")
        self.finished_at = at
        bar = self.query_one(ProgressBar)
        if bar.total is None:
            bar.update(total=1, progress=1)
        else:
            bar.update(progress=bar.total)
        when = at.astimezone(tz).strftime("%H:%M")
        self.query_one("#sp-line", Static).update(
            Text.assemble(
                (f"Finished {when}: " if ok else f"Finished {when} with errors: ", "bold green" if ok else "bold red"),
                summary,
            )
        )

    def clear_if_older(self, now: datetime, seconds: float) -> None:
        """Hide a finished run's panel once it is `seconds` old (the table shows newer results by then)."""
        if self.finished_at is not None and (now - self.finished_at).total_seconds() >= seconds:
            self.set_class(False, "-done")
            self.finished_at = None
