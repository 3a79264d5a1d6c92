"""Doctor: the troubleshooting checklist run for real (core.doctor), pass / warn / fail with the fix."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table
from studiosync.tui.safe_text import Text, plain_choices
from studiosync.tui.screens.view import View
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Select, Static

MARK = {"pass": ("✔ pass", "green"), "warn": ("! warn", "yellow"), "fail": ("✘ FAIL", "bold red")}
VERDICT = {
    "ok": ("✔ ok  ", "green"),
    "warn": ("! warn", "yellow"),
    "fail": ("✘ FAIL", "bold red"),
    "off": ("– off ", "dim"),
    "resource": ("· room", "dim"),
}


def render_report(report: Any) -> Group:
    """Checks grouped by section, then one verdict per user; text wraps inside its column."""
    parts: list[Any] = [headline(report)]
    table = _table()
    section = None
    for check in report.checks:
        if check.section and check.section != section:
            section = check.section
            table.add_row("", Text(section, style="bold underline"))
        label, style = MARK.get(check.status, (check.status, ""))
        body = Text.assemble((check.title or check.name, "bold"), "\n", check.detail)
        if check.fix and check.status != "pass":
            body.append("\nFix: ", style="bold")
            body.append(check.fix)
        table.add_row(Text(label, style=style), body)
    if report.verdicts:
        table.add_row("", Text("Users", style="bold underline"))
        for v in report.verdicts:
            label, style = VERDICT.get(v.status, (v.status, ""))
            body = Text.assemble((f"{v.name} ({v.login})", "bold"), f": {v.line}")
            if v.fix and v.status in ("warn", "fail", "off"):
                body.append(f"\nFix: {v.fix}", style="dim")
            table.add_row(Text(label, style=style), body)
    parts.append(table)
    return Group(*parts)


def headline(report: Any) -> Text:
    """ "0 failed, 1 user failing, 3 warnings, 5 passed": the checks' counts plus the failing users, as the
    CLI counts them (a failing user is a verdict, not a check, but it is what matters most)."""
    counts = report.counts()
    failing = sum(1 for v in report.verdicts if v.failed)
    text = Text.assemble((f"{counts.get('fail', 0)} failed", "bold red" if counts.get("fail") else "dim"))
    if failing:
        text.append(", ")
        text.append(f"{failing} user{'s' if failing != 1 else ''} failing", style="bold red")
    text.append(", ")
    text.append(f"{counts.get('warn', 0)} warnings", style="yellow" if counts.get("warn") else "dim")
    text.append(", ")
    text.append(f"{counts.get('pass', 0)} passed", style="green")
    return text


def _table() -> Table:
    table = Table(box=None, show_header=False, expand=True, padding=(0, 1, 0, 0))
    table.add_column(width=6, no_wrap=True)
    table.add_column(ratio=1)
    return table


class DoctorView(View):
    SECTION = "doctor"
    TITLE = "Doctor"
    HELP = """\
## Doctor

Runs the *Troubleshooting Google Sync Setup* checklist for real: email settings, the Google Sync Processor
job (enabled, schedule, computer alive), Google reachable, where tokens are kept, the OAuth client, and
then one verdict per user. Choose a user to run that user's checks live (token refresh, calendar list).
Each problem comes with its fix. `r` runs the checks again.
"""
    BINDINGS = [Binding("r", "run", "Run checks", id="doctor.run")]
    DEFAULT_CSS = """
    DoctorView #doc-bar { height: auto; }
    DoctorView #doc-bar > Static { width: auto; padding: 1 1 0 0; }
    DoctorView #doc-user { width: 1fr; }
    DoctorView VerticalScroll { height: 1fr; }
    DoctorView #doc-report { height: auto; }
    """

    class Done(Message):
        def __init__(self, report: Any) -> None:
            super().__init__()
            self.report = report

    class Users(Message):
        def __init__(self, choices: list[tuple[str, str]]) -> None:
            super().__init__()
            self.choices = choices

    def compose(self) -> ComposeResult:
        with Horizontal(id="doc-bar"):
            yield Static("Checks for")
            yield Select([], prompt="the whole studio", id="doc-user")
        with VerticalScroll(id="doc-scroll"):
            yield Static(Text("Press r to run the checks.", style="dim"), id="doc-report")

    def focus_first(self) -> None:
        self.call_after_refresh(self.query_one("#doc-scroll").focus)

    def reload(self) -> None:
        self._users()
        if not getattr(self, "_ran", False):
            self.action_run()

    @work(thread=True, exclusive=True, exit_on_error=False, group="doctor-users")
    def _users(self) -> None:
        users = [u for u in self.backend.studio.users.list() if u.can_sync]
        self.post_message(self.Users([(f"{u.name} ({u.login})", u.login) for u in users]))

    @on(Users)
    def _got_users(self, event: Users) -> None:
        select = self.query_one("#doc-user", Select)
        current = select.value
        with select.prevent(Select.Changed):
            select.set_options(plain_choices(event.choices))
            if current is not Select.NULL:
                select.value = current

    @on(Select.Changed, "#doc-user")
    def _user_changed(self) -> None:
        self.action_run()

    def action_run(self) -> None:
        self._ran = True
        value = self.query_one("#doc-user", Select).value
        login = None if value is Select.NULL else str(value)
        who = (
            f"for {login} (live: refreshes the token and lists calendars)"
            if login
            else "for the whole studio"
        )
        self.query_one("#doc-report", Static).update(Text(f"Running the checks {who}…", style="yellow"))
        self._run(login)

    @work(thread=True, exclusive=True, exit_on_error=False, group="doctor-run")
    def _run(self, login: str | None) -> None:
        self.post_message(self.Done(self.backend.run_doctor(login)))

    @on(Done)
    def _done(self, event: Done) -> None:
        self.query_one("#doc-report", Static).update(render_report(event.report))
        self.loaded()
