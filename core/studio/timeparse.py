"""Parsing and formatting of appointment times in the studio time zone."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from studiosync.core import clock
from studiosync.core.errors import InputError

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo


def zone(name: str) -> ZoneInfo:
    """An IANA time zone, or a one-line InputError."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # start-up: most commands never need a zone

    try:
        if not name or name != name.strip() or name.startswith("/") or ".." in name:
            raise ValueError
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise InputError(f"unknown time zone {name!r} (use an IANA name such as Europe/London)") from None


def parse_when(text: str, tz: ZoneInfo, *, what: str = "time") -> datetime | date:
    """ISO 8601 date (all-day) or date-time; naive date-times are taken in the studio zone."""
    raw = (text or "").strip()
    if len(raw) == 10:
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00") if raw.endswith("Z") else raw)
    except ValueError:
        raise InputError(f"{what} {text!r} is not an ISO 8601 date or time (e.g. 2026-12-01T09:30)") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.astimezone(tz)


def check_span(start: datetime | date, end: datetime | date) -> tuple[datetime | date, datetime | date, bool]:
    """Validate start/end; returns (start, end, all_day). All-day ends are exclusive, as in Google."""
    start_is_date = not isinstance(start, datetime)
    end_is_date = not isinstance(end, datetime)
    if start_is_date != end_is_date:
        raise InputError("start and end must both be dates (all-day) or both be date-times")
    if start_is_date:
        if end < start:
            raise InputError(f"end {end.isoformat()} is before start {start.isoformat()}")
        if end == start:  # a one-day all-day appointment typed as start=end
            end = start + timedelta(days=1)
        return start, end, True
    # A zero-length appointment (end == start) is allowed: Google allows such events (a reminder, a
    # deadline) and one pulled from Google must stay editable; an end before the start is a mistake.
    if end < start:  # type: ignore[operator]
        # As people type them (the studio's wall clock), not ISO with an offset.
        raise InputError(f"end {_shown(end)} is before start {_shown(start)}")
    return start, end, False


def _shown(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S" if value.second else "%Y-%m-%d %H:%M")


def to_text(value: datetime | date) -> str:
    return value.isoformat()


def from_text(text: str) -> datetime | date:
    return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)


def now_utc() -> datetime:
    return clock.now()


def stamp() -> str:
    """Current time as stored in bookkeeping fields (UTC, ISO, ms)."""
    return now_utc().isoformat(timespec="milliseconds")
