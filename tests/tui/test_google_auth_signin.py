"""The Authenticate dialog against the demo's real consent page: every try either signs in or says why in
one line, and the dialog stays open for the next try until it signs in or is cancelled. No traceback is
logged above debug level on any of these paths."""

from __future__ import annotations

import logging
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from studiosync.core.demo import Demo, build_demo
from studiosync.tui.app import StudioSyncApp
from studiosync.tui.screens.google_auth import GoogleAuthScreen, LinkScreen
from studiosync.tui.screens.google_tab import GoogleView
from studiosync.tui.widgets.field import Field
from textual.widgets import Button, Static

from tests.helpers.browser import browse, consent_redirect, read_consent_page
from tests.tui.screen_text import notices, screen_text, settle, wait_until
from tests.tui.test_google_auth import console

ANN = "ann@studio-demo.test"
CARA = "cara@studio-demo.test"


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    built = build_demo(tmp_path / "demo")
    yield built
    built.close()


@pytest.fixture(autouse=True)
def _no_tracebacks(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    caplog.set_level(logging.DEBUG)
    yield
    loud = [r for r in caplog.records if r.exc_info and r.levelno > logging.DEBUG]
    assert loud == [], [r.getMessage() for r in loud]


async def open_auth(app: StudioSyncApp, pilot, login: str) -> GoogleAuthScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    app.open_google_tab(login)
    await settle(pilot, rounds=3)
    app.screen.query_one(GoogleView).query_one("#g-auth", Button).press()
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, GoogleAuthScreen)
    await wait_until(pilot, lambda: screen.session is not None)
    return screen


def in_background(fn: Callable[[], Any]) -> list[Any]:
    """Play the browser on a thread: its last step (our loopback page) waits for the console's worker."""
    out: list[Any] = []
    threading.Thread(target=lambda: out.append(fn()), daemon=True).start()
    return out


def state_line(screen: GoogleAuthScreen) -> str:
    return str(screen.query_one("#auth-state", Static).render())


async def test_allow_in_a_browser_completes_the_dialog(demo: Demo) -> None:
    app = console(demo, demo_mode=True)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_auth(app, pilot, "cara")
        assert read_consent_page(screen.session.url).chosen == CARA  # login_hint preselects her demo account
        landed = in_background(lambda: browse(screen.session.url))
        await wait_until(pilot, lambda: not isinstance(app.screen, GoogleAuthScreen), timeout=20)
        await settle(pilot)
        assert demo.studio.users.google_prefs("cara").account_email == CARA
        assert f"Authenticated as {CARA}." in notices(app)
        await wait_until(pilot, lambda: bool(landed))
        assert landed[0][0] == 200 and "Signed in" in landed[0][2]


async def test_cancel_on_the_page_is_one_line_and_the_dialog_stays(demo: Demo) -> None:
    app = console(demo, demo_mode=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_auth(app, pilot, "cara")
        in_background(lambda: browse(screen.session.url, decision="cancel"))
        await wait_until(pilot, lambda: "refused" in state_line(screen), timeout=20)
        assert "Still waiting" in state_line(screen) and "\n" not in state_line(screen)
        assert isinstance(app.screen, GoogleAuthScreen)
        # The same link again, Allow this time, and the address pasted: signed in.
        screen.query_one("#auth-paste", Field).value = consent_redirect(screen.session.url)
        screen.query_one("#auth-submit", Button).press()
        await wait_until(pilot, lambda: not isinstance(app.screen, GoogleAuthScreen), timeout=20)
        assert demo.studio.users.google_prefs("cara").account_email == CARA


async def test_stale_pastes_say_why_at_once(demo: Demo) -> None:
    app = console(demo, demo_mode=True)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_auth(app, pilot, "cara")
        note = screen.query_one("#auth-paste-why")
        paste = screen.query_one("#auth-paste", Field)

        async def submit(text: str) -> None:
            paste.value = text
            screen.query_one("#auth-submit", Button).press()
            await pilot.pause()

        await submit("https://www.example.com/somewhere")
        assert "no code=" in str(note.render())
        expired = consent_redirect(screen.session.url)
        code = urllib.parse.parse_qs(urllib.parse.urlsplit(expired).query)["code"][0]
        with demo.emulator.state.lock:
            demo.emulator.state.codes[code].expires_at = 0
        await submit(expired)
        await wait_until(pilot, lambda: "invalid_grant" in str(note.render()), timeout=20)
        assert "invalid_grant" in state_line(screen)
        await submit(expired)  # the same address again: said at once, Google is not asked
        assert "already used" in str(note.render())
        await submit(expired.replace("state=", "state=old"))
        assert "another sign-in attempt" in str(note.render())
        assert isinstance(app.screen, GoogleAuthScreen) and not screen.session.done
        await submit(consent_redirect(screen.session.url))
        await wait_until(pilot, lambda: not isinstance(app.screen, GoogleAuthScreen), timeout=20)
        assert demo.studio.users.google_prefs("cara").account_email == CARA


async def test_an_account_linked_to_another_user_is_refused_then_another_works(demo: Demo) -> None:
    app = console(demo, demo_mode=True)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_auth(app, pilot, "cara")
        in_background(lambda: browse(screen.session.url, account=ANN))
        await wait_until(pilot, lambda: "already linked to user 'ann'" in state_line(screen), timeout=20)
        assert isinstance(app.screen, GoogleAuthScreen)
        assert demo.studio.users.google_prefs("cara").account_email is None
        in_background(lambda: browse(screen.session.url, account=CARA))
        await wait_until(pilot, lambda: not isinstance(app.screen, GoogleAuthScreen), timeout=20)
        assert demo.studio.users.google_prefs("cara").account_email == CARA
        assert demo.studio.users.google_prefs("ann").account_email == ANN  # untouched


async def test_a_user_added_in_the_demo_signs_up_with_the_demo_button(demo: Demo) -> None:
    demo.studio.users.add("dan", "Dan New")
    app = console(demo, demo_mode=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_auth(app, pilot, "dan")
        assert read_consent_page(screen.session.url).other_email == "dan@studio-demo.test"
        await pilot.click("#auth-demo")
        await wait_until(pilot, lambda: not isinstance(app.screen, GoogleAuthScreen), timeout=20)
        assert demo.studio.users.google_prefs("dan").account_email == "dan@studio-demo.test"


async def test_show_link_shows_the_bare_address(demo: Demo) -> None:
    """Where the console cannot hand the terminal back (here: headless), a borderless screen shows it."""
    app = console(demo, demo_mode=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_auth(app, pilot, "cara")
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, LinkScreen)
        assert str(app.screen.query_one("#link-url", Static).render()) == screen.session.url
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("escape")
        await pilot.pause()
        assert screen.session.done and "Traceback" not in screen_text(app)
