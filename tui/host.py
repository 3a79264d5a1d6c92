"""What the console's screens may ask of the app: the one interface between screens and StudioSyncApp.

Screens, dialogs and the command palette type `self.app` as `Console` instead of importing the app
module, so the imports only ever point one way (app -> screens -> this). It must never import a screen
or the app.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from studiosync.core.studio.studio import Studio
    from studiosync.tui.backend import Backend


class Console(Protocol):
    studio: Studio
    backend: Backend
    blink_cursor: bool

    def report_error(self, error: BaseException, *, where: str = "") -> str: ...

    def open_section(self, section: str, then: Callable[[Any], object] | None = None) -> None: ...

    def open_google_tab(self, login: str) -> None: ...

    def open_appointments(self, login: str) -> None: ...

    def action_help(self) -> None: ...
