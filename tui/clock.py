"""Time for the console: human formatting of times read from the one clock (core.clock)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from studiosync.core.clock import Clock, fixed_clock, system_clock

__all__ = ["Clock", "fixed_clock", "system_clock"]


def parse_stamp(text: str | None) -> datetime | None:
    """A stored ISO stamp (UTC, with offset) or None; bad text reads as None rather than failing a screen."""
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def ago(then: datetime | str | None, now: datetime, *, never: str = "never") -> str:
    """'3 min ago', '2 h ago', '5 d ago': short enough for a table column."""
    moment = parse_stamp(then) if isinstance(then, str) or then is None else then
    if moment is None:
        return never
    seconds = int((now - moment).total_seconds())
    if seconds < 0:
        return "in " + span(-seconds)
    if seconds < 45:
        return "just now"
    return span(seconds) + " ago"


def span(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 90:
        return f"{seconds} s"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min"
    if seconds < 36 * 3600:
        return f"{round(seconds / 3600)} h"
    return f"{round(seconds / 86400)} d"


def local(value: datetime | date | str | None, tz: ZoneInfo, *, with_date: bool = True) -> str:
    """A stored time shown in the studio time zone ('Tue 01 Dec 09:30'); dates stay dates."""
    if value is None:
        return ""
    if isinstance(value, str):
        parsed = parse_stamp(value)
        if parsed is None:
            return value
        value = parsed
    if not isinstance(value, datetime):
        return value.strftime("%a %d %b") + " (all day)"
    moment = value.astimezone(tz)
    return moment.strftime("%a %d %b %H:%M" if with_date else "%H:%M")


def all_day_span(start: date, end: date) -> str:
    days = (end - start).days
    return "all day" if days <= 1 else f"{days} days"


def duration(start: datetime | date, end: datetime | date) -> str:
    if not isinstance(start, datetime) or not isinstance(end, datetime):
        return all_day_span(start, end)  # type: ignore[arg-type]
    minutes = int((end - start) / timedelta(minutes=1))
    return f"{minutes // 60}h{minutes % 60:02d}" if minutes >= 60 else f"{minutes} min"
