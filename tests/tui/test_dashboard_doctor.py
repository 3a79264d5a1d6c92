"""Dashboard (sync health, sync now with progress), doctor, command palette, help."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from studiosync.core.demo import Demo, build_demo
from studiosync.tui.app import StudioSyncApp
from studiosync.tui.clock import fixed_clock
from studiosync.tui.screens.help import HelpScreen
from studiosync.tui.widgets.sync_progress import SyncProgress

from tests.tui.conftest import NOW
from tests.tui.screen_text import notices, screen_text, settle, wait_until


async def test_dashboard_lists_failing_users_first_with_the_fix(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        rows = [line for line in text.splitlines() if "(ann)" in line or "(ben)" in line]
        assert "(ben)" in rows[0] and "failing" in rows[0]  # failing first
        assert "Remove My Google Account" in text  # ben's fix, shown under the table
        assert "↑2 ↓1" in text  # ann's last run


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    built = build_demo(tmp_path / "demo")
    yield built
    built.close()


async def test_sync_now_shows_progress_and_results(demo: Demo) -> None:
    app = StudioSyncApp(demo.studio, login="pat", embedded_scheduler=False, blink_cursor=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        progress = app.screen.query_one(SyncProgress)
        await settle(pilot, rounds=3)
        await wait_until(pilot, lambda: progress.has_class("-done"))
        await settle(pilot)
        assert progress.events_seen >= 2
        last = progress.last_event
        assert (last.users_done, last.users_total) == (2, 2) and last.pulled >= 1
        text = screen_text(app)
        # The panel says when the run ended, so its errors are never taken for the current state.
        assert progress.finished_at is not None
        finished = f"Finished {progress.finished_at.astimezone(app.backend.tz()):%H:%M} with errors"
        assert finished in text
        assert "grant_revoked" in text  # ben's run failed: said in one line
        assert demo.studio.users.google_prefs("ann").last_sync is not None
        assert demo.studio.users.google_prefs("ben").consecutive_failures == 1
        assert len([a for a in demo.studio.appointments.list("ann") if a.origin == "google"]) >= 1


async def test_doctor_shows_checks_with_fixes(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f10")
        await settle(pilot, rounds=3)
        text = screen_text(app)
        assert "✘ FAIL" in text and "Company email (SMTP)" in text
        # The headline counts ben, whose sync fails, like `studiosync doctor` does ("1 user(s) failing").
        assert "1 failed, 1 user failing, " in text
        assert "Fix:" in text
        await pilot.press("end")  # keyboard scrolling: the per-user verdicts are at the bottom
        await pilot.pause()
        assert "Ben Ortiz (ben)" in screen_text(app)


async def test_command_palette_offers_the_sections_commands(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"users: a")
        await pilot.pause(0.3)
        assert "users: add" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        from studiosync.tui.screens.user_edit import UserEditScreen

        assert isinstance(app.screen, UserEditScreen)


async def test_f1_help_describes_the_section_and_its_keys(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        assert "Google tab" in text and "Enable Google Sync" in text
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_worker_errors_become_one_line_without_traceback(make_app, monkeypatch) -> None:
    from studiosync.tui.backend import Backend
    from studiosync.tui.failures import BUG_FIX

    def boom(self: Backend) -> None:
        raise RuntimeError("disk on fire\nTraceback (most recent call last): ...")

    monkeypatch.setattr(Backend, "group_rows", boom)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f6")
        await settle(pilot)
        [notice] = notices(app)
        assert re.fullmatch(
            rf"internal error \(RuntimeError: disk on fire\) — {BUG_FIX} \(crash id [0-9a-f]{{8}}\)", notice
        ), notice
        assert "Traceback" not in screen_text(app)


def test_clock_is_injected() -> None:
    app = StudioSyncApp.__new__(StudioSyncApp)
    assert fixed_clock(NOW)() == NOW and app is not None


async def test_dashboard_shows_lag_and_none_when_sync_is_off(make_app, tui_studio) -> None:
    cara = tui_studio.users.google_prefs("cara")
    cara.last_sync = "2026-11-30T10:00:00.000+00:00"  # synced once, then sync was turned off
    tui_studio.users.save_google_prefs(cara)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        lines = screen_text(app).splitlines()
        header = next(line for line in lines if "Synced" in line)
        assert "Lag" in header

        def row(login: str) -> str:
            return next(line for line in lines if f"({login})" in line)

        assert "30 Nov 08:00" in row("ben") and "26 h" in row("ben")  # failing for a day: a day behind
        assert "01 Dec 09:55" in row("ann") and "5 min" in row("ann")
        assert "30 Nov 10:00" in row("cara") and "—" in row("cara") and " h " not in row("cara")
