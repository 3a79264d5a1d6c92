"""An event's `start`/`end` (EventDateTime): parsing with Google's answers, rendering, and time spans.

Calendar v3 reference, EventDateTime: `date` for an all-day event, `dateTime` (RFC 3339, an offset unless
`timeZone` is given) otherwise, never both; `timeZone` is "required for recurring events". Must never
import anything outside the emulator package.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from .errors import bad_request, invalid_time
from .recurrence import Occurrence
from .timeutil import UTC, check_zone, format_datetime, midnight, parse_date, parse_datetime, zone


@dataclass(frozen=True)
class When:
    """A parsed `start` or `end` (`parse_when`): all-day with a date, or timed with an aware UTC datetime,
    plus its timeZone when one was given."""

    all_day: bool
    value: Occurrence
    tz: str | None


def parse_when(raw: Any, field: str) -> When:
    if not isinstance(raw, dict) or not (raw.get("date") or raw.get("dateTime")):
        raise bad_request(f"Missing {field} time.", "required", location=field)
    if raw.get("date") and raw.get("dateTime"):
        # What a patch switching all-day <-> timed without nulling the other key produces.
        raise invalid_time(field)
    tz_name = raw.get("timeZone") or None
    if tz_name is not None:
        check_zone(tz_name)
    if raw.get("date"):
        return When(True, parse_date(raw["date"], field=field), tz_name)
    default = zone(tz_name) if tz_name else None
    moment = parse_datetime(raw["dateTime"], field=field, default_tz=default)
    return When(False, moment.astimezone(UTC), tz_name)


def parse_times(body: dict[str, Any], *, recurring: bool = False) -> tuple[When, When]:
    start, end = parse_when(body.get("start"), "start"), parse_when(body.get("end"), "end")
    if start.all_day != end.all_day:
        raise bad_request("Start and end times must either both be date or both be dateTime.")
    if end.value < start.value or (start.all_day and end.value == start.value):  # type: ignore[operator]
        raise bad_request("The specified time range is empty.", "timeRangeEmpty", location="end.dateTime")
    if recurring and not start.all_day and not start.tz:
        raise bad_request("Missing time zone definition for start time.", "required", location="start")
    return start, end


def when_dict(value: Occurrence, tz_name: str | None, view_tz: dt.tzinfo) -> dict[str, str]:
    if not isinstance(value, dt.datetime):
        return {"date": value.isoformat()}
    out = {"dateTime": format_datetime(value, zone(tz_name) if tz_name else view_tz)}
    if tz_name:
        out["timeZone"] = tz_name
    return out


def span_of(
    all_day: bool, start: Occurrence, end: Occurrence, cal_tz: dt.tzinfo
) -> tuple[dt.datetime, dt.datetime]:
    """The UTC interval an event occupies; all-day dates are read in the calendar's zone."""
    if all_day:
        return midnight(start, cal_tz), midnight(end, cal_tz)  # type: ignore[arg-type]
    return start, end  # type: ignore[return-value]


def overlaps(
    start: dt.datetime, end: dt.datetime, time_min: dt.datetime | None, time_max: dt.datetime | None
) -> bool:
    # Google: timeMin bounds the end (exclusive), timeMax bounds the start (exclusive).
    return (time_min is None or end > time_min) and (time_max is None or start < time_max)
