"""Command palette (ctrl+p): every section's "area: action" commands from anywhere; a dialog's own keys
while a dialog is open.

From the main screen the palette offers all sections' commands (tui.sections, plain data: nothing is
imported to list them); choosing one opens its section and runs the action once the section's data is
loaded. With a dialog open it offers that dialog's commands (its bindings), never the screen underneath.
It talks to the app only through tui.host.Console.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any, cast

from studiosync.tui.host import Console
from studiosync.tui.screens.dialog import DialogScreen
from studiosync.tui.sections import Command, visible
from textual.command import DiscoveryHit, Hit, Hits, Provider


@dataclass(frozen=True)
class Entry:
    """One line of the palette: its name ("area: action"), what choosing it runs, and its help text."""

    name: str
    run: Callable[[], object]
    help: str


def _run_in_section(console: Console, section: str, command: Command) -> None:
    def act(view: Any) -> None:
        getattr(view, f"action_{command.action}")()

    console.open_section(section, then=act)


def dialog_entries(screen: DialogScreen[Any]) -> Iterator[Entry]:
    """A dialog's commands: its bindings that have a description ("appointment: save  ctrl+s")."""
    area = str(getattr(screen, "AREA", "dialog"))
    seen: set[str] = set()
    for binding in screen._bindings.key_to_bindings.values():  # noqa: SLF001 - the screen's own keys
        for b in binding:
            if not b.description or b.description in seen:
                continue
            seen.add(b.description)
            key = screen.app.get_key_display(b)
            yield Entry(f"{area}: {b.description.lower()}", partial(screen.run_action, b.action), f"key {key}")


def global_entries(console: Console, admin: bool) -> Iterator[Entry]:
    for section in visible(admin):
        for command in section.commands:
            yield Entry(command.name, partial(_run_in_section, console, section.id, command), command.help)
    for section in visible(admin):
        yield Entry(
            f"go: {section.title.lower()}",
            partial(console.open_section, section.id),
            f"open {section.title} ({section.key.upper()})",
        )
    yield Entry("app: help", console.action_help, "help for this section (F1)")
    app: Any = console
    yield Entry(
        "app: show / hide the section list",
        partial(app.run_action, "screen.toggle_sidebar"),
        "ctrl+b; below 100 columns the list shows only the F-keys",
    )


class ConsoleCommands(Provider):
    def _entries(self) -> list[Entry]:
        screen = self.screen
        if isinstance(screen, DialogScreen):
            return list(dialog_entries(screen))
        console = cast("Console", self.app)
        if getattr(console.backend, "viewer", None) is None:
            return []  # not logged in yet
        return list(global_entries(console, console.backend.is_admin))

    async def discover(self) -> Hits:
        for entry in self._entries():
            yield DiscoveryHit(entry.name, entry.run, help=entry.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for entry in self._entries():
            score = matcher.match(entry.name)
            if score > 0:
                yield Hit(score, matcher.highlight(entry.name), entry.run, help=entry.help)
