"""Ask for one name (new client group, rename): validated as you type, returns the name or None."""

from __future__ import annotations

from studiosync.tui.safe_text import Text
from studiosync.tui.screens.modal import DialogBody, Modal
from studiosync.tui.widgets.field import Field
from studiosync.tui.widgets.form import check_form, rule
from studiosync.tui.widgets.note import Note
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static


class NamePrompt(Modal[str | None]):
    def __init__(self, title: str, question: str, value: str = "", *, taken: set[str] | None = None) -> None:
        super().__init__()
        self._title, self._question, self._value = title, question, value
        self._taken = {t.lower() for t in (taken or set())} - {value.lower()}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self._title), classes="dialog-title")
            with DialogBody():
                yield Static(Text(self._question))
                yield Field(
                    self._value,
                    id="name",
                    validators=[
                        rule(lambda v: bool(v.strip()), "a name is required"),
                        rule(lambda v: len(v.strip()) <= 80, "at most 80 characters"),
                        rule(lambda v: v.strip().lower() not in self._taken, "that name is already used"),
                    ],
                )
                yield Note("", id="name-why")
            with Horizontal(classes="buttons"):
                yield Button("OK", variant="primary", id="ok", disabled=True)
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self._validate()
        self.query_one("#name", Field).focus()

    @on(Field.Changed)
    def _validate(self) -> bool:
        return check_form(self, [self.query_one("#name", Field)], self.query_one("#ok", Button))

    @on(Field.Submitted)
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        if self._validate():
            self.dismiss(self.query_one("#name", Field).value.strip())

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)
