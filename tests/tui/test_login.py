"""Login: 'Log in to the software as the appropriate user'."""

from __future__ import annotations

from studiosync.tui.screens.login import LoginScreen
from studiosync.tui.screens.main import MainScreen
from textual.widgets import Select

from tests.tui.screen_text import screen_text, settle


async def test_wrong_password_is_refused_and_right_one_enters(make_app) -> None:
    app = make_app(login=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert "Log in to the software as the appropriate user" in screen_text(app)
        app.screen.query_one("#login-user", Select).value = "pat"
        await pilot.pause()
        await pilot.press(*"nope", "enter")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert "wrong password" in screen_text(app)
        await pilot.press(*"secretpw", "enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert app.backend.viewer.login == "pat" and app.backend.is_admin
        assert "Dashboard" in screen_text(app)


async def test_user_without_password_cannot_log_in_once_an_admin_has_one(make_app) -> None:
    app = make_app(login=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.screen.query_one("#login-user", Select).value = "ann"
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert "ask an admin to set one" in screen_text(app)


async def test_first_run_lets_anyone_in_without_a_password(make_app, tui_studio) -> None:
    tui_studio.users.set_password("pat", None)
    app = make_app(login=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "First-run setup" in screen_text(app)
        app.screen.query_one("#login-user", Select).value = "ann"
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        # A non-admin sees only their own Google tab, appointments and logs.
        assert [s for s, _, _ in app.screen.sections] == ["google", "appointments", "logs"]
        text = screen_text(app)
        assert "Users" not in text and "Control Center" not in text


async def test_console_login_option_still_asks_for_the_password(make_app) -> None:
    app = make_app(login="pat", ask_password=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert app.screen.query_one("#login-user", Select).value == "pat"
        await pilot.press(*"secretpw", "enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
