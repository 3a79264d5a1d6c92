"""One appointment's sync story: "why isn't this in Google?"."""

from __future__ import annotations

from typing import Any

from studiosync.tui.clock import local
from studiosync.tui.safe_text import Text
from studiosync.tui.screens.modal import Modal
from studiosync.tui.widgets.table import Column, FitTable
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Static


class TraceScreen(Modal[None]):
    AREA = "trace"
    BINDINGS = [Binding("escape,q", "close", "Close", id="trace.close")]
    DEFAULT_CSS = """
    TraceScreen > .dialog { width: 100%; max-width: 110; height: 100%; max-height: 40; }
    TraceScreen VerticalScroll { height: 1fr; }
    TraceScreen #trace-facts { height: auto; }
    TraceScreen #trace-why { height: auto; margin-top: 1; }
    TraceScreen DataTable { height: auto; max-height: 14; margin-top: 1; }
    """

    class Loaded(Message):
        def __init__(self, doc: dict[str, Any]) -> None:
            super().__init__()
            self.doc = doc

    def __init__(self, appointment_id: str) -> None:
        super().__init__()
        self.appointment_id = appointment_id

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Trace — why isn't this in Google?", classes="dialog-title", markup=False)
            with VerticalScroll():
                yield Static(Text("Loading…"), id="trace-facts")
                yield Static(Text(""), id="trace-why")
                yield FitTable(
                    [Column("when", "When", 1, 16), Column("what", "What", 2, 8), Column("detail", "Detail", 3, 16, flex=True)],
                    id="trace-table",
                )
            yield Button("Close", variant="primary", id="trace-close")

    def on_mount(self) -> None:
        self.query_one("#trace-close", Button).focus()
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="trace")
    def _load(self) -> None:
        self.post_message(self.Loaded(self.backend.trace(self.appointment_id)))

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        doc = event.doc
        appt = doc["appointment"]
        tz = self.backend.tz()
        facts = Text.assemble(
            (appt.display_title, "bold"),
            f"  {local(appt.start, tz)}  ({appt.user}, made in {appt.origin}, {appt.status})\n",
            ("Google event id: ", "bold"),
            (
                doc.get("google_event_id") or "none (not in Google)",
                "" if doc.get("google_event_id") else "yellow",
            ),
            "\n",
            ("Sync state: ", "bold"),
            str(doc.get("sync_state") or ("waiting for the next sync" if appt.dirty else "in sync")),
        )
        if doc.get("sync_error"):
            facts.append("\nSync error: ", style="bold red")
            facts.append(str(doc["sync_error"]))
        last = doc.get("last_error")
        if isinstance(last, dict) and last.get("fix"):
            facts.append("\nFix: ", style="bold")
            facts.append(str(last["fix"]))
        self.query_one("#trace-facts", Static).update(facts)
        why = Text("Why:\n", style="bold")
        for reason in doc.get("reasons") or []:
            why.append("• ")
            why.append(reason + "\n", style="")
        self.query_one("#trace-why", Static).update(why)
        rows = [
            (
                str(n),
                {
                    "when": Text(local(str(entry.get("time") or ""), tz)),
                    "what": Text(str(entry.get("action") or "")),
                    "detail": Text(str(entry.get("detail") or "")),
                },
            )
            for n, entry in enumerate(reversed(doc.get("trace") or []))
        ]
        if not rows:
            rows = [("none", {"when": Text("—"), "what": Text("no sync history yet", style="dim")})]
        self.query_one("#trace-table", FitTable).show_rows(rows)

    @on(Button.Pressed, "#trace-close")
    def _close(self) -> None:
        self.dismiss(None)
