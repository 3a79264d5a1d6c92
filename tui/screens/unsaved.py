"""Save / Discard / Stay: asked before leaving a form (section, dialog or the console) with unsaved edits.

Stay has the focus, so Enter never loses anything.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from studiosync.tui.safe_text import Text
from studiosync.tui.screens.dialog import DialogBody, DialogScreen
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static


class Leavable(Protocol):
    """A form that can be left: saved (then `then` runs once the save succeeded) or discarded."""

    def unsaved(self) -> bool: ...

    def save_form(self, then: Callable[[], object] | None = None) -> bool: ...

    def discard_form(self) -> None: ...


class UnsavedScreen(DialogScreen[str]):
    AREA = "unsaved"
    BINDINGS = [
        Binding("escape", "answer('stay')", "Stay", id="unsaved.stay"),
        Binding("ctrl+s", "answer('save')", "Save", id="unsaved.save"),
        Binding("ctrl+d", "answer('discard')", "Discard", id="unsaved.discard"),
    ]

    def __init__(self, what: str) -> None:
        super().__init__()
        self._what = what

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text("Unsaved changes"), classes="dialog-title")
            with DialogBody():
                yield Static(Text(f"{self._what} has changes that are not saved. Save them before leaving?"))
            with Horizontal(classes="buttons"):
                yield Button("Save", variant="success", id="save")
                yield Button("Discard", variant="error", id="discard")
                yield Button("Stay", variant="primary", id="stay")

    def on_mount(self) -> None:
        self.query_one("#stay", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id or "stay")

    def action_answer(self, answer: str) -> None:
        self.dismiss(answer)


def confirm_leave(app: App[Any], form: Leavable, proceed: Callable[[], object], what: str = "") -> None:
    """Run `proceed` now if `form` has nothing unsaved; otherwise ask Save / Discard / Stay first."""
    if not form.unsaved():
        proceed()
        return

    def answered(answer: str | None) -> None:
        if answer == "save":
            form.save_form(then=proceed)  # invalid: it says what is wrong and we stay
        elif answer == "discard":
            form.discard_form()
            proceed()

    title = what or str(getattr(form, "TITLE", "") or "This form")
    app.push_screen(UnsavedScreen(title), answered)
