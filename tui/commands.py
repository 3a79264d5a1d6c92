"""Command palette (ctrl+p): "go: users" everywhere, plus the active section's own "area: action" commands.

Commands come from the section on screen, so "users: add" appears only where adding a user makes sense.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from studiosync.tui.screens.view import PaletteCommand
from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from studiosync.tui.app import StudioSyncApp


class ConsoleCommands(Provider):
    def _commands(self) -> list[PaletteCommand]:
        app: StudioSyncApp = self.app  # type: ignore[assignment]
        main = app.main_screen()
        if main is None:
            return []
        commands = [
            PaletteCommand(
                f"go: {title.lower()}", partial(app.open_section, section), f"open {title} ({key.upper()})"
            )
            for section, title, key in main.sections
        ]
        view = main.view(main.current)
        return [
            *view.palette(),
            *commands,
            PaletteCommand("app: help", app.action_help, "help for this section (F1)"),
        ]

    async def discover(self) -> Hits:
        for command in self._commands():
            yield DiscoveryHit(command.name, command.run, help=command.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self._commands():
            score = matcher.match(command.name)
            if score > 0:
                yield Hit(score, matcher.highlight(command.name), command.run, help=command.help)
