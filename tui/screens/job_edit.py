"""Job editor: enabled, schedule (with its next 3 runs as you type) and the computer that runs it."""

from __future__ import annotations

from typing import Any

from studiosync.core.errors import InputError
from studiosync.core.schedule import parse_schedule
from studiosync.tui.safe_text import Text, plain_choices
from studiosync.tui.screens.confirm import ConfirmScreen
from studiosync.tui.screens.modal import DialogBody, Modal
from studiosync.tui.widgets.field import Field
from studiosync.tui.widgets.form import explain_invalid
from studiosync.tui.widgets.note import Note
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Checkbox, Label, Select, Static


def disable_confirmation(job: Any) -> ConfirmScreen:
    """The one question before a job is disabled (Space in the Control Center, or the editor's Enabled box)."""
    return ConfirmScreen(
        f"Disable {job.title}?",
        "It stops running on every computer until it is enabled again."
        + (" Nobody's appointments sync with Google meanwhile." if job.name == "google-sync" else ""),
        yes="Disable",
    )


class JobEditScreen(Modal[tuple[str, list[str]] | None]):
    AREA = "job"
    BINDINGS = [
        Binding("escape", "close", "Cancel", id="job_edit.cancel"),
        Binding("ctrl+s", "save", "Save", id="job_edit.save"),
    ]
    DEFAULT_CSS = """
    JobEditScreen .row { height: auto; }
    JobEditScreen Label { width: 10; padding-top: 1; }
    JobEditScreen Note { padding: 0 0 0 10; }
    JobEditScreen Select { width: 1fr; }
    JobEditScreen #job-preview { padding: 0 0 0 10; height: auto; }
    JobEditScreen Checkbox { margin-left: 9; }
    """

    class Computers(Message):
        def __init__(self, computers: list[Any]) -> None:
            super().__init__()
            self.computers = computers

    class Saved(Message):
        def __init__(self, text: str, warnings: list[str]) -> None:
            super().__init__()
            self.text, self.warnings = text, warnings

    def __init__(self, job: Any, this_computer: str) -> None:
        super().__init__()
        self.job, self.this_computer = job, this_computer

    def compose(self) -> ComposeResult:
        job = self.job
        with Vertical(classes="dialog"):
            yield Static(Text(f"{job.title} — {job.description}"), classes="dialog-title")
            with DialogBody():
                yield Checkbox("Enabled", value=job.enabled, id="job-enabled")
                with Horizontal(classes="row"):
                    yield Label("Schedule")
                    yield Field(
                        job.schedule,
                        id="job-schedule",
                        placeholder="15m · every 5 minutes · */10 8-18 * * 1-5",
                    )
                yield Note("", id="job-schedule-why")
                yield Static(Text(""), id="job-preview")
                with Horizontal(classes="row"):
                    yield Label("Computer")
                    yield Select(
                        [(job.computer, job.computer)],
                        value=job.computer,
                        allow_blank=False,
                        id="job-computer",
                    )
                yield Note(
                    "This computer must be on AND have an Internet connection, running the console or `studiosync serve`.",
                    id="job-computer-why",
                )
                yield Static("", classes="dialog-error")
            with Horizontal(classes="buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self._preview()
        self._initial = self._values()
        self.query_one("#job-schedule", Field).focus()
        self._load_computers()

    def _values(self) -> tuple[object, ...]:
        return (
            self.query_one("#job-enabled", Checkbox).value,
            self.query_one("#job-schedule", Field).value.strip(),
            self.query_one("#job-computer", Select).value,
        )

    def unsaved(self) -> bool:
        return self._values() != getattr(self, "_initial", self._values())

    def save_form(self, then: object = None) -> bool:
        self.action_save()
        return True

    @work(thread=True, exclusive=True, exit_on_error=False, group="job-computers")
    def _load_computers(self) -> None:
        self.post_message(self.Computers(self.backend.jobs().computers()))

    @on(Computers)
    def _computers(self, event: Computers) -> None:
        names: dict[str, str] = {}
        for c in event.computers:
            names[c.host.casefold()] = f"{c.host}  {'● alive' if c.alive else '○ not running now'}"
        names.setdefault(self.this_computer.casefold(), f"{self.this_computer}  ● this computer")
        names.setdefault(self.job.computer.casefold(), f"{self.job.computer}  (never seen)")
        hosts = {c.host.casefold(): c.host for c in event.computers}
        hosts.setdefault(self.this_computer.casefold(), self.this_computer)
        hosts.setdefault(self.job.computer.casefold(), self.job.computer)
        select = self.query_one("#job-computer", Select)
        select.set_options(plain_choices((label, hosts[key]) for key, label in sorted(names.items())))
        select.value = hosts[self.job.computer.casefold()]

    @on(Field.Changed, "#job-schedule")
    def _preview(self) -> bool:
        text = self.query_one("#job-schedule", Field).value
        note = self.query_one("#job-schedule-why", Note)
        preview = self.query_one("#job-preview", Static)
        save = self.query_one("#save", Button)
        try:
            schedule = parse_schedule(text)
            runs = schedule.next_runs(3, self.backend.tz(), self.backend.now())
        except InputError as exc:
            self._problem = exc.message
            note.say(exc.message, error=True)
            preview.update(Text(""))
            self.query_one("#job-schedule", Field).add_class("-invalid")
            save.disabled = True
            return False
        self.query_one("#job-schedule", Field).remove_class("-invalid")
        note.say(f"Runs {schedule.describe()}.", ok=True)
        lines = "\n".join(r.strftime("  %a %d %b %Y %H:%M") for r in runs)
        # An interval starts counting when the job is saved; a cron schedule runs at fixed times.
        heading = (
            "Next 3 runs (interval counted from saving)" if schedule.kind == "interval" else "Next 3 runs"
        )
        preview.update(Text(f"{heading}:\n{lines}", style="dim"))
        save.disabled = False
        return True

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_close()

    @on(Field.Submitted)
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        if not self._preview():
            problem = getattr(self, "_problem", "not a schedule")
            explain_invalid(self, [("Schedule", problem, self.query_one("#job-schedule", Field))])
            return
        enabled = self.query_one("#job-enabled", Checkbox).value
        values = {
            "enabled": enabled,
            "schedule": self.query_one("#job-schedule", Field).value.strip(),
            "computer": str(self.query_one("#job-computer", Select).value),
        }
        if self.job.enabled and not enabled:

            def answered(yes: bool | None) -> None:
                if yes:
                    self._save(values)

            self.app.push_screen(disable_confirmation(self.job), answered)
            return
        self._save(values)

    @work(thread=True, exclusive=True, exit_on_error=False, group="job-save")
    def _save(self, values: dict[str, Any]) -> None:
        view, warnings = self.backend.jobs().update(self.job.name, **values)
        self.post_message(
            self.Saved(f"Saved {view.title}: {view.schedule_text} on {view.computer}.", warnings)
        )

    @on(Saved)
    def _saved(self, event: Saved) -> None:
        self.dismiss((event.text, event.warnings))
