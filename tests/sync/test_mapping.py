"""Appointment <-> event conversion (no network)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st
from studiosync.core.emulator.ids import EVENT_ID_RE
from studiosync.core.model import Appointment
from studiosync.core.store import layout
from studiosync.core.sync import mapping

NY = ZoneInfo("America/New_York")


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789._-", min_size=1, max_size=20))
def test_event_ids_are_valid_base32hex_and_reversible(login: str) -> None:
    aid = layout.new_appointment_id(login)
    eid = mapping.event_id_for(aid)
    assert EVENT_ID_RE.match(eid)
    assert mapping.appointment_id_from_event_id(login, eid) == aid
    assert mapping.appointment_id_from_event_id(login + "x", eid) is None or layout.user_key(
        login + "x"
    ) == layout.user_key(login)


def test_parse_timed_all_day_and_invitation_status() -> None:
    ev = mapping.parse_event(
        {
            "id": "abc12",
            "etag": '"1"',
            "status": "confirmed",
            "summary": "  Shoot\n at  park ",
            "start": {"dateTime": "2026-07-01T15:00:00Z"},
            "end": {"dateTime": "2026-07-01T16:30:00Z"},
            "attendees": [
                {"email": "x@y.z", "responseStatus": "accepted"},
                {"email": "me@y.z", "self": True, "responseStatus": "needsAction"},
            ],
        },
        NY,
    )
    assert ev.title == "Shoot at park"
    assert ev.start == datetime(2026, 7, 1, 11, 0, tzinfo=NY) and ev.start.utcoffset() == NY.utcoffset(
        ev.start
    )
    assert ev.tentative and ev.appointment_status == "tentative" and not ev.declined
    day = mapping.parse_event(
        {"id": "abc13", "start": {"date": "2026-12-24"}, "end": {"date": "2026-12-26"}}, NY
    )
    assert day.all_day and day.start == date(2026, 12, 24) and day.end == date(2026, 12, 26)
    naive = mapping.parse_event(
        {
            "id": "abc14",
            "start": {"dateTime": "2026-03-08T09:00:00", "timeZone": "Europe/Paris"},
            "end": {"dateTime": "2026-03-08T10:00:00", "timeZone": "Europe/Paris"},
        },
        NY,
    )
    assert naive.start == datetime(2026, 3, 8, 8, 0, tzinfo=UTC)
    cancelled = mapping.parse_event({"id": "abc15", "status": "cancelled"}, NY)
    assert cancelled.cancelled and not cancelled.usable


def test_event_body_and_same_content() -> None:
    appt = Appointment(
        id="a" * 32,
        user="ann",
        title="T",
        start=datetime(2026, 5, 1, 9, tzinfo=NY),
        end=datetime(2026, 5, 1, 10, tzinfo=NY),
        notes="n",
        status="tentative",
    )
    body = mapping.event_body(appt, "America/New_York", event_id="studio" + appt.id)
    assert body["start"] == {"dateTime": "2026-05-01T09:00:00-04:00", "timeZone": "America/New_York"}
    assert body["status"] == "tentative" and body["extendedProperties"]["private"][mapping.MARKER] == appt.id
    patch = mapping.event_body(appt, "America/New_York", for_patch=True, marker=False, status=False)
    assert patch["start"]["date"] is None and "status" not in patch and "extendedProperties" not in patch
    ev = mapping.parse_event(
        {
            "id": "x" * 6,
            "etag": "e",
            "status": "tentative",
            "summary": "T",
            "description": "n",
            **{k: v for k, v in body.items() if k in ("start", "end")},
        },
        NY,
    )
    assert mapping.same_content(appt, ev)
    appt.title = "U"
    assert not mapping.same_content(appt, ev)


def test_later_change_wins_ties_to_the_studio() -> None:
    assert mapping.is_later("2026-01-01T10:00:00.000+00:00", "2026-01-01T09:59:59.999Z")
    assert not mapping.is_later("2026-01-01T10:00:00.000+00:00", "2026-01-01T10:00:00.001Z")
    assert mapping.is_later("2026-01-01T10:00:00.000+00:00", "2026-01-01T10:00:00.000Z")
    assert mapping.is_later("2026-01-01T10:00:00.000+00:00", None)
