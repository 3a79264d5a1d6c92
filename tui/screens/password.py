"""Change my password: anyone logged in sets their own console password (current one first)."""

from __future__ import annotations

from studiosync.core.studio.passwords import MIN_LENGTH
from studiosync.tui.screens.modal import DialogBody, Modal
from studiosync.tui.widgets.field import Field
from studiosync.tui.widgets.form import check_form
from studiosync.tui.widgets.note import Note
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Label, Static


class PasswordScreen(Modal[bool]):
    """Returns True when the password was changed."""

    BINDINGS = [
        Binding("escape", "close", "Cancel", id="password.cancel"),
        Binding("ctrl+s", "save", "Save", id="password.save"),
    ]
    DEFAULT_CSS = """
    PasswordScreen .row { height: auto; }
    PasswordScreen Label { width: 12; padding-top: 1; }
    PasswordScreen Note { padding: 0 0 0 12; }
    """

    class Saved(Message):
        pass

    class Refused(Message):
        def __init__(self, reason: str) -> None:
            super().__init__()
            self.reason = reason

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Change my password", classes="dialog-title")
            with DialogBody():
                with Horizontal(classes="row"):
                    yield Label("Current")
                    yield Field(password=True, id="pw-current", placeholder="your password now")
                with Horizontal(classes="row"):
                    yield Label("New")
                    yield Field(password=True, id="pw-new", placeholder=f"at least {MIN_LENGTH} characters")
                with Horizontal(classes="row"):
                    yield Label("Again")
                    yield Field(password=True, id="pw-again")
                yield Note("Used to log in here and in the browser.", id="pw-why")
            with Horizontal(classes="buttons"):
                yield Button("Save", variant="primary", id="save", disabled=True)
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#pw-current", Field).focus()

    @on(Field.Changed)
    def _validate(self) -> bool:
        new = self.query_one("#pw-new", Field).value
        again = self.query_one("#pw-again", Field).value
        problem = None
        if new and len(new) < MIN_LENGTH:
            problem = f"use at least {MIN_LENGTH} characters"
        elif again and new != again:
            problem = "the two new passwords differ"
        save = self.query_one("#save", Button)
        ok = check_form(self, [], save, {"pw-why": problem})
        save.disabled = not (ok and new and new == again)
        return not save.disabled

    @on(Button.Pressed, "#cancel")
    def action_close(self) -> None:
        self.dismiss(False)

    @on(Button.Pressed, "#save")
    @on(Field.Submitted)
    def action_save(self) -> None:
        if not self._validate():
            return
        self._save(self.query_one("#pw-current", Field).value, self.query_one("#pw-new", Field).value)

    @work(thread=True, exclusive=True, exit_on_error=False, group="password-save")
    def _save(self, current: str, new: str) -> None:
        from studiosync.core.errors import InputError

        try:
            self.backend.change_own_password(current, new)
        except InputError as exc:
            self.post_message(self.Refused(exc.message))
            return
        self.post_message(self.Saved())

    @on(Refused)
    def _refused(self, event: Refused) -> None:
        self.query_one("#pw-why", Note).say(event.reason, error=True)

    @on(Saved)
    def _saved(self) -> None:
        self.app.notify("Password changed.")
        self.dismiss(True)
