"""The look of every dialog: a centred box, a scrolling body, buttons docked at its bottom and a key line.

`DialogScreen` is the bare base (no services): the key line under the box names the dialog's keys, taken
from its live bindings, so ctrl+s, Esc or y are never undiscoverable. Dialogs that talk to core derive
from `Modal` (tui.screens.modal) instead.
"""

from __future__ import annotations

from typing import TypeVar

from studiosync.tui.safe_text import Text
from textual import events
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Footer, Static

T = TypeVar("T")


class DialogBody(VerticalScroll, can_focus=False):
    """A dialog's fields: scrolls to the focused field; Tab goes field to field, not to the container."""

    DEFAULT_CLASSES = "dialog-body"

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # Focusing only scrolls the field itself into view; its note (the validation message) is the line
        # under it, so bring that into view as well once the focus scroll is done.
        from studiosync.tui.widgets.note import Note

        line: Widget = event.widget
        while line.parent is not None and line.parent is not self:
            line = line.parent  # type: ignore[assignment]
        siblings = list(self.children)
        if line in siblings:
            after = siblings[siblings.index(line) + 1 :]
            if after and isinstance(after[0], Note):
                self.call_after_refresh(self.scroll_to_widget, after[0], animate=False)


class DialogScreen(ModalScreen[T]):
    """A dialog; subclasses compose a `Vertical(classes="dialog")`. The footer shows their keys."""

    AREA = "dialog"  # the palette names this dialog's commands "<AREA>: <action>"
    DEFAULT_CSS = """
    DialogScreen { align: center middle; }
    DialogScreen > .dialog {
        width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary 80%; background: $surface; padding: 0 1;
    }
    DialogScreen > Footer { dock: bottom; }
    DialogScreen .dialog-title { text-style: bold; color: $accent; width: 1fr; }
    /* The body scrolls when the terminal is short (80x24 with a validation note or two); the buttons
       are docked at the bottom of the dialog, so Save and Cancel are always on screen. */
    DialogScreen .dialog-body { height: auto; max-height: 1fr; }
    DialogScreen .dialog-error { color: $text-error; height: auto; display: none; }
    DialogScreen .dialog-error.-shown { display: block; }
    DialogScreen .buttons { height: auto; align-horizontal: right; margin-top: 1; dock: bottom; }
    DialogScreen .buttons Button { margin-left: 1; }
    """

    def on_mount(self) -> None:
        # Every dialog gets the footer with its keys (Textual calls each class's on_mount in the MRO).
        if not self.query(Footer):
            self.mount(Footer(compact=True, show_command_palette=False))

    def say_error(self, text: str | None) -> None:
        """Show a one-line failure inside the dialog (the typed values stay), or clear it."""
        for line in self.query(".dialog-error").results(Static):
            line.update(Text(text or ""))
            line.set_class(bool(text), "-shown")
