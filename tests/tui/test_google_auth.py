"""Authenticate My Google Account through the Google emulator, then set the whole Google tab up."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from studiosync.core.demo import Demo, build_demo
from studiosync.tui.app import StudioSyncApp
from studiosync.tui.clock import fixed_clock
from studiosync.tui.screens.google_auth import GoogleAuthScreen
from studiosync.tui.screens.google_tab import AUTHENTICATE, REMOVE, GoogleView
from studiosync.tui.widgets.field import Field
from textual.widgets import Button, Checkbox, Select

from tests.helpers.browser import consent_redirect
from tests.tui.conftest import NOW
from tests.tui.screen_text import notices, screen_text, settle, type_into

CARA = "cara@studio-demo.test"


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    built = build_demo(tmp_path / "demo")
    yield built
    built.close()


def console(demo: Demo, *, demo_mode: bool) -> StudioSyncApp:
    app = StudioSyncApp(
        demo.studio,
        clock=fixed_clock(NOW),
        login="pat",
        demo=demo_mode,
        embedded_scheduler=False,
        blink_cursor=False,
    )
    app.backend.login_hints = dict(demo.accounts)
    return app


async def start_auth(app: StudioSyncApp, pilot) -> GoogleAuthScreen:
    await settle(pilot)
    app.open_google_tab("cara")
    await settle(pilot, rounds=3)
    view = app.screen.query_one(GoogleView)
    button = view.query_one("#g-auth", Button)
    assert str(button.label) == AUTHENTICATE
    button.press()
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, GoogleAuthScreen)
    for _ in range(50):  # the session (a loopback listener) starts in a worker
        if screen.session is not None:
            break
        await pilot.pause(0.05)
    assert screen.session is not None
    return screen


async def test_authenticate_in_one_step_then_set_up_the_whole_tab(demo: Demo) -> None:
    app = console(demo, demo_mode=True)
    studio = demo.studio
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await start_auth(app, pilot)
        assert f"localhost:{screen.session.port}" in screen_text(app)
        await pilot.click("#auth-demo")
        await settle(pilot, rounds=4)
        assert not isinstance(app.screen, GoogleAuthScreen)
        assert studio.google.is_authenticated("cara")
        view = app.screen.query_one(GoogleView)
        assert str(view.query_one("#g-auth", Button).label) == REMOVE
        assert studio.users.google_prefs("cara").account_email == CARA

        # Calendars come from Google: the read-only holiday calendar is not offered.
        calendar = view.query_one("#g-calendar", Select)
        options = {str(label): value for label, value in calendar._options if value is not Select.NULL}  # noqa: SLF001
        assert "Studio bookings" in options and not any("holidays" in k for k in options)

        await pilot.click("#g-enabled")
        await pilot.pause()
        assert view.query_one("#g-save", Button).disabled  # no calendar, no email yet
        calendar.value = options["Studio bookings"]
        for box in (
            "#g-populate-google",
            "#g-populate-studio",
            "#g-two-way",
            "#g-tentative",
            "#g-contacts",
            "#g-warn",
            "#g-detailed",
        ):
            view.query_one(box, Checkbox).value = True
        group = studio.groups.get("Google contacts")
        view.query_one("#g-group", Select).value = group.id
        await type_into(pilot, view.query_one("#g-warn-email", Field), CARA[:-5], ".test")
        await pilot.pause()
        assert not view.query_one("#g-save", Button).disabled
        await pilot.press("ctrl+s")
        await settle(pilot, rounds=3)

        prefs = studio.users.google_prefs("cara")
        assert prefs.enabled and prefs.calendar_id == options["Studio bookings"]
        assert prefs.calendar_summary == "Studio bookings"
        assert prefs.populate_google and prefs.populate_studio and prefs.two_way and prefs.tentative
        assert prefs.contacts and prefs.client_group == group.id
        assert prefs.warn_email == CARA and prefs.detailed_logs
        assert "Saved the Google tab of cara." in notices(app)


async def test_pasting_the_redirected_address_completes_the_sign_in(demo: Demo) -> None:
    app = console(demo, demo_mode=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await start_auth(app, pilot)
        assert not screen.query("#auth-demo")  # the one-step button exists only in the demo
        paste = screen.query_one("#auth-paste", Field)
        await type_into(pilot, paste, "http://localhost:1/?nothing=her", "e")
        await pilot.press("enter")
        await pilot.pause()
        assert "no code=" in screen_text(app)
        paste.value = consent_redirect(screen.session.url)  # Allow on the consent page
        await pilot.press("enter")
        await settle(pilot, rounds=4)
        assert demo.studio.google.is_authenticated("cara")
        assert not isinstance(app.screen, GoogleAuthScreen)


async def test_cancel_leaves_the_account_unauthenticated(demo: Demo) -> None:
    app = console(demo, demo_mode=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await start_auth(app, pilot)
        assert app.focused is not None and app.focused.id in ("auth-demo", "auth-cancel")
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, GoogleAuthScreen)
        assert screen.session.done
        assert not demo.studio.google.is_authenticated("cara")


async def test_authenticating_keeps_the_boxes_ticked_before_it(demo: Demo) -> None:
    """Authentication refreshes the account part only: Enable Google Sync ticked before it stays ticked."""
    app = console(demo, demo_mode=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_google_tab("cara")
        await settle(pilot, rounds=3)
        view = app.screen.query_one(GoogleView)
        view.query_one("#g-enabled", Checkbox).value = True
        view.query_one("#g-tentative", Checkbox).value = True
        await pilot.pause()
        await pilot.press("ctrl+a")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, GoogleAuthScreen)
        for _ in range(50):
            if screen.session is not None:
                break
            await pilot.pause(0.05)
        await pilot.click("#auth-demo")
        await settle(pilot, rounds=4)
        assert not isinstance(app.screen, GoogleAuthScreen)
        assert str(view.query_one("#g-auth", Button).label) == REMOVE
        assert view.query_one("#g-enabled", Checkbox).value is True
        assert view.query_one("#g-tentative", Checkbox).value is True
        calendar = view.query_one("#g-calendar", Select)
        assert any("Studio bookings" in str(label) for label, _ in calendar._options)  # noqa: SLF001
        assert "Authenticated as cara@studio-demo.test" in screen_text(app)
        assert not demo.studio.users.google_prefs("cara").enabled  # still unsaved: Save is the person's call
