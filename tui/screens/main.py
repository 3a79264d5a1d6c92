"""The main screen: sidebar of sections + the active section + footer. Sections switch by F-key or digit.

A section's module is imported and its view mounted the first time it is shown (tui.sections says which
module holds it), so the first paint only pays for the section on screen. Leaving a section that holds
unsaved edits asks Save / Discard / Stay first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from studiosync.tui.screens.unsaved import confirm_leave
from studiosync.tui.screens.view import View
from studiosync.tui.sections import BY_ID, SECTIONS, visible
from studiosync.tui.widgets.sidebar import COLLAPSE_BELOW, Sidebar
from studiosync.tui.widgets.topbar import TopBar
from studiosync.tui.workers import WorkerErrors
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Footer, OptionList


def _section_bindings() -> list[Binding]:
    bindings = []
    for number, section in enumerate(SECTIONS, start=1):
        bindings.append(
            Binding(
                f"{section.key},{number}",
                f"section('{section.id}')",
                section.title,
                show=False,
                id=f"go.{section.id}",
            )
        )
    return bindings


class MainScreen(WorkerErrors, Screen[None]):
    BINDINGS = [
        *_section_bindings(),
        Binding("ctrl+b", "toggle_sidebar", "Sidebar", show=False, id="main.sidebar"),
    ]
    DEFAULT_CSS = """
    MainScreen #body { height: 1fr; }
    MainScreen ContentSwitcher { width: 1fr; height: 1fr; }
    """

    def __init__(self, *, admin: bool, start: str | None = None) -> None:
        super().__init__()
        self.sections = [(s.id, s.title, s.key) for s in visible(admin)]
        allowed = {s for s, _, _ in self.sections}
        self.current = start if start in allowed else self.sections[0][0]
        self._views: dict[str, View] = {}

    def compose(self) -> ComposeResult:
        # The browser console adds visible Log out / Password buttons beside the top bar (app.top_buttons).
        buttons = list(getattr(self.app, "top_buttons", lambda: [])())
        if buttons:
            with Horizontal(id="top"):
                yield TopBar(id="topbar")
                yield from buttons
        else:
            yield TopBar(id="topbar")
        with Horizontal(id="body"):
            yield Sidebar([(s, t, k.upper()) for s, t, k in self.sections], id="sidebar")
            # Sections are mounted the first time they are shown: a quick first paint over SSH.
            yield ContentSwitcher()
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(Sidebar).collapse(self.app.size.width < COLLAPSE_BELOW)
        self.show_section(self.current)
        # The top bar's minute only moves with a live clock; a fixed clock (tests) leaves it still.
        self.set_interval(30, self._paint_topbar)

    def on_resize(self, event: events.Resize) -> None:
        self.query_one(Sidebar).collapse(event.size.width < COLLAPSE_BELOW)

    def view(self, section: str) -> View:
        if section not in self._views:
            self._views[section] = BY_ID[section].load()(id=section)
        return self._views[section]

    def current_view(self) -> View | None:
        return self._views.get(self.current)

    def has_section(self, section: str) -> bool:
        return any(s == section for s, _, _ in self.sections)

    def show_section(
        self, section: str, *, focus: bool = True, then: Callable[[View], object] | None = None
    ) -> None:
        """Switch to `section` (asking first if the current one has unsaved edits); `then(view)` runs
        once the section's data is loaded."""
        if not self.has_section(section):
            self.app.notify("That section is for admins only.", severity="warning")
            return
        leaving = self._views.get(self.current)
        if section != self.current and leaving is not None and leaving.unsaved():
            confirm_leave(self.app, leaving, lambda: self._show(section, focus, then))
            return
        self._show(section, focus, then)

    def _show(self, section: str, focus: bool, then: Callable[[View], object] | None) -> None:
        self.current = section
        self.query_one(Sidebar).select_section(section)
        self._paint_topbar()
        view = self.view(section)
        if then is not None:
            view.when_loaded(lambda: then(view))
        switcher = self.query_one(ContentSwitcher)
        if view.is_mounted:
            switcher.current = section
            view.activate()
            if focus:
                view.focus_first()
            return

        async def mounted() -> None:
            await switcher.mount(view)
            if self.current == section:
                switcher.current = section
            view.activate()
            if focus and self.current == section:
                view.focus_first()

        self.call_later(mounted)

    def _paint_topbar(self) -> None:
        backend: Any = self.app.backend  # type: ignore[attr-defined]
        title = next(t for s, t, _ in self.sections if s == self.current)
        viewer = backend.viewer
        self.query_one(TopBar).show(
            section=title,
            who=f"{viewer.name} ({viewer.login})" if viewer else "",
            admin=backend.is_admin,
            now=backend.now(),
            tz=backend.tz(),
            demo=backend.demo,
        )

    def action_section(self, section: str) -> None:
        self.show_section(section)

    def action_toggle_sidebar(self) -> None:
        self.query_one(Sidebar).toggle_class("-hidden")

    @on(OptionList.OptionSelected, "#sidebar")
    def _sidebar_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id and event.option.id != self.current:
            self.show_section(event.option.id)
