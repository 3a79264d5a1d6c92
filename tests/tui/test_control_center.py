"""Control Center: jobs table, editor with live next-runs preview, enable/disable, run now, history."""

from __future__ import annotations

from studiosync.core.jobs.service import Jobs
from studiosync.tui.screens.confirm import ConfirmScreen
from studiosync.tui.screens.job_edit import JobEditScreen
from studiosync.tui.screens.run_history import RunHistoryScreen
from studiosync.tui.widgets.field import Field

from tests.tui.screen_text import notices, screen_text, settle


async def open_control(app, pilot):
    await settle(pilot)
    await pilot.press("f8")
    await settle(pilot)
    return app.screen.query_one("#jobs-table")


async def test_jobs_table_and_detail(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_control(app, pilot)
        text = screen_text(app)
        for expected in (
            "Google Sync Processor",
            "every 15 minutes",
            "studio-pc",
            "Next: Tue 01 Dec 10:00",
            "error 5 min ago",
        ):
            assert expected in text
        assert "● running studiosync" in text
        assert text.count("Last run:") == 1  # one line in the detail panel: status, when, what it did
        assert "15m" in text and "0 2 * * *" in text  # the schedules as typed fit beside the sidebar


async def test_edit_schedule_with_preview_and_computer(make_app, tui_studio) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_control(app, pilot)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, JobEditScreen)
        field = app.screen.query_one("#job-schedule", Field)
        field.value = "every fortnight-ish"
        await pilot.pause()
        assert app.screen.query_one("#save").disabled
        field.value = "0 9 * * 1"
        await pilot.pause()
        text = screen_text(app)
        assert "at 09:00 on Monday" in text
        assert "Mon 07 Dec 2026 09:00" in text and "Mon 14 Dec 2026 09:00" in text
        assert "Next 3 runs:" in text and "counted from saving" not in text  # cron: fixed times
        field.value = "30m"
        await pilot.pause()
        assert "Next 3 runs (interval counted from saving):" in screen_text(app)
        field.value = "0 9 * * 1"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        job = Jobs(tui_studio).get("google-sync")
        assert job.schedule == "0 9 * * 1" and job.computer == "studio-pc"
        assert any("Saved Google Sync Processor" in n for n in notices(app))


async def test_disable_asks_first_and_enable_does_not(make_app, tui_studio) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_control(app, pilot)
        await pilot.press("space")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen) and app.focused.id == "no"
        await pilot.press("enter")
        await settle(pilot)
        assert Jobs(tui_studio).get("google-sync").enabled
        await pilot.press("space")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert not Jobs(tui_studio).get("google-sync").enabled
        await pilot.press("space")  # enabling needs no confirmation
        await settle(pilot)
        assert Jobs(tui_studio).get("google-sync").enabled


async def test_run_now_and_history_with_per_user_results(make_app, tui_studio) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        table = await open_control(app, pilot)
        table.move_cursor(row=table.get_row_index("log-cleanup"))
        await pilot.press("n")
        await settle(pilot, rounds=3)
        assert Jobs(tui_studio).history("log-cleanup")[0].trigger == "manual"
        assert any(n.startswith("log-cleanup: ok") for n in notices(app))
        table.move_cursor(row=table.get_row_index("google-sync"))
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, RunHistoryScreen)
        text = screen_text(app)
        assert "failed: ben (grant_revoked)" in text
        assert "invalid_grant: Token has been revoked." in text


async def test_disabling_asks_the_same_question_from_the_table_and_the_editor(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_control(app, pilot)
        await pilot.press("space")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        from_table = screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        app.screen.query_one("#job-enabled").value = False
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        detail = str(app.screen.query_one("#confirm-detail").render())
        assert "Nobody's appointments sync with Google meanwhile." in detail
        assert detail.split()[0] in from_table and "until it is enabled again" in detail
        assert "until it is enabled again" in from_table
