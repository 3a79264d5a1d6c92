"""Ask for one name (new client group, rename): validated as you type, saved inside the dialog.

With `save`, the dialog saves the name itself (in a worker) and closes only once it is saved: a refusal
("already exists") shows as one line in the dialog and the typed name stays. Returns the name or None.
"""

from __future__ import annotations

from collections.abc import Callable

from studiosync.tui.safe_text import Text
from studiosync.tui.screens.modal import DialogBody, Modal
from studiosync.tui.widgets.field import Field
from studiosync.tui.widgets.form import check_form, explain_invalid, problems_of, rule
from studiosync.tui.widgets.note import Note
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Static


class NamePrompt(Modal[str | None]):
    AREA = "name"
    BINDINGS = [
        Binding("escape", "close", "Cancel", id="name.cancel"),
        Binding("ctrl+s", "save", "OK", id="name.ok"),
    ]

    class Saved(Message):
        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name

    def __init__(
        self,
        title: str,
        question: str,
        value: str = "",
        *,
        taken: set[str] | None = None,
        save: Callable[[str], object] | None = None,
    ) -> None:
        super().__init__()
        self._title, self._question, self._value, self._save_with = title, question, value, save
        self._taken = {t.lower() for t in (taken or set())} - {value.lower()}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self._title), classes="dialog-title")
            with DialogBody():
                yield Static(Text(self._question))
                yield Field(
                    self._value,
                    id="name",
                    label="Name",
                    validators=[
                        rule(lambda v: bool(v.strip()), "a name is required"),
                        rule(lambda v: len(v.strip()) <= 80, "at most 80 characters"),
                        rule(lambda v: v.strip().lower() not in self._taken, "that name is already used"),
                    ],
                )
                yield Note("", id="name-why")
                yield Static("", classes="dialog-error")
            with Horizontal(classes="buttons"):
                yield Button("OK", variant="primary", id="ok", disabled=True)
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self._validate()
        self.query_one("#name", Field).focus()

    @on(Field.Changed)
    def _validate(self) -> bool:
        self.say_error(None)
        return check_form(self, [self.query_one("#name", Field)], self.query_one("#ok", Button))

    def unsaved(self) -> bool:
        return self.query_one("#name", Field).value.strip() != self._value.strip()

    def save_form(self, then: object = None) -> bool:
        self.action_save()
        return True

    @on(Field.Submitted)
    @on(Button.Pressed, "#ok")
    def action_save(self) -> None:
        if not self._validate():
            explain_invalid(self, problems_of(self, [self.query_one("#name", Field)]))
            return
        name = self.query_one("#name", Field).value.strip()
        if self._save_with is None:
            self.dismiss(name)
        else:
            self.query_one("#ok", Button).disabled = True
            self._save(name)

    @work(thread=True, exclusive=True, exit_on_error=False, group="name-save")
    def _save(self, name: str) -> None:
        assert self._save_with is not None
        self._save_with(name)
        self.post_message(self.Saved(name))

    def worker_failed(self, message: str) -> None:
        super().worker_failed(message)
        self.query_one("#ok", Button).disabled = False
        self.query_one("#name", Field).focus()

    @on(Saved)
    def _saved(self, event: Saved) -> None:
        self.dismiss(event.name)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_close()
