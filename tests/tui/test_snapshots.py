"""Snapshots of every screen at 80x24, 100x30 and 120x40 (fixed data, frozen clock, no cursor blink).

100x30 is the first width with the full sidebar; below it the sidebar shows only the F-keys.

Update with: pytest tests/tui/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from studiosync.tui.backend import Backend
from textual.pilot import Pilot

from tests.tui.screen_text import settle, wait_until

SIZES = [(80, 24), (100, 30), (120, 40)]


class FakeSession:
    """An authorization session with a fixed URL and port (a real one has a random port and state)."""

    url = (
        "https://accounts.google.com/o/oauth2/auth?response_type=code&client_id=1234-studio.apps.googleusercontent.com"
        "&redirect_uri=http%3A%2F%2Flocalhost%3A8765%2F&scope=calendar+contacts.readonly&state=FIXEDSTATE"
        "&access_type=offline&prompt=consent"
    )
    port = 8765

    def __init__(self) -> None:
        self._done = threading.Event()

    def wait(self, timeout: float | None = None, **_: Any) -> Any:
        from studiosync.core.errors import OperationError

        raise OperationError("Google sign-in was cancelled.")

    def submit_redirect_url(self, url: str) -> None:  # pragma: no cover - not used by the snapshot
        pass

    def cancel(self) -> None:
        self._done.set()

    @property
    def done(self) -> bool:
        return self._done.is_set()


async def go(pilot: Pilot, *keys: str) -> None:
    await settle(pilot)
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


def keys(*pressed: str) -> Callable[[Pilot], Awaitable[None]]:
    async def run(pilot: Pilot) -> None:
        await go(pilot, *pressed)

    return run


async def google_tab(pilot: Pilot) -> None:
    await settle(pilot)
    pilot.app.open_google_tab("ann")  # type: ignore[attr-defined]
    await settle(pilot, rounds=3)


async def google_auth(pilot: Pilot) -> None:
    await settle(pilot)
    pilot.app.open_google_tab("cara")  # type: ignore[attr-defined]
    await settle(pilot, rounds=3)
    pilot.app.screen.query_one("#g-auth").press()
    # No settle() here: the sign-in worker waits for the person, so "all workers done" never comes.
    await wait_until(pilot, lambda: getattr(pilot.app.screen, "session", None) is not None)
    await pilot.pause()


async def appointments(pilot: Pilot, *more: str) -> None:
    await settle(pilot)
    pilot.app.open_appointments("ann")  # type: ignore[attr-defined]
    await settle(pilot, rounds=3)
    await go(pilot, *more)


async def trace(pilot: Pilot) -> None:
    await appointments(pilot)
    table = pilot.app.screen.query_one("#a-table")
    studio = pilot.app.studio  # type: ignore[attr-defined]
    failed = next(a for a in studio.appointments.list("ann") if a.sync_error)
    table.move_cursor(row=table.get_row_index(failed.id))
    await go(pilot, "t")


async def logs(pilot: Pilot) -> None:
    await go(pilot, "f9")
    pane = pilot.app.screen.query_one("#log-pane")
    await wait_until(pilot, lambda: len(pane.records) >= 6)
    await settle(pilot)


async def logs_selected(pilot: Pilot) -> None:
    """ben's ERROR line selected: the cursor and the details panel with its cause and fix."""
    await logs(pilot)
    await go(pilot, "up", "up", "up")


async def unsaved(pilot: Pilot) -> None:
    """Company prefs with a typed time zone, then F8: Save / Discard / Stay."""
    await go(pilot, "f7")
    await settle(pilot, rounds=2)
    pilot.app.screen.query_one("#p-tz").value = "Europe/Paris"  # type: ignore[attr-defined]
    await go(pilot, "f8")


async def appointment_invalid(pilot: Pilot) -> None:
    """End `garbage`: the field's own reason under it; Save disabled."""
    await appointments(pilot, "e")
    pilot.app.screen.query_one("#ap-end").value = "garbage"  # type: ignore[attr-defined]
    await settle(pilot)


SCREENS: dict[str, Callable[[Pilot], Awaitable[None]]] = {
    "dashboard": keys(),
    "users": keys("f3"),
    "user_edit": keys("f3", "e"),
    "confirm_remove_user": keys("f3", "d"),
    "google_tab": google_tab,
    "google_auth": google_auth,
    "appointments": appointments,
    "appointment_edit": lambda pilot: appointments(pilot, "e"),
    "appointment_invalid": appointment_invalid,
    "unsaved": unsaved,
    "trace": trace,
    "groups": keys("f6"),
    "group_name": keys("f6", "a"),
    "company_prefs": keys("f7"),
    "control_center": keys("f8"),
    "job_edit": keys("f8", "e"),
    "run_history": keys("f8", "h"),
    "logs": logs,
    "logs_selected": logs_selected,
    "doctor": keys("f10"),
    "help": keys("f3", "f1"),
}


@pytest.fixture
def fake_auth(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Backend, "begin_auth", lambda self, login, login_hint=None: FakeSession())


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_screen(screen: str, size: tuple[int, int], snap_compare, make_app, fake_auth) -> None:
    assert snap_compare(make_app(), terminal_size=size, run_before=SCREENS[screen])


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_login(size: tuple[int, int], snap_compare, make_app) -> None:
    assert snap_compare(make_app(login=None), terminal_size=size, run_before=lambda pilot: settle(pilot))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_non_admin_home(size: tuple[int, int], snap_compare, make_app) -> None:
    assert snap_compare(
        make_app(login="ann"), terminal_size=size, run_before=lambda pilot: settle(pilot, rounds=3)
    )
