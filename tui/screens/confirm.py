"""Yes/no before anything destructive; the safe button has the focus, so Enter never destroys."""

from __future__ import annotations

from studiosync.tui.safe_text import Text
from studiosync.tui.screens.modal import DialogBody, Modal
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static


class ConfirmScreen(Modal[bool]):
    AREA = "confirm"
    BINDINGS = [
        Binding("escape,n", "answer(False)", "Cancel", id="confirm.cancel"),
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),  # shown: y is never a surprise
    ]

    def __init__(self, title: str, detail: str, *, yes: str = "Remove", no: str = "Cancel") -> None:
        super().__init__()
        self._title, self._detail, self._yes, self._no = title, detail, yes, no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self._title), classes="dialog-title")
            with DialogBody():
                yield Static(Text(self._detail), id="confirm-detail")
            with Horizontal(classes="buttons"):
                yield Button(self._yes, variant="error", id="yes")
                yield Button(self._no, variant="primary", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
