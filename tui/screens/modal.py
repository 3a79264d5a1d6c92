"""Base class of dialogs: worker errors reported like everywhere else, Esc closes."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from textual.binding import Binding
from textual.screen import ModalScreen

from tui.workers import WorkerErrors

if TYPE_CHECKING:
    from tui.app import StudioSyncApp
    from tui.backend import Backend

T = TypeVar("T")


class Modal(WorkerErrors, ModalScreen[T]):
    BINDINGS = [Binding("escape", "close", "Close", id="dialog.close")]

    DEFAULT_CSS = """
    Modal { align: center middle; }
    Modal > .dialog {
        width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary 80%; background: $surface; padding: 0 1;
    }
    Modal .dialog-title { text-style: bold; color: $accent; width: 1fr; }
    Modal .buttons { height: auto; align-horizontal: right; margin-top: 1; }
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
