"""Appointment <-> event conversion (no network)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st
from studiosync.core.emulator.ids import EVENT_ID_RE
from studiosync.core.model.appointments import Appointment
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
    assert ev.title == "  Shoot\n at  park "  # as Google has it: never collapsed, cut or written back changed
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
    bare = mapping.event_body(appt, "America/New_York", marker=False, status=False)
    assert "status" not in bare and "extendedProperties" not in bare
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


def test_text_from_google_is_kept_as_given_minus_nul() -> None:
    long_title = "Wedding  " + "x" * 600 + "  (2nd shooter)"
    ev = mapping.parse_event(
        {"id": "abc16", "summary": long_title, "description": "a\x00b\n\n c", **_span()}, NY
    )
    assert ev.title == long_title and len(ev.title) > 500
    assert ev.notes == "ab\n\n c"
    untitled = mapping.parse_event({"id": "abc17", **_span()}, NY)
    assert untitled.title == ""  # stored untitled; only shown as "(No title)"
    appt = Appointment(id="a" * 32, user="ann", title="", start=untitled.start, end=untitled.end)  # type: ignore[arg-type]
    assert appt.display_title == "(No title)"


def test_event_zones_and_zero_length_events() -> None:
    ev = mapping.parse_event(
        {
            "id": "abc18",
            "start": {"dateTime": "2026-07-01T09:00:00-04:00", "timeZone": "America/New_York"},
            "end": {"dateTime": "2026-07-01T09:00:00-04:00", "timeZone": "America/New_York"},
        },
        ZoneInfo("Europe/Berlin"),
    )
    assert ev.start_tz == ev.end_tz == "America/New_York"
    assert ev.start == ev.end == datetime(2026, 7, 1, 13, tzinfo=UTC) and ev.usable
    body = mapping.when(ev.start, "America/New_York", clear_other=True)  # type: ignore[arg-type]
    assert body == {"dateTime": "2026-07-01T09:00:00-04:00", "timeZone": "America/New_York", "date": None}
    assert mapping.when(ev.start, None, clear_other=False) == {"dateTime": "2026-07-01T15:00:00+02:00"}  # type: ignore[arg-type]


def _span() -> dict:
    return {"start": {"dateTime": "2026-07-01T15:00:00Z"}, "end": {"dateTime": "2026-07-01T16:00:00Z"}}
