"""Recurring events: RRULE expansion (unit) and Google's instance/exception behaviour (through the API)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from googleapiclient.errors import HttpError
from studiosync.core.emulator import ControlError, GoogleEmulator, recurrence

from .helpers import ANN

NY = ZoneInfo("America/New_York")
UTC = dt.UTC


def _expand(
    lines: list[str], start: dt.datetime | dt.date, bound: Any, tz: str = "America/New_York"
) -> list[Any]:
    rec = recurrence.parse(lines, tz_name=tz, all_day=not isinstance(start, dt.datetime))
    return list(recurrence.expand(rec, start, tz_name=tz, bound=bound))


def test_daily_interval_count() -> None:
    start = dt.datetime(2026, 1, 5, 10, tzinfo=NY)
    got = _expand(["RRULE:FREQ=DAILY;INTERVAL=2;COUNT=4"], start, dt.datetime(2030, 1, 1, tzinfo=UTC))
    assert [g.astimezone(NY).day for g in got] == [5, 7, 9, 11]


def test_weekly_byday_until_and_dst() -> None:
    start = dt.datetime(2026, 3, 2, 10, tzinfo=NY)  # Monday; DST starts 2026-03-08
    got = _expand(
        ["RRULE:FREQ=WEEKLY;BYDAY=MO,TH;UNTIL=20260312T150000Z"], start, dt.datetime(2030, 1, 1, tzinfo=UTC)
    )
    local = [g.astimezone(NY) for g in got]
    assert [(x.month, x.day, x.hour) for x in local] == [(3, 2, 10), (3, 5, 10), (3, 9, 10), (3, 12, 10)]
    assert local[2].utcoffset() != local[0].utcoffset()  # wall time kept across the DST change


def test_weekly_interval_exdate_and_bound() -> None:
    start = dt.datetime(2026, 1, 5, 10, tzinfo=NY)
    lines = ["RRULE:FREQ=WEEKLY;INTERVAL=2", "EXDATE;TZID=America/New_York:20260119T100000"]
    got = _expand(lines, start, dt.datetime(2026, 3, 1, tzinfo=UTC))
    assert [g.astimezone(NY).strftime("%m-%d") for g in got] == ["01-05", "02-02", "02-16"]


def test_all_day_monthly_and_yearly() -> None:
    got = _expand(["RRULE:FREQ=MONTHLY;COUNT=4"], dt.date(2026, 1, 31), dt.date(2030, 1, 1))
    assert got == [dt.date(2026, 1, 31), dt.date(2026, 3, 31), dt.date(2026, 5, 31), dt.date(2026, 7, 31)]
    got = _expand(["RRULE:FREQ=YEARLY;UNTIL=20280101"], dt.date(2026, 6, 1), dt.date(2030, 1, 1))
    assert got == [dt.date(2026, 6, 1), dt.date(2027, 6, 1)]


@pytest.mark.parametrize(
    "line",
    [
        "RRULE:FREQ=HOURLY",
        "RRULE:FREQ=WEEKLY;BYDAY=2TU",
        "RRULE:FREQ=DAILY;COUNT=2;UNTIL=20260101",
        "EXRULE:FREQ=DAILY",
        "garbage",
    ],
)
def test_unsupported_rules_are_refused(line: str) -> None:
    with pytest.raises(Exception, match="recurrence"):
        recurrence.parse([line], tz_name="UTC", all_day=False)


def _series(cal: Any, **extra: Any) -> dict[str, Any]:
    body = {
        "id": "series00001",
        "summary": "Weekly class",
        "start": {"dateTime": "2026-01-05T10:00:00", "timeZone": "America/New_York"},
        "end": {"dateTime": "2026-01-05T11:00:00", "timeZone": "America/New_York"},
        "recurrence": ["RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=6"],
        **extra,
    }
    return cal.events().insert(calendarId="primary", body=body).execute()


def test_single_events_expansion_with_moved_and_cancelled_instances(emu: GoogleEmulator, cal: Any) -> None:
    master = _series(cal, extendedProperties={"private": {"k": "v"}})
    assert master["recurrence"] == ["RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=6"]
    items = cal.events().list(calendarId="primary", singleEvents=True, orderBy="startTime").execute()["items"]
    assert [i["id"] for i in items] == [
        "series00001_20260105T150000Z",
        "series00001_20260107T150000Z",
        "series00001_20260112T150000Z",
        "series00001_20260114T150000Z",
        "series00001_20260119T150000Z",
        "series00001_20260121T150000Z",
    ]
    first = items[0]
    assert first["recurringEventId"] == "series00001" and "recurrence" not in first
    assert first["originalStartTime"] == {
        "dateTime": "2026-01-05T10:00:00-05:00",
        "timeZone": "America/New_York",
    }
    assert first["extendedProperties"] == {"private": {"k": "v"}}

    token = cal.events().list(calendarId="primary").execute()["nextSyncToken"]
    moved = (
        cal.events()
        .patch(
            calendarId="primary",
            eventId="series00001_20260107T150000Z",
            body={
                "start": {"dateTime": "2026-01-07T14:00:00-05:00"},
                "end": {"dateTime": "2026-01-07T15:00:00-05:00"},
            },
        )
        .execute()
    )
    assert moved["id"] == "series00001_20260107T150000Z" and moved["recurringEventId"] == "series00001"
    assert moved["originalStartTime"]["dateTime"] == "2026-01-07T10:00:00-05:00"
    cal.events().delete(calendarId="primary", eventId="series00001_20260112T150000Z").execute()

    items = cal.events().list(calendarId="primary", singleEvents=True, orderBy="startTime").execute()["items"]
    assert len(items) == 5 and "series00001_20260112T150000Z" not in {i["id"] for i in items}
    assert items[1]["start"]["dateTime"] == "2026-01-07T14:00:00-05:00"
    with_deleted = (
        cal.events().list(calendarId="primary", singleEvents=True, showDeleted=True).execute()["items"]
    )
    assert len(with_deleted) == 6
    # Without singleEvents: the master plus its exceptions (Google lists cancelled instances here too).
    plain = cal.events().list(calendarId="primary").execute()["items"]
    assert sorted((i["id"], i["status"]) for i in plain) == [
        ("series00001", "confirmed"),
        ("series00001_20260107T150000Z", "confirmed"),
        ("series00001_20260112T150000Z", "cancelled"),
    ]
    changed = cal.events().list(calendarId="primary", syncToken=token).execute()["items"]
    assert {i["id"] for i in changed} == {"series00001_20260107T150000Z", "series00001_20260112T150000Z"}
    got = cal.events().get(calendarId="primary", eventId="series00001_20260114T150000Z").execute()
    assert got["start"]["dateTime"] == "2026-01-14T10:00:00-05:00"
    instances = cal.events().instances(calendarId="primary", eventId="series00001").execute()["items"]
    assert len(instances) == 5
    with pytest.raises(HttpError) as err:  # not an occurrence of the series
        cal.events().get(calendarId="primary", eventId="series00001_20260106T150000Z").execute()
    assert err.value.status_code == 404


def test_time_window_bounds_expansion(cal: Any) -> None:
    cal.events().insert(
        calendarId="primary",
        body={
            "summary": "Forever daily",
            "start": {"dateTime": "2026-01-01T09:00:00", "timeZone": "America/New_York"},
            "end": {"dateTime": "2026-01-01T09:30:00", "timeZone": "America/New_York"},
            "recurrence": ["RRULE:FREQ=DAILY"],
        },
    ).execute()
    window = (
        cal.events()
        .list(
            calendarId="primary",
            singleEvents=True,
            timeMin="2026-02-10T00:00:00Z",
            timeMax="2026-02-13T00:00:00Z",
        )
        .execute()["items"]
    )
    assert [i["start"]["dateTime"][:10] for i in window] == ["2026-02-10", "2026-02-11", "2026-02-12"]
    unbounded = cal.events().list(calendarId="primary", singleEvents=True, maxResults=2500).execute()
    assert 700 <= len(unbounded["items"]) <= 2500  # stops at a horizon, not never
    outside = cal.events().list(calendarId="primary", timeMax="2025-12-01T00:00:00Z").execute()["items"]
    assert outside == []


def test_until_and_all_day_instance_ids(cal: Any) -> None:
    cal.events().insert(
        calendarId="primary",
        body={
            "id": "alldaa0001",
            "start": {"date": "2026-02-02"},
            "end": {"date": "2026-02-03"},
            "recurrence": ["RRULE:FREQ=DAILY;UNTIL=20260205"],
        },
    ).execute()
    items = cal.events().list(calendarId="primary", singleEvents=True).execute()["items"]
    assert [i["id"] for i in items] == [
        "alldaa0001_20260202",
        "alldaa0001_20260203",
        "alldaa0001_20260204",
        "alldaa0001_20260205",
    ]
    assert items[1]["originalStartTime"] == {"date": "2026-02-03"} and items[1]["end"] == {
        "date": "2026-02-04"
    }


def test_control_edits_of_instances_and_series_delete(emu: GoogleEmulator, cal: Any) -> None:
    _series(cal)
    emu.update_event(ANN, "primary", "series00001_20260119T150000Z", {"summary": "Special class"})
    emu.delete_event(ANN, "primary", "series00001_20260121T150000Z")
    occ = emu.events(ANN, "primary", single_events=True)
    assert [o["summary"] for o in occ].count("Special class") == 1 and len(occ) == 5
    token = cal.events().list(calendarId="primary").execute()["nextSyncToken"]
    cal.events().delete(calendarId="primary", eventId="series00001").execute()
    changed = cal.events().list(calendarId="primary", syncToken=token).execute()["items"]
    assert {(i["id"], i["status"]) for i in changed} == {
        ("series00001", "cancelled"),
        ("series00001_20260119T150000Z", "cancelled"),
    }
    assert cal.events().list(calendarId="primary", singleEvents=True).execute()["items"] == []
    with pytest.raises(ControlError):
        emu.update_event(ANN, "primary", "series00001_20260120T150000Z", {"summary": "not an occurrence"})
