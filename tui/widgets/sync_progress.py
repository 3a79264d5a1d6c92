"""Progress of a sync run: users done / total, appointments pushed and pulled, what it is doing now."""

from __future__ import annotations

from typing import Any

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

    def compose(self) -> ComposeResult:
        yield ProgressBar(total=None, show_eta=False, id="sp-bar")
        yield Static(Text(""), id="sp-line")

    def start(self) -> None:
        self.set_class(True, "-running")
        self.set_class(False, "-done")
        self.events_seen, self.last_event = 0, None
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

    def finish(self, summary: str, *, ok: bool) -> None:
        self.set_class(False, "-running")
        self.set_class(True, "-done")
        bar = self.query_one(ProgressBar)
        if bar.total is None:
            bar.update(total=1, progress=1)
        else:
            bar.update(progress=bar.total)
        self.query_one("#sp-line", Static).update(
            Text.assemble(
                ("Finished: " if ok else "Finished with errors: ", "bold green" if ok else "bold red"),
                summary,
            )
        )
