"""Appointments (list with origin and sync state, add/edit/delete, trace) and company preferences."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import replace

import pytest
from studiosync.tui.screens.appointment_edit import AppointmentEditScreen
from studiosync.tui.screens.confirm import ConfirmScreen
from studiosync.tui.screens.trace import TraceScreen
from studiosync.tui.widgets.field import Field
from textual.widgets import DataTable, Select

from tests.tui.screen_text import notices, screen_text, settle


async def open_ann(app, pilot) -> DataTable:
    await settle(pilot)
    app.open_appointments("ann")
    await settle(pilot, rounds=3)
    return app.screen.query_one("#a-table", DataTable)


async def test_list_shows_origin_and_sync_state(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        table = await open_ann(app, pilot)
        assert table.row_count == 5
        text = screen_text(app)
        for expected in (
            "Family portrait",
            "synced",
            "pending",
            "error",
            "google",
            "tentative",
            "Wed 02 Dec 09:30",
        ):
            assert expected in text


async def test_add_edit_delete_an_appointment(make_app, tui_studio) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_ann(app, pilot)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AppointmentEditScreen)
        app.screen.query_one("#ap-title", Field).value = "Maternity"
        app.screen.query_one("#ap-title", Field).cursor_position = len(
            app.screen.query_one("#ap-title", Field).value
        )
        await pilot.press(*" shoot")  # typed: the field is focused first
        app.screen.query_one("#ap-start", Field).value = "2026-12-10 14:00"
        app.screen.query_one("#ap-end", Field).value = "2026-12-10 13:00"
        await pilot.pause()
        assert app.screen.query_one("#save").disabled
        # The end-before-start message is core's (its wording may change): only that it is shown counts.
        assert app.screen.query_one("#ap-end-why").has_class("-error")
        assert app.screen.region.contains_region(app.screen.query_one("#save").region)  # still on screen
        app.screen.query_one("#ap-end", Field).value = "2026-12-10 15:30"
        await pilot.pause()
        assert not app.screen.query_one("#save").disabled
        await pilot.press("ctrl+s")
        await settle(pilot)
        added = [a for a in tui_studio.appointments.list("ann") if a.title == "Maternity shoot"]
        assert len(added) == 1 and added[0].dirty and added[0].start.hour == 14
        assert table.row_count == 6
        table.move_cursor(row=table.get_row_index(added[0].id))
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#ap-title", Field).value = "Maternity shoot (outdoor)"
        app.screen.query_one("#ap-status", Select).value = "tentative"
        await pilot.press("ctrl+s")
        await settle(pilot)
        changed = tui_studio.appointments.get(added[0].id)
        assert changed.title == "Maternity shoot (outdoor)" and changed.status == "tentative"
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen) and app.focused.id == "no"
        await pilot.click("#yes")
        await settle(pilot)
        assert tui_studio.appointments.find(added[0].id) is None
        assert "Appointment deleted." in notices(app)


async def test_an_untitled_google_appointment_keeps_its_title_when_edited(make_app, tui_studio) -> None:
    """Shown as "(No title)" like Google Calendar does; an edit of another field leaves the title as Google
    has it (untitled), instead of refusing the form or writing a title onto Google."""
    google = next(a for a in tui_studio.appointments.list("ann") if a.origin == "google")
    tui_studio.appointments.save_many("ann", [replace(google, title="")])
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        table = await open_ann(app, pilot)
        assert "(No title)" in screen_text(app)
        table.move_cursor(row=table.get_row_index(google.id))
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#ap-notes", Field).value = "call first"
        await pilot.pause()
        assert not app.screen.query_one("#save").disabled
        await pilot.press("ctrl+s")
        await settle(pilot)
    got = tui_studio.appointments.get(google.id)
    assert (got.title, got.notes) == ("", "call first")


async def test_trace_answers_why_it_is_not_in_google(make_app, tui_studio) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        table = await open_ann(app, pilot)
        failed = next(a for a in tui_studio.appointments.list("ann") if a.sync_error)
        table.move_cursor(row=table.get_row_index(failed.id))
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TraceScreen)
        text = screen_text(app)
        assert "none (not in Google)" in text
        assert "calendar is read-only" in text
        assert "push failed: 403 forbidden" in text
        await pilot.press("escape")
        synced = next(
            a for a in tui_studio.appointments.list("ann") if a.google_event_id and a.origin == "studio"
        )
        table.move_cursor(row=table.get_row_index(synced.id))
        await pilot.press("t")
        await settle(pilot)
        assert "st4f2a9c0e1b7d3a5c" in screen_text(app)


async def test_non_admin_sees_only_their_own_appointments(make_app) -> None:
    app = make_app(login="ann")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.screen.current == "google"
        await pilot.press("f5")
        await settle(pilot)
        assert not app.screen.query_one("#a-who").display  # no user picker
        assert "5 appointments of Ann Lee" in screen_text(app)
        with pytest.raises(Exception, match="only see and change your own"):
            app.backend.appointments("ben")


@pytest.fixture
def smtp_server() -> Iterator[int]:
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Sink

    with socket.socket() as s:  # aiosmtpd's port=0 fails its self-check: pick a free port first
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    yield port
    controller.stop()


async def test_company_prefs_time_zone_email_and_test_email(make_app, tui_studio, smtp_server: int) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f7")
        await settle(pilot)
        tz = app.screen.query_one("#p-tz", Field)
        tz.value = "Europe/Atlantis"
        await pilot.pause()
        assert app.screen.query_one("#p-tz-save").disabled
        tz.value = "America/New_York"
        await pilot.pause()
        await pilot.click("#p-tz-save")
        await settle(pilot)
        assert tui_studio.prefs.timezone == "America/New_York"

        q = app.screen.query_one
        q("#p-host", Field).value = "127.0.0.1"
        q("#p-port", Field).value = str(smtp_server)
        q("#p-security", Select).value = "none"
        q("#p-from", Field).value = "studio@example.com"
        await pilot.pause()
        assert not q("#p-email-save").disabled
        q("#p-host", Field).focus()
        await pilot.press("ctrl+s")
        await settle(pilot)
        email = tui_studio.prefs.get().email
        assert (email.host, email.port, email.security) == ("127.0.0.1", smtp_server, "none")

        q("#p-test-to", Field).value = "ann@example.com"
        await pilot.pause()
        await pilot.press("ctrl+t")
        await settle(pilot, rounds=3)
        answer = str(q("#p-test-answer").render())
        assert "Server answered" in answer and "250" in answer

        # Unsaved (here: broken) email settings: the test would use the saved ones, so it is refused.
        q("#p-host", Field).value = "smtp.invalid"
        await pilot.pause()
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert "Save the email settings first: the test uses the saved ones" in notices(app)
        assert "Server answered" not in str(q("#p-test-answer").render())
        # ctrl+s from the "Test to" field saves the email part, like from any other email field.
        q("#p-host", Field).value = "localhost"
        q("#p-test-to", Field).focus()
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert tui_studio.prefs.get().email.host == "localhost"


async def test_google_api_settings_validate_the_client_file(make_app, tui_studio, tmp_path) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f7")
        await settle(pilot)
        q = app.screen.query_one
        q("#p-api", Field).value = "ftp://nope"
        await pilot.pause()
        assert q("#p-google-save").disabled
        bad = tmp_path / "service.json"
        bad.write_text('{"type": "service_account"}')
        q("#p-api", Field).value = ""
        q("#p-secrets", Field).value = str(bad)
        await pilot.pause()
        q("#p-google-save").focus()  # keyboard only: Tab to the button, Enter
        await pilot.press("enter")
        await settle(pilot)
        assert any("service-account" in n for n in notices(app))  # the service's one-line reason


async def test_escalation_settings(make_app, tui_studio) -> None:
    from textual.widgets import Checkbox

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f7")
        await settle(pilot)
        q = app.screen.query_one
        q("#p-escalate", Checkbox).value = False
        q("#p-escalate-after", Field).value = "0"
        await pilot.pause()
        assert q("#p-escalation-save").disabled
        q("#p-escalate-after", Field).value = "5"
        q("#p-escalate-after", Field).focus()
        await pilot.press("ctrl+s")
        await settle(pilot)
        prefs = tui_studio.prefs.get()
        assert (prefs.escalate_to_admins, prefs.escalate_after) == (False, 5)


async def test_sync_off_says_off_not_pending_and_the_toast_says_it_stays(make_app, tui_studio) -> None:
    prefs = tui_studio.users.google_prefs("ann")
    prefs.enabled = False  # Enable Google Sync unchecked: nothing goes to Google
    tui_studio.users.save_google_prefs(prefs)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        table = await open_ann(app, pilot)
        sync_column = {str(cell) for cell in table.get_column("sync")}
        assert sync_column == {"off"}
        assert "Google sync is off" in screen_text(app)
        await pilot.press("a")
        await pilot.pause()
        q = app.screen.query_one
        q("#ap-title", Field).value = "Passport photos"
        q("#ap-start", Field).value = "2026-12-11 10:00"
        q("#ap-end", Field).value = "2026-12-11 10:30"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Appointment saved; it stays in the studio because this user's Google sync is off." in notices(
            app
        )
        assert not any("goes to Google" in n for n in notices(app))
        # A resource never syncs: "off" too, never "pending".
        app.open_appointments("studio-a")
        await settle(pilot, rounds=3)
        assert [str(cell) for cell in table.get_column("sync")] == ["off"]
        assert "a resource: cannot sync with Google" in screen_text(app)


async def test_app_published_checkbox_is_saved_when_ticked(make_app, tui_studio) -> None:
    from textual.widgets import Checkbox

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f7")
        await settle(pilot)
        box = app.screen.query_one("#p-published", Checkbox)
        assert not box.value
        assert "lose every user's authorization after 7 days" in str(
            app.screen.query_one("#p-published-why").render()
        )
        box.focus()
        await pilot.press("space")  # keyboard only
        await settle(pilot)
        assert tui_studio.prefs.get().google.app_published is True
        assert "Saved: the Google app is published (In production)." in notices(app)
        await pilot.press("space")
        await settle(pilot)
        assert tui_studio.prefs.get().google.app_published is False


async def test_app_published_without_an_oauth_client_is_one_line_error(tmp_path, frozen, monkeypatch) -> None:
    from studiosync.core.studio.studio import Studio
    from studiosync.tui.app import StudioSyncApp
    from studiosync.tui.clock import fixed_clock
    from textual.widgets import Checkbox

    from tests.tui.conftest import NOW

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    studio = Studio.open(tmp_path / "bare")
    studio.users.add("pat", "Pat Owner", admin=True)
    app = StudioSyncApp(
        studio, clock=fixed_clock(NOW), login="pat", embedded_scheduler=False, blink_cursor=False
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f7")
        await settle(pilot)
        box = app.screen.query_one("#p-published", Checkbox)
        box.focus()
        await pilot.press("space")
        await settle(pilot)
        assert studio.prefs.get().google.app_published is False
        assert any(n.startswith("set the Google API settings first") for n in notices(app))
        assert not box.value  # back to what is stored
