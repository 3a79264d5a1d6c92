"""Every recurrence Google Calendar's UI offers, inserted through the real client library and expanded as
Google does (singleEvents=true), as a table: daily, weekly with BYDAY lists, monthly by day and by the nth
(or last) weekday, yearly, COUNT/UNTIL, EXDATE, RDATE, all-day and timed, across DST (10:00 stays 10:00
local). Instance ids as Google forms them: `<id>_<YYYYMMDDTHHMMSSZ>` timed, `<id>_<YYYYMMDD>` all-day.

Sources: calendar.v3.json Event.recurrence ("RRULE, EXRULE, RDATE and EXDATE lines ... as specified in
RFC5545"; DTSTART/DTEND not allowed), EventDateTime.timeZone ("For recurring events this field is required
and specifies the time zone in which the recurrence is expanded"), RFC 5545 3.3.10 / 3.8.5.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from googleapiclient.errors import HttpError

from .helpers import reason

NY = "America/New_York"
LONDON = "Europe/London"

# (recurrence, first start, zone or None for all-day, expected local starts (timed) or dates (all-day))
TABLE: list[tuple[list[str], str, str | None, list[str]]] = [
    (
        ["RRULE:FREQ=DAILY;COUNT=3"],
        "2026-03-07T10:00:00",
        NY,
        ["2026-03-07T10:00", "2026-03-08T10:00", "2026-03-09T10:00"],
    ),
    (["RRULE:FREQ=DAILY;INTERVAL=2;COUNT=3"], "2026-01-05", None, ["2026-01-05", "2026-01-07", "2026-01-09"]),
    (
        ["RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=5"],
        "2026-03-02T10:00:00",
        NY,
        ["2026-03-02T10:00", "2026-03-04T10:00", "2026-03-06T10:00", "2026-03-09T10:00", "2026-03-11T10:00"],
    ),
    (
        ["RRULE:FREQ=WEEKLY;WKST=SU;INTERVAL=2;BYDAY=TU,TH;UNTIL=20260320T235959Z"],
        "2026-03-03T18:30:00",
        LONDON,
        ["2026-03-03T18:30", "2026-03-05T18:30", "2026-03-17T18:30", "2026-03-19T18:30"],
    ),
    (
        ["RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;COUNT=6"],
        "2026-03-05",
        None,
        ["2026-03-05", "2026-03-06", "2026-03-09", "2026-03-10", "2026-03-11", "2026-03-12"],
    ),
    (
        ["RRULE:FREQ=MONTHLY;BYMONTHDAY=31;COUNT=3"],
        "2026-01-31T09:00:00",
        NY,
        ["2026-01-31T09:00", "2026-03-31T09:00", "2026-05-31T09:00"],
    ),
    (
        ["RRULE:FREQ=MONTHLY;BYDAY=2TU;COUNT=3"],
        "2026-03-10T10:00:00",
        NY,
        ["2026-03-10T10:00", "2026-04-14T10:00", "2026-05-12T10:00"],
    ),
    (
        ["RRULE:FREQ=MONTHLY;BYDAY=-1FR;COUNT=3"],
        "2026-02-27T16:00:00",
        NY,
        ["2026-02-27T16:00", "2026-03-27T16:00", "2026-04-24T16:00"],
    ),
    (
        ["RRULE:FREQ=MONTHLY;BYDAY=1MO;UNTIL=20260601"],
        "2026-03-02",
        None,
        ["2026-03-02", "2026-04-06", "2026-05-04", "2026-06-01"],
    ),
    (
        ["RRULE:FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=3;COUNT=3"],
        "2026-03-03",
        None,
        ["2026-03-03", "2027-03-03", "2028-03-03"],
    ),
    (["RRULE:FREQ=YEARLY;COUNT=2"], "2026-11-01T09:00:00", NY, ["2026-11-01T09:00", "2027-11-01T09:00"]),
    (
        ["RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1;COUNT=3"],
        "2027-02-28",
        None,
        ["2027-02-28", "2028-02-29", "2029-02-28"],
    ),
    (
        ["RRULE:FREQ=WEEKLY;COUNT=4", "EXDATE;TZID=America/New_York:20260316T100000"],
        "2026-03-02T10:00:00",
        NY,
        ["2026-03-02T10:00", "2026-03-09T10:00", "2026-03-23T10:00"],
    ),
    (
        ["RRULE:FREQ=WEEKLY;COUNT=3", "RDATE;TZID=America/New_York:20260305T150000"],
        "2026-03-02T10:00:00",
        NY,
        ["2026-03-02T10:00", "2026-03-05T15:00", "2026-03-09T10:00", "2026-03-16T10:00"],
    ),
    (
        ["RRULE:FREQ=DAILY;COUNT=4", "EXDATE;VALUE=DATE:20260103"],
        "2026-01-01",
        None,
        ["2026-01-01", "2026-01-02", "2026-01-04"],
    ),
    # Europe/London's spring change (2026-03-29) and New York's autumn one (2026-11-01): wall clock kept
    (
        ["RRULE:FREQ=WEEKLY;COUNT=3"],
        "2026-03-22T10:00:00",
        LONDON,
        ["2026-03-22T10:00", "2026-03-29T10:00", "2026-04-05T10:00"],
    ),
    (
        ["RRULE:FREQ=DAILY;COUNT=3"],
        "2026-10-31T10:00:00",
        NY,
        ["2026-10-31T10:00", "2026-11-01T10:00", "2026-11-02T10:00"],
    ),
]


def _insert(cal: Any, rules: list[str], first: str, tz: str | None, event_id: str) -> dict[str, Any]:
    if tz is None:
        day = date.fromisoformat(first)
        start, end = {"date": first}, {"date": (day + timedelta(days=1)).isoformat()}
    else:
        hour = int(first[11:13]) + 1
        start = {"dateTime": first, "timeZone": tz}
        end = {"dateTime": f"{first[:11]}{hour:02d}{first[13:]}", "timeZone": tz}
    body = {"id": event_id, "summary": "series", "start": start, "end": end, "recurrence": rules}
    return cal.events().insert(calendarId="primary", body=body).execute()


@pytest.mark.parametrize(("rules", "first", "tz", "expected"), TABLE, ids=[";".join(r[0]) for r in TABLE])
def test_ui_recurrences_expand_as_google_does(
    cal: Any, rules: list[str], first: str, tz: str | None, expected: list[str]
) -> None:
    master = _insert(cal, rules, first, tz, "rule00001")
    assert master["recurrence"] == rules
    items = (
        cal.events()
        .list(calendarId="primary", singleEvents=True, orderBy="startTime", timeMax="2030-01-01T00:00:00Z")
        .execute()["items"]
    )
    if tz is None:
        got = [i["start"]["date"] for i in items]
        ids = [f"rule00001_{d.replace('-', '')}" for d in expected]
    else:
        got = [i["start"]["dateTime"][:16] for i in items]
        assert {i["start"]["timeZone"] for i in items} == {tz}
        ids = [i["originalStartTime"]["dateTime"] for i in items]
        ids = [
            "rule00001_" + datetime.fromisoformat(s).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ") for s in ids
        ]
    assert got == expected
    assert [i["id"] for i in items] == ids
    assert all(i["recurringEventId"] == "rule00001" for i in items)


def test_dst_keeps_the_wall_clock_and_changes_the_utc_id(cal: Any) -> None:
    _insert(cal, ["RRULE:FREQ=WEEKLY;COUNT=2"], "2026-03-22T10:00:00", LONDON, "dstlon001")
    ids = [
        i["id"] for i in cal.events().instances(calendarId="primary", eventId="dstlon001").execute()["items"]
    ]
    assert ids == ["dstlon001_20260322T100000Z", "dstlon001_20260329T090000Z"]


@pytest.mark.parametrize(
    "line",
    [
        "RRULE:FREQ=HOURLY",
        "RRULE:FREQ=WEEKLY;BYDAY=2TU",
        "RRULE:FREQ=DAILY;COUNT=2;UNTIL=20260101",
        "RRULE:FREQ=WEEKLY;BYMONTHDAY=3",
        "DTSTART:20260301T100000Z",
        "RRULE:FREQ=MONTHLY;BYDAY=9XX",
    ],
)
def test_invalid_recurrences_are_refused(cal: Any, line: str) -> None:
    with pytest.raises(HttpError) as err:
        _insert(cal, [line], "2026-03-02T10:00:00", NY, "bad000001")
    assert err.value.status_code == 400 and reason(err.value) == "invalid"


def test_recurring_timed_event_needs_a_time_zone(cal: Any) -> None:
    body = {
        "start": {"dateTime": "2026-03-02T10:00:00-05:00"},
        "end": {"dateTime": "2026-03-02T11:00:00-05:00"},
        "recurrence": ["RRULE:FREQ=DAILY"],
    }
    with pytest.raises(HttpError) as err:
        cal.events().insert(calendarId="primary", body=body).execute()
    assert err.value.status_code == 400 and reason(err.value) == "required"
    assert err.value.error_details[0]["message"] == "Missing time zone definition for start time."


def test_exrule_is_accepted(cal: Any) -> None:
    _insert(
        cal,
        ["RRULE:FREQ=DAILY;COUNT=7", "EXRULE:FREQ=WEEKLY;BYDAY=SA,SU"],
        "2026-03-02T10:00:00",
        NY,
        "skipsat01",
    )
    items = cal.events().instances(calendarId="primary", eventId="skipsat01").execute()["items"]
    assert [i["start"]["dateTime"][:10] for i in items] == [
        "2026-03-02",
        "2026-03-03",
        "2026-03-04",
        "2026-03-05",
        "2026-03-06",
    ]
