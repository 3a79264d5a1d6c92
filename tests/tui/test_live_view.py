"""Live sync in the console: the dashboard's Live column ages every second between reloads, and the
appointment list drops its pending marker once the change is on Google (no reload pressed)."""

from __future__ import annotations

from datetime import timedelta

from studiosync.core import clock
from studiosync.core.studio.studio import Studio
from studiosync.core.sync import live_state
from studiosync.core.sync.commit import Write, commit
from studiosync.tui.screens.appointments import AppointmentsView

from tests.tui.conftest import NOW
from tests.tui.screen_text import screen_text, settle, wait_until


def _row(text: str, login: str) -> str:
    return next(line for line in text.splitlines() if f"({login})" in line)


async def test_the_dashboard_shows_last_pushed_and_pulled_ages_counting_up(
    make_app, tui_studio: Studio
) -> None:
    live_state.mark(tui_studio.store, pushed=["ann"], when=(NOW - timedelta(seconds=5)).isoformat())
    live_state.mark(tui_studio.store, pulled=["ann"], when=(NOW - timedelta(seconds=40)).isoformat())
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "↑5 s ↓40 s" in _row(screen_text(app), "ann")
        assert "↑— ↓—" in _row(screen_text(app), "ben")  # never pushed or pulled by live sync
        clock.install(lambda: NOW + timedelta(seconds=12))  # twelve seconds later, no reload
        await wait_until(pilot, lambda: "↑17 s ↓52 s" in _row(screen_text(app), "ann"), timeout=20)


async def test_the_pending_marker_goes_when_the_change_is_on_google(make_app, tui_studio: Studio) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot)
        view = app.screen.query_one(AppointmentsView)
        view.show_user("ann")
        await settle(pilot, rounds=3)
        pending = [a for a in view.appointments if a.dirty and not a.deleted]
        assert pending and "pending" in screen_text(app)
        # Live sync pushes it (what a push commits: the appointment synced at its revision).
        appt = pending[0]
        done = tui_studio.appointments.get(appt.id)
        done.synced_revision = done.revision
        done.google_event_id = done.google_event_id or "evt" + appt.id[:10]
        commit(tui_studio, appt.user, [Write(done, done.revision)])
        await wait_until(
            pilot, lambda: all(not a.dirty for a in view.appointments if a.id == appt.id), timeout=10
        )
