"""The console shows what Google says about an appointment (its kind, "free") and refuses, with the CLI's
words, what Google would refuse: an invitation organized by someone else and a Gmail event are read-only,
a Gmail event cannot be deleted."""

from __future__ import annotations

from datetime import timedelta

from studiosync.core.model.appointments import Appointment
from studiosync.core.studio.studio import Studio
from studiosync.tui.screens.appointment_edit import AppointmentEditScreen
from studiosync.tui.widgets.field import Field
from studiosync.tui.widgets.note import Note
from textual.widgets import Button, DataTable

from tests.tui.conftest import NOW
from tests.tui.screen_text import notices, screen_text, settle

VENUE = "events@venue.example"


def _from_google(studio: Studio, title: str, hours: int, **google: object) -> Appointment:
    start = NOW + timedelta(days=2, hours=hours)
    (appt,) = studio.appointments.add_many(
        "ann", [{"title": title, "start": start, "end": start + timedelta(hours=1)}]
    )
    synced = Appointment(
        **{
            **appt.__dict__,
            "origin": "google",
            "google_event_id": f"ev{hours}",
            "synced_revision": 1,
            **google,
        }
    )
    studio.appointments.save_many("ann", [synced], clear_pending=True)
    return synced


async def _open(app, pilot) -> DataTable:  # noqa: ANN001
    await settle(pilot)
    app.open_appointments("ann")
    await settle(pilot, rounds=3)
    return app.screen.query_one("#a-table", DataTable)


async def test_kinds_free_and_read_only_in_the_list_and_editor(make_app, tui_studio: Studio) -> None:
    invite = _from_google(tui_studio, "Venue walkthrough", 1, organizer=VENUE)
    _from_google(tui_studio, "Away", 3, google_event_type="outOfOffice")
    _from_google(tui_studio, "Maybe coffee", 5, busy=False)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        table = await _open(app, pilot)
        text = screen_text(app)
        assert "Out of office: Away" in text and "(read-only)" in text and "confirmed, free" in text
        table.move_cursor(row=table.get_row_index(invite.id))
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, AppointmentEditScreen)
        note = app.screen.query_one("#ap-read-only", Note)
        assert note.region.height and VENUE in screen_text(app)
        assert VENUE in note.base_text and "only the organizer can change it, in Google" in note.base_text
        assert app.screen.query_one("#ap-title", Field).disabled
        assert app.screen.query_one("#save", Button).disabled
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert tui_studio.appointments.get(invite.id) == invite  # nothing changed


async def test_a_gmail_event_cannot_be_deleted(make_app, tui_studio: Studio) -> None:
    flight = _from_google(tui_studio, "Flight", 2, google_event_type="fromGmail", busy=False)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        table = await _open(app, pilot)
        table.move_cursor(row=table.get_row_index(flight.id))
        await pilot.press("d")
        await settle(pilot)
        assert any("Gmail" in n and "Google Calendar" in n for n in notices(app))
        assert tui_studio.appointments.get(flight.id) == flight
