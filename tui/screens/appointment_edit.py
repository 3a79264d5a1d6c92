"""Add or edit an appointment. Times are typed in studio time (ISO: 2026-12-01 09:30, or a date for all day)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from studiosync.core.errors import InputError
from studiosync.core.model.appointments import Appointment
from studiosync.core.studio.timeparse import check_span, parse_when
from studiosync.tui.screens import appointment_kind
from studiosync.tui.screens.modal import DialogBody, Modal
from studiosync.tui.widgets.field import Field
from studiosync.tui.widgets.form import check_form, explain_invalid, problems_of, rule
from studiosync.tui.widgets.note import Note
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.validation import ValidationResult, Validator
from textual.widgets import Button, Label, Select, Static


def _text(value: datetime | date, tz: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


class WhenRule(Validator):
    """A start or end as typed: core's own words when it is refused (a DST gap names the two real times)."""

    def __init__(self, screen: AppointmentEditScreen, what: str) -> None:
        super().__init__()
        self._screen, self._what = screen, what

    def validate(self, value: str) -> ValidationResult:
        try:
            parse_when(value, self._screen._tz, what=self._what)  # noqa: SLF001
        except InputError as exc:
            return self.failure(exc.message)
        return self.success()


class AppointmentEditScreen(Modal[bool]):
    AREA = "appointment"
    BINDINGS = [
        Binding("escape", "close", "Cancel", id="appointment_edit.cancel"),
        Binding("ctrl+s", "save", "Save", id="appointment_edit.save"),
    ]
    DEFAULT_CSS = """
    AppointmentEditScreen .row { height: auto; }
    AppointmentEditScreen Label { width: 8; padding-top: 1; }
    AppointmentEditScreen Note { padding: 0 0 0 8; }
    AppointmentEditScreen Select { width: 1fr; }
    """

    class Saved(Message):
        pass

    def __init__(self, login: str, appointment: Appointment | None) -> None:
        super().__init__()
        self.login, self.appointment = login, appointment
        # What Google will not accept is refused here up front, with the CLI's words (core.studio).
        self._read_only = appointment_kind.read_only_line(appointment) if appointment else None
        self._free = appointment_kind.free_line(appointment) if appointment else None

    def compose(self) -> ComposeResult:
        a = self.appointment
        tz = self.backend.tz()
        self._tz = tz
        with Vertical(classes="dialog"):
            yield Static(
                appointment_kind.dialog_title(a) if a else f"New appointment for {self.login}",
                classes="dialog-title",
                markup=False,
            )
            with DialogBody():
                for line, name in ((self._read_only, "ap-read-only"), (self._free, "ap-free")):
                    if line:
                        yield Note(line, id=name)
                with Horizontal(classes="row"):
                    yield Label("Title")
                    yield Field(
                        a.title if a else "",
                        id="ap-title",
                        # A title kept as Google has it (even untitled) may stay as it is.
                        validators=[
                            rule(lambda v: bool(v.strip()) or self._title_kept(v), "a title is required")
                        ],
                    )
                yield Note("", id="ap-title-why")
                with Horizontal(classes="row"):
                    yield Label("Start")
                    yield Field(
                        _text(a.start, tz) if a else "",
                        placeholder="2026-12-01 09:30 or 2026-12-01",
                        id="ap-start",
                        validators=[WhenRule(self, "start")],
                    )
                yield Note(
                    f"Studio time ({tz.key}). A date alone makes an all-day appointment.", id="ap-start-why"
                )
                with Horizontal(classes="row"):
                    yield Label("End")
                    yield Field(
                        _text(a.end, tz) if a else "",
                        placeholder="2026-12-01 10:30",
                        id="ap-end",
                        validators=[WhenRule(self, "end")],
                    )
                yield Note("", id="ap-end-why")
                with Horizontal(classes="row"):
                    yield Label("Status")
                    yield Select(
                        [("confirmed", "confirmed"), ("tentative", "tentative")],
                        value=a.status if a else "confirmed",
                        allow_blank=False,
                        id="ap-status",
                    )
                with Horizontal(classes="row"):
                    yield Label("Notes")
                    yield Field(a.notes if a else "", id="ap-notes")
                yield Static("", classes="dialog-error")
            with Horizontal(classes="buttons"):
                yield Button("Save", variant="primary", id="save", disabled=True)
                yield Button("Cancel", id="cancel")

    def _parses(self, text: str) -> bool:
        try:
            parse_when(text, self._tz)
        except InputError:
            return False
        return True

    def on_mount(self) -> None:
        if self._read_only:
            for widget in self.query("Field, Select"):
                widget.disabled = True
            self._validate()
            self.query_one("#cancel", Button).focus()
            return
        self._validate()
        self._initial = self._values()
        self.query_one("#ap-title", Field).focus()

    def _values(self) -> tuple[str, ...]:
        fields = ("ap-title", "ap-start", "ap-end", "ap-notes")
        return (*(self.query_one(f"#{i}", Field).value for i in fields), str(self.query_one("#ap-status", Select).value))

    def unsaved(self) -> bool:
        return self._values() != getattr(self, "_initial", self._values())

    def save_form(self, then: object = None) -> bool:
        self.action_save()  # saving closes the dialog; an invalid one says why and stays
        return True

    def cancel_value(self) -> bool:
        return False

    def _span(self, notes: list[str] | None = None) -> tuple[Any, Any] | str:
        try:
            start = parse_when(self.query_one("#ap-start", Field).value, self._tz, what="start", notes=notes)
            end = parse_when(self.query_one("#ap-end", Field).value, self._tz, what="end", notes=notes)
            start, end, _ = check_span(start, end)
        except InputError as exc:
            return exc.message
        return start, end

    def _fields(self) -> list[Field]:
        return [self.query_one(f"#{i}", Field) for i in ("ap-title", "ap-start", "ap-end")]

    def _cross(self, notes: list[str] | None = None) -> dict[str, str | None]:
        """The end-after-start rule, once both times parse; shown under End after End's own reason."""
        span = self._span(notes)
        both_parse = all(self._parses(f.value) for f in self._fields()[1:])
        return {"ap-end-why": span if isinstance(span, str) and both_parse else None}

    @on(Field.Changed)
    @on(Select.Changed)
    def _validate(self) -> bool:
        if self._read_only:
            self.query_one("#save", Button).disabled = True
            return False
        self.say_error(None)
        notes: list[str] = []  # a time that happens twice (DST overlap): the first is taken, and said
        ok = check_form(self, self._fields(), self.query_one("#save", Button), self._cross(notes))
        if ok:
            start_note = self.query_one("#ap-start-why", Note)
            start_note.say(" ".join(notes) if notes else start_note.base_text)
        return ok

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_close()

    @on(Field.Submitted)
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        if self._read_only:
            self.app.notify(self._read_only, title="Read-only", severity="warning")
            return
        if not self._validate():
            explain_invalid(self, problems_of(self, self._fields(), self._cross()))
            return
        span = self._span()
        assert not isinstance(span, str)
        title = self.query_one("#ap-title", Field).value
        self._save(
            title=None if self._title_kept(title) else title.strip(),
            start=span[0],
            end=span[1],
            status=str(self.query_one("#ap-status", Select).value),
            notes=self.query_one("#ap-notes", Field).value,
        )

    def _title_kept(self, value: str) -> bool:
        """The title left as it was: not re-sent, so a title from Google (untitled, long, oddly spaced)
        stays exactly as Google has it."""
        return self.appointment is not None and value == self.appointment.title

    @work(thread=True, exclusive=True, exit_on_error=False, group="appointment-save")
    def _save(self, **fields: Any) -> None:
        if self.appointment is None:
            self.backend.add_appointment(self.login, **fields)
        else:
            self.backend.edit_appointment(self.appointment.id, **fields)
        self.post_message(self.Saved())

    @on(Saved)
    def _saved(self) -> None:
        self.dismiss(True)
