"""Time parsing and formatting in the forms Google uses (RFC 3339, all-day dates, IANA zones)."""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo

from .errors import bad_request

UTC = dt.UTC


@functools.lru_cache(maxsize=256)
def _zone(name: str) -> dt.tzinfo | None:
    if name in ("UTC", "Etc/UTC", "GMT"):
        return UTC
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def zone(name: str | None, fallback: dt.tzinfo = UTC) -> dt.tzinfo:
    """The tzinfo for an IANA name; unknown names fall back (used where the name was validated before)."""
    if not name:
        return fallback
    return _zone(name) or fallback


def check_zone(name: str, what: str = "time zone") -> str:
    if _zone(name) is None:
        raise bad_request(f"Invalid {what}: {name!r}.", "invalid")
    return name


def now_utc() -> dt.datetime:
    return dt.datetime.now(UTC)


def rfc3339_ms(moment: dt.datetime) -> str:
    """`2026-11-25T10:00:00.123Z`: the shape of `updated`/`created`."""
    m = moment.astimezone(UTC)
    return m.strftime("%Y-%m-%dT%H:%M:%S.") + f"{m.microsecond // 1000:03d}Z"


def format_datetime(moment: dt.datetime, tz: dt.tzinfo) -> str:
    """An event dateTime as Google prints it: seconds precision, offset of the zone, `Z` for UTC."""
    local = moment.astimezone(tz)
    if local.utcoffset() == dt.timedelta(0) and tz is UTC:
        return local.strftime("%Y-%m-%dT%H:%M:%SZ")
    return local.isoformat(timespec="seconds")


def parse_datetime(value: str, *, field: str, default_tz: dt.tzinfo | None = None) -> dt.datetime:
    """An aware datetime from RFC 3339; a value without offset needs `default_tz` (else 400)."""
    if not isinstance(value, str):
        raise bad_request(f"Invalid value for {field}.", location=field)
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise bad_request(f"Bad Request: invalid {field} value {value!r}.", location=field) from None
    if parsed.tzinfo is None:
        if default_tz is None:
            raise bad_request(f"Missing time zone definition for {field}.", "required", location=field)
        parsed = parsed.replace(tzinfo=default_tz)
    return parsed


def parse_date(value: str, *, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise bad_request(f"Invalid {field} date {value!r}.", location=field) from None


def midnight(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    """The instant an all-day date starts in the calendar's zone (all-day events are zone-less)."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)


def parse_bool(value: str | None, default: bool = False) -> bool:
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")
