"""Parsing and formatting of appointment times in the studio time zone.

Times people type are wall-clock times in the studio zone. Twice a year that is ambiguous: a time inside
the spring-forward gap does not exist (refused, with the two real times it could have meant), a time in
the autumn overlap exists twice (the first is taken, and the caller is told). Years are 1900-2200: an
appointment book has no business outside them, and the date arithmetic near year 9999 overflows.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from studiosync.core import clock
from studiosync.core.errors import InputError

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

MIN_YEAR = 1900
MAX_YEAR = 2200


def zone(name: str) -> ZoneInfo:
    """An IANA time zone, or a one-line InputError."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # start-up: most commands never need a zone

    from studiosync.core.text import escape_line, first_unsafe

    try:
        if not name or name != name.strip() or name.startswith("/") or ".." in name or first_unsafe(name):
            raise ValueError
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise InputError(
            f"unknown time zone {escape_line(name)!r} (use an IANA name such as Europe/London)"
        ) from None


def parse_when(
    text: str, tz: ZoneInfo, *, what: str = "time", notes: list[str] | None = None
) -> datetime | date:
    """ISO 8601 date (all-day) or date-time; naive date-times are wall-clock times in the studio zone.

    A wall time that happens twice (autumn) is taken the first time; `notes` (if given) gets one line
    saying so. A wall time that does not exist (spring) is refused with the two times it could mean.
    """
    from studiosync.core.text import escape_line

    raw = (text or "").strip()
    shown = escape_line(text or "")
    if len(raw) == 10:
        try:
            return check_year(date.fromisoformat(raw), what)
        except ValueError:
            pass
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00") if raw.endswith("Z") else raw)
    except ValueError:
        raise InputError(
            f"{what} {shown!r} is not an ISO 8601 date or time (e.g. 2026-12-01T09:30)"
        ) from None
    check_year(value, what)
    if value.tzinfo is None:
        value = wall_time(value, tz, what=what, notes=notes)
    return check_year(value.astimezone(tz), what)


def check_year(value: datetime | date, what: str = "time") -> datetime | date:
    """Refuse a date outside the years MIN_YEAR-MAX_YEAR (a typo such as 9999 or 0202)."""
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise InputError(
            f"{what} {value.isoformat()} is outside the years {MIN_YEAR}-{MAX_YEAR}; check the year"
        )
    return value


def wall_time(
    value: datetime, tz: ZoneInfo, *, what: str = "time", notes: list[str] | None = None
) -> datetime:
    """A naive wall-clock time in `tz`: refused inside a DST gap, the first one of a DST overlap."""
    first = value.replace(tzinfo=tz, fold=0)
    second = value.replace(tzinfo=tz, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first
    typed = _shown(value)
    # zoneinfo reads a wall time in a gap with the offset before the jump (fold=0) or after it (fold=1):
    # both give a real instant, shown on the other side of the gap.
    real_first = first.astimezone(UTC).astimezone(tz)
    if real_first.replace(tzinfo=None) != value:  # in a gap: the clocks jump over this time
        earlier, later = sorted([second.astimezone(UTC).astimezone(tz), real_first])
        jump_from, jump_to = _gap_edges(second.astimezone(UTC), first.astimezone(UTC), tz)
        raise InputError(
            f"{what} {typed} does not exist in {tz.key} (the clocks jump from {jump_from} to {jump_to} "
            f"that night); use {_shown(earlier)} or {_shown(later)}"
        )
    if notes is not None:  # in an overlap: the clocks go back and this time happens twice
        notes.append(
            f"{what} {typed} happens twice in {tz.key} (the clocks go back that night): took the first, "
            f"{first.isoformat(timespec='minutes')}; for the second give {second.isoformat(timespec='minutes')}"
        )
    return first


def _gap_edges(low: datetime, high: datetime, tz: ZoneInfo) -> tuple[str, str]:
    """The wall times around a spring-forward jump that happens between the UTC instants low and high."""
    before = low.astimezone(tz).utcoffset()
    while high - low > timedelta(seconds=1):  # bisect to the transition instant
        mid = low + (high - low) / 2
        if mid.astimezone(tz).utcoffset() == before:
            low = mid
        else:
            high = mid
    instant = high.replace(microsecond=0)
    after = instant.astimezone(tz)
    assert before is not None
    return (instant + before).strftime("%H:%M"), after.strftime("%H:%M")


def check_span(start: datetime | date, end: datetime | date) -> tuple[datetime | date, datetime | date, bool]:
    """Validate start/end; returns (start, end, all_day). All-day ends are exclusive, as in Google."""
    check_year(start, "start")
    check_year(end, "end")
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
