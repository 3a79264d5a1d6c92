"""The console as a browser session runs it (tui.web.app.WebConsoleApp), driven headless with a pilot.

The real browser is in tests/web/test_browser.py; here are the rules that need no browser: typed login,
password always, the idle timeout, Log out, Change my password, and what a non-admin gets.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from studiosync.core import logs
from studiosync.core.studio.studio import Studio
from studiosync.tui.screens.login import LoginScreen
from studiosync.tui.screens.main import MainScreen
from studiosync.tui.screens.password import PasswordScreen
from studiosync.tui.web.app import WebConsoleApp
from studiosync.tui.web.context import WebContext
from textual.widgets import Button

from tests.tui.screen_text import screen_text, settle

ANN = "ann password 1"


@pytest.fixture
def logs_configured(tui_studio: Studio) -> Iterator[None]:
    logs.configure(tui_studio.datadir.logs, process="web")
    yield
    logs.shutdown()


def make_web_app(studio: Studio, *, idle: float = 1800.0) -> WebConsoleApp:
    web = WebContext(client="192.0.2.10", session="s1", idle_seconds=idle, title="Lumen Studio")
    return WebConsoleApp(studio, web, blink_cursor=False)


def words(app: WebConsoleApp) -> str:
    """The screen's words in order: line breaks, padding and the box's side borders folded away."""
    return " ".join(screen_text(app).replace("█", " ").split())


def records(studio: Studio, message: str) -> list[dict]:
    path = studio.datadir.logs / "studiosync.log"
    lines = path.read_text().splitlines() if path.exists() else []
    return [r for r in map(json.loads, lines) if r["message"] == message]


async def log_in(pilot, login: str, password: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press(*login, "tab")
    await pilot.press(*password, "enter")
    await settle(pilot)


async def test_the_login_is_typed_and_lists_nobody(tui_studio: Studio) -> None:
    app = make_web_app(tui_studio)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        text = words(app)
        assert isinstance(app.screen, LoginScreen) and "Lumen Studio" in text
        assert "Pat Owner" not in text and "choose a user" not in text
        assert "Ask IT to set your password" in text
        assert not app.backend.first_run()  # the no-password shortcut is terminal-only


async def test_nobody_without_a_password_gets_in(tui_studio: Studio) -> None:
    app = make_web_app(tui_studio)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await log_in(pilot, "ann", "")
        assert isinstance(app.screen, LoginScreen)
        assert "ann has no password for the browser yet: ask IT to set your password" in words(app)


async def test_a_non_admin_sees_exactly_the_terminal_sections(tui_studio: Studio, logs_configured) -> None:
    tui_studio.users.set_password("ann", ANN)
    app = make_web_app(tui_studio)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await log_in(pilot, "ann", ANN)
        assert isinstance(app.screen, MainScreen)
        assert [s for s, _t, _k in app.screen.sections] == ["google", "appointments", "logs"]
        assert app.screen.current == "google" and not app.backend.is_admin
        assert not app.embedded_scheduler  # one process per tab must not each run the studio's jobs
        login = records(tui_studio, "web login")[-1]
        assert (login["login"], login["address"], login["user"]) == ("ann", "192.0.2.10", "ann")


async def test_log_out_button_ends_the_session_and_is_logged(tui_studio: Studio, logs_configured) -> None:
    tui_studio.users.set_password("ann", ANN)
    app = make_web_app(tui_studio)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await log_in(pilot, "ann", ANN)
        assert app.screen.query_one("#top-logout", Button).label.plain == "Log out"
        await pilot.click("#top-logout")
        await settle(pilot)
    assert app.return_code == 0
    logout = records(tui_studio, "web logout")[-1]
    assert (logout["login"], logout["reason"], logout["session"]) == ("ann", "logged out", "s1")


@pytest.mark.parametrize("key", ["ctrl+l", "ctrl+q"])
async def test_log_out_keys(tui_studio: Studio, key: str) -> None:
    tui_studio.users.set_password("ann", ANN)
    app = make_web_app(tui_studio)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await log_in(pilot, "ann", ANN)
        assert isinstance(app.screen, MainScreen)
        await pilot.press(key)
        await settle(pilot)
    assert app.logout_reason == "logged out" and app.return_code == 0


async def test_an_idle_session_logs_out(tui_studio: Studio, logs_configured) -> None:
    tui_studio.users.set_password("ann", ANN)
    app = make_web_app(tui_studio, idle=60)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await log_in(pilot, "ann", ANN)
        app._check_idle()  # input just now: stays
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        app.last_input -= 61  # a minute without a key or a click
        app._check_idle()
        await settle(pilot)
    assert records(tui_studio, "web logout")[-1]["reason"] == "idle for 1 min"


async def test_a_user_changes_their_own_password(tui_studio: Studio) -> None:
    tui_studio.users.set_password("ann", ANN)
    app = make_web_app(tui_studio)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await log_in(pilot, "ann", ANN)
        await pilot.click("#top-password")
        await settle(pilot)
        assert isinstance(app.screen, PasswordScreen)
        await pilot.press(*"wrong one", "tab", *"brand new pw", "tab", *"brand new pw", "enter")
        await settle(pilot)
        assert "the current password is wrong" in screen_text(app)
        app.screen.query_one("#pw-current").value = ANN
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, PasswordScreen)
    assert tui_studio.users.check_password("ann", "brand new pw")
    assert not tui_studio.users.check_password("ann", ANN)


async def test_a_tab_left_on_the_login_screen_ends_after_five_minutes(tui_studio: Studio) -> None:
    app = make_web_app(tui_studio)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.last_input -= 299
        app._check_idle()
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        app.last_input -= 2
        app._check_idle()
        await settle(pilot)
    assert app.logout_reason == "idle for 5 min"


async def test_the_terminal_console_offers_change_my_password_in_the_palette(make_app) -> None:
    app = make_app(login="pat")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Change my password" in titles and "Quit" in titles
        app.action_change_password()
        await settle(pilot)
        assert isinstance(app.screen, PasswordScreen)
