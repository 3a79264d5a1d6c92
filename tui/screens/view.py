"""Base class of the main screen's sections (Dashboard, Users, ...): shared plumbing, no layout."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual.containers import Vertical

from tui.workers import WorkerErrors

if TYPE_CHECKING:
    from tui.app import StudioSyncApp
    from tui.backend import Backend


@dataclass(frozen=True)
class PaletteCommand:
    """A command palette entry, named "area: action" (posting's convention)."""

    name: str
    run: Callable[[], object]
    help: str = ""


class View(WorkerErrors, Vertical):
    SECTION: ClassVar[str] = ""
    TITLE: ClassVar[str] = ""
    ADMIN_ONLY: ClassVar[bool] = True
    HELP: ClassVar[str] = ""

    DEFAULT_CSS = """
    View { height: 1fr; padding: 0 1; }
    View > .view-title { text-style: bold; color: $accent; height: 1; }
    """

    _activated = False

    @property
    def backend(self) -> Backend:
        return self.console.backend

    @property
    def console(self) -> StudioSyncApp:
        return self.app  # type: ignore[return-value]

    def activate(self) -> None:
        """The section became visible: load on first show, refresh on later ones."""
        self._activated = True
        self.reload()

    def reload(self) -> None:
        """Re-read data (in a worker)."""

    def palette(self) -> list[PaletteCommand]:
        return []

    def focus_first(self) -> None:
        """Put the focus on the section's main widget (its first focusable one) once it is laid out."""

        def _focus() -> None:
            for widget in self.screen.focus_chain:
                if self in widget.ancestors:
                    widget.focus()
                    return

        self.call_after_refresh(_focus)
