"""A job's run history; the highlighted run's per-user results below (who synced, what moved, what failed)."""

from __future__ import annotations

from typing import Any

from studiosync.tui.clock import local
from studiosync.tui.safe_text import Text
from studiosync.tui.screens.modal import Modal
from studiosync.tui.widgets.table import Column, FitTable
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Button, DataTable, Static

STATUS_STYLE = {"ok": "green", "warning": "yellow", "error": "bold red", "running": "cyan", "skipped": "dim"}


def _counts(user: dict[str, Any]) -> tuple[int, int]:
    c = user.get("counts") or {}
    pushed = sum(int(c.get(k, 0) or 0) for k in ("pushed_created", "pushed_updated", "pushed_deleted"))
    pulled = sum(int(c.get(k, 0) or 0) for k in ("pulled_created", "pulled_updated", "pulled_deleted"))
    return pushed, pulled


class RunHistoryScreen(Modal[None]):
    AREA = "history"
    BINDINGS = [Binding("escape,q", "close", "Close", id="history.close")]
    DEFAULT_CSS = """
    RunHistoryScreen > .dialog { width: 100%; max-width: 120; height: 100%; max-height: 44; }
    RunHistoryScreen #runs { height: 1fr; }
    RunHistoryScreen #run-users { height: 1fr; }
    RunHistoryScreen #run-summary { height: auto; }
    """

    class Loaded(Message):
        def __init__(self, runs: list[Any]) -> None:
            super().__init__()
            self.runs = runs

    runs: list[Any] = []

    def __init__(self, job: str, title: str) -> None:
        super().__init__()
        self.job, self.title_text = job, title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(f"Run history — {self.title_text}"), classes="dialog-title")
            yield FitTable(
                [
                    Column("started", "Started", 1, 16),
                    Column("kind", "Kind", 5, 9),
                    Column("computer", "Computer", 4, 9),
                    Column("status", "Status", 2, 7),
                    Column("time", "Time", 6, 6),
                    Column("summary", "Summary", 3, 16, flex=True),
                ],
                id="runs",
            )
            yield Static(Text(""), id="run-summary")
            yield FitTable(
                [
                    Column("user", "User", 1, 8),
                    Column("status", "Status", 2, 7),
                    Column("pushed", "Pushed", 4, 6),
                    Column("pulled", "Pulled", 5, 6),
                    Column("problem", "Error / warning", 3, 16, flex=True),
                ],
                id="run-users",
            )
            yield Button("Close", id="close")

    def on_mount(self) -> None:
        self.query_one("#runs", DataTable).focus()
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="history")
    def _load(self) -> None:
        self.post_message(self.Loaded(self.backend.jobs().history(self.job, limit=50)))

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        self.runs = event.runs
        tz = self.backend.tz()
        self.query_one("#runs", FitTable).show_rows(
            [
                (
                    run.id,
                    {
                        "started": Text(local(run.started, tz)),
                        "kind": Text(run.kind),  # scheduled, manual, or a live pass: push, pull
                        "computer": Text(run.computer),
                        "status": Text(run.status, style=STATUS_STYLE.get(run.status, "")),
                        "time": Text(f"{run.duration_s:.1f} s" if run.duration_s is not None else "—"),
                        "summary": Text(run.summary + (f" (x{run.repeats})" if run.repeats > 1 else "")),
                    },
                )
                for run in event.runs
            ]
        )
        if not event.runs:
            self.query_one("#run-summary", Static).update(Text("No runs yet.", style="dim"))
        else:
            self._show_run()

    @on(DataTable.RowHighlighted, "#runs")
    def _show_run(self) -> None:
        table = self.query_one("#runs", DataTable)
        if table.row_count == 0:
            return
        run = self.runs[min(table.cursor_row, len(self.runs) - 1)]
        self.query_one("#run-summary", Static).update(
            Text.assemble(("Summary: ", "bold"), run.summary or "—")
        )
        rows = []
        for n, user in enumerate(run.users or []):
            pushed, pulled = _counts(user)
            status = str(user.get("status", ""))
            problem = user.get("error") or "; ".join(user.get("warnings") or [])
            if user.get("fix"):
                problem = f"{problem} Fix: {user['fix']}"
            for mail in user.get("emailed") or []:  # what this run emailed the user, and why (core.alerts)
                problem = f"{problem} · emailed {mail.get('kind')}: {mail.get('why')} ({mail.get('status')})"
            cells = {
                "user": Text(str(user.get("login", ""))),
                "status": Text(status, style=STATUS_STYLE.get(status, "")),
                "pushed": Text(str(pushed)),
                "pulled": Text(str(pulled)),
                "problem": Text(str(problem or "")),
            }
            rows.append((f"{run.id}:{n}", cells))
        self.query_one("#run-users", FitTable).show_rows(rows)

    @on(Button.Pressed, "#close")
    def _close(self) -> None:
        self.dismiss(None)
