"""Base class of the dialogs that talk to core: worker errors shown inside the dialog, Esc closes.

A failed save (a duplicate name, a refused value) shows its one line in the dialog's error line and the
dialog stays open with everything typed; the traceback never reaches the screen (tui.workers). A dialog
holding a form asks Save / Discard / Stay before Esc or Cancel drops its edits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar, cast

from studiosync.tui.screens.dialog import DialogBody, DialogScreen
from studiosync.tui.screens.unsaved import confirm_leave
from studiosync.tui.workers import WorkerErrors
from textual.binding import Binding

if TYPE_CHECKING:
    from studiosync.tui.backend import Backend
    from studiosync.tui.host import Console

T = TypeVar("T")

__all__ = ["DialogBody", "Modal"]


class Modal(WorkerErrors, DialogScreen[T]):
    BINDINGS = [Binding("escape", "close", "Close", id="dialog.close")]

    @property
    def backend(self) -> Backend:
        return self.console.backend

    @property
    def console(self) -> Console:
        return cast("Console", self.app)

    def worker_failed(self, message: str) -> None:
        """A worker of this dialog failed: say so inside it; the dialog and its fields stay."""
        if self.query(".dialog-error"):
            self.say_error(message)
        else:
            self.app.notify(message, title="Error", severity="error", timeout=8)

    # -- forms ---------------------------------------------------------------------------------------
    def unsaved(self) -> bool:
        return False

    def save_form(self, then: Callable[[], object] | None = None) -> bool:
        return False

    def discard_form(self) -> None:
        """Nothing to undo: closing drops the dialog's fields."""

    def cancel_value(self) -> T | None:
        return None

    def action_close(self) -> None:
        confirm_leave(self.app, self, lambda: self.dismiss(self.cancel_value()), str(self.AREA).capitalize())
