"""The main screen: sidebar of sections + the active section + footer. Sections switch by F-key or digit."""

from __future__ import annotations

from studiosync.tui.screens.view import View
from studiosync.tui.widgets.sidebar import Sidebar
from studiosync.tui.widgets.topbar import TopBar
from studiosync.tui.workers import WorkerErrors
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Footer, OptionList

# (section id, title, F-key, admin only). The order is the sidebar's; keys never change with the role.
SECTIONS: list[tuple[str, str, str, bool]] = [
    ("dashboard", "Dashboard", "f2", True),
    ("users", "Users", "f3", True),
    ("google", "Google tab", "f4", False),
    ("appointments", "Appointments", "f5", False),
    ("groups", "Client groups", "f6", True),
    ("prefs", "Company prefs", "f7", True),
    ("control", "Control Center", "f8", True),
    ("logs", "Logs", "f9", False),
    ("doctor", "Doctor", "f10", True),
]


def _section_bindings() -> list[Binding]:
    bindings = []
    for number, (section, title, key, _admin) in enumerate(SECTIONS, start=1):
        bindings.append(
            Binding(f"{key},{number}", f"section('{section}')", title, show=False, id=f"go.{section}")
        )
    return bindings


def make_view(section: str) -> View:
    # Imported here: each section is its own module, loaded when the main screen is built.
    from studiosync.tui.screens.appointments import AppointmentsView
    from studiosync.tui.screens.company_prefs import CompanyPrefsView
    from studiosync.tui.screens.control_center import ControlCenterView
    from studiosync.tui.screens.dashboard import DashboardView
    from studiosync.tui.screens.doctor import DoctorView
    from studiosync.tui.screens.google_tab import GoogleView
    from studiosync.tui.screens.groups import GroupsView
    from studiosync.tui.screens.logs import LogsView
    from studiosync.tui.screens.users import UsersView

    classes = {
        "dashboard": DashboardView,
        "users": UsersView,
        "google": GoogleView,
        "appointments": AppointmentsView,
        "groups": GroupsView,
        "prefs": CompanyPrefsView,
        "control": ControlCenterView,
        "logs": LogsView,
        "doctor": DoctorView,
    }
    return classes[section](id=section)


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
        self.sections = [(s, t, k) for s, t, k, admin_only in SECTIONS if admin or not admin_only]
        allowed = {s for s, _, _ in self.sections}
        self.current = start if start in allowed else self.sections[0][0]

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
        yield Footer()

    def on_mount(self) -> None:
        self.show_section(self.current)
        # The top bar's minute only moves with a live clock; a fixed clock (tests) leaves it still.
        self.set_interval(30, self._paint_topbar)

    _views: dict[str, View]

    def view(self, section: str) -> View:
        if not hasattr(self, "_views"):
            self._views = {}
        if section not in self._views:
            self._views[section] = make_view(section)
        return self._views[section]

    def has_section(self, section: str) -> bool:
        return any(s == section for s, _, _ in self.sections)

    def show_section(self, section: str, *, focus: bool = True) -> View | None:
        if not self.has_section(section):
            self.app.notify("That section is for admins only.", severity="warning")
            return None
        self.current = section
        self.query_one(Sidebar).select_section(section)
        self._paint_topbar()
        view = self.view(section)
        switcher = self.query_one(ContentSwitcher)
        if view.is_mounted:
            switcher.current = section
            view.activate()
            if focus:
                view.focus_first()
            return view

        async def mounted() -> None:
            await switcher.mount(view)
            if self.current == section:
                switcher.current = section
            view.activate()
            if focus and self.current == section:
                view.focus_first()

        self.call_later(mounted)
        return view

    def _paint_topbar(self) -> None:
        app = self.app
        backend = app.backend  # type: ignore[attr-defined]
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
