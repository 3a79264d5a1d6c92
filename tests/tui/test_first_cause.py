"""The dashboard and the Users screen name the same first cause as `status` and the doctor
(core.diagnosis): after Remove My Google Account, the account -- not the calendar."""

from __future__ import annotations

import pytest
from studiosync.tui.app import StudioSyncApp
from textual.widgets import DataTable

from tests.helpers.causes import EXPECTED, WRONG_FIX, build_causes
from tests.smtp_server import LocalSMTPServer, smtp_server  # noqa: F401 - the fixture
from tests.sync.helpers import SyncWorld
from tests.tui.screen_text import screen_text, settle


@pytest.fixture
def causes(world: SyncWorld, smtp_server: LocalSMTPServer) -> SyncWorld:  # noqa: F811
    return build_causes(world, smtp_server.port)


async def test_dashboard_names_the_first_cause_of_each_user(causes: SyncWorld) -> None:
    app = StudioSyncApp(causes.studio, login="pat", embedded_scheduler=False, blink_cursor=False)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#health-table", DataTable)
        for login, (_, message) in EXPECTED.items():
            table.move_cursor(row=table.get_row_index(login))
            await settle(pilot)
            detail = str(app.screen.query_one("#health-detail").render())
            assert message in detail, login
            if login == "ann":
                assert WRONG_FIX not in detail and "studiosync google auth ann" in detail
        table.move_cursor(row=table.get_row_index("ann"))
        await settle(pilot)
        assert "Emailed: " in screen_text(app) and "problem started: not_authenticated" in screen_text(app)


async def test_users_screen_names_the_first_cause(causes: SyncWorld) -> None:
    app = StudioSyncApp(causes.studio, login="pat", embedded_scheduler=False, blink_cursor=False)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        table = app.screen.query_one("#users-table", DataTable)
        rows = {login: " | ".join(str(c) for c in table.get_row(login)) for login in EXPECTED}
        for login, (_, message) in EXPECTED.items():
            if login != "dan":  # sync off is no problem: the Google column says "authenticated"
                assert message in rows[login], login
        assert "enabled, no account" in rows["ann"] and WRONG_FIX not in rows["ann"]
        assert message[:30] not in rows["dan"] and "authenticated" in rows["dan"]
        assert EXPECTED["ann"][1][:50] in screen_text(app)  # on screen, not only in the table's data


async def test_company_prefs_reminder_interval(make_app, tui_studio) -> None:
    from studiosync.tui.widgets.field import Field

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f7")
        await settle(pilot)
        q = app.screen.query_one
        assert q("#p-remind-hours", Field).value == "24"  # the default, as stored
        for bad in ("a day", "²"):  # "²" passes isdigit() but not int(): refused, not a crash
            q("#p-remind-hours", Field).value = bad
            await pilot.pause()
            assert q("#p-escalation-save").disabled
            assert "a number of hours, 0-720" in str(q("#p-remind-hours-why").render())
        q("#p-remind-hours", Field).value = "6"
        q("#p-remind-hours", Field).focus()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert tui_studio.prefs.get().alert_remind_hours == 6
