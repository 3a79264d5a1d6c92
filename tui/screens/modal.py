"""Base class of dialogs: worker errors reported like everywhere else, Esc closes."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from studiosync.tui.widgets.note import Note
from studiosync.tui.workers import WorkerErrors
from textual import events
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen

if TYPE_CHECKING:
    from studiosync.tui.app import StudioSyncApp
    from studiosync.tui.backend import Backend
    from textual.widget import Widget

T = TypeVar("T")


class DialogBody(VerticalScroll, can_focus=False):
    """A dialog's fields: scrolls to the focused field; Tab goes field to field, not to the container."""

    DEFAULT_CLASSES = "dialog-body"

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # Focusing only scrolls the field itself into view; its note (the validation message) is the line
        # under it, so bring that into view as well once the focus scroll is done.
        line: Widget = event.widget
        while line.parent is not None and line.parent is not self:
            line = line.parent  # type: ignore[assignment]
        siblings = list(self.children)
        if line in siblings:
            after = siblings[siblings.index(line) + 1 :]
            if after and isinstance(after[0], Note):
                self.call_after_refresh(self.scroll_to_widget, after[0], animate=False)


class Modal(WorkerErrors, ModalScreen[T]):
    BINDINGS = [Binding("escape", "close", "Close", id="dialog.close")]

    DEFAULT_CSS = """
    Modal { align: center middle; }
    Modal > .dialog {
        width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary 80%; background: $surface; padding: 0 1;
    }
    Modal .dialog-title { text-style: bold; color: $accent; width: 1fr; }
    /* The body scrolls when the terminal is short (80x24 with a validation note or two); the buttons
       are docked at the bottom of the dialog, so Save and Cancel are always on screen. */
    Modal .dialog-body { height: auto; max-height: 1fr; }
    Modal .buttons { height: auto; align-horizontal: right; margin-top: 1; dock: bottom; }
    Modal .buttons Button { margin-left: 1; }
    """

    @property
    def backend(self) -> Backend:
        return self.console.backend

    @property
    def console(self) -> StudioSyncApp:
        return self.app  # type: ignore[return-value]

    def action_close(self) -> None:
        self.dismiss(None)
