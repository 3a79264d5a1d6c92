"""Interval schedules: ``<n>s|m|h|d`` parts, optionally combined (``1h30m``), optionally spelled out
(``15 minutes``) and optionally prefixed with ``every`` (``every 15m``); the canonical text is the
compact form (``1h30m``). A bare ``every day`` is refused: it doesn't say at what time.

Must never accept an interval shorter than MIN_INTERVAL_SECONDS or longer than MAX_INTERVAL_SECONDS, and
never import APScheduler.
"""

from __future__ import annotations

import re

from studiosync.core.errors import InputError

# A job that fires more often than this only burns Google quota (about 600 requests/min/user)
# and floods the logs; anything faster is almost certainly a typo ("1s" for "1m").
MIN_INTERVAL_SECONDS = 10
# Beyond a year an interval is a typo too, and huge values would overflow datetime arithmetic.
MAX_INTERVAL_SECONDS = 365 * 86400

NOT_A_SCHEDULE = (
    "'{}' is not a schedule: use a cron expression like '0 9 * * 1' "
    "or an interval like '30s', '15m', '2h', '1h30m' or '1d'"
)

_INTERVAL_PART_RE = re.compile(r"(\d+) ?([a-z]+) ?")
# Letters are canonical; the words are accepted because "every 15 minutes" is unambiguous.
_UNIT_WORDS = {
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), "s"),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), "m"),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), "h"),
    **dict.fromkeys(("d", "day", "days"), "d"),
}
_UNIT_SIZE = {"d": 86400, "h": 3600, "m": 60, "s": 1}
_UNIT_NAMES = {"d": "day", "h": "hour", "m": "minute", "s": "second"}
_UNIT_SECONDS = (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1))


def parse_interval(cleaned: str, original: str) -> tuple[str, int]:
    """(canonical text, seconds) of a lower-cased, space-normalised interval; InputError otherwise."""
    body = cleaned.removeprefix("every ").strip()
    units = interval_units(body)
    if units is None:
        if body.rstrip("s") == "day":
            # "every day" is ambiguous (at what time?): point at both precise spellings.
            raise InputError(
                f"'{original}' needs a number or a time: use '1d' (every 24 hours) "
                "or a cron expression like '0 9 * * *' (09:00 every day)"
            )
        if body.rstrip("s") in ("second", "minute", "hour"):
            raise InputError(f"'{original}' needs a number: use an interval like '1{body[0]}'")
        raise InputError(NOT_A_SCHEDULE.format(original))
    seconds = sum(count * _UNIT_SIZE[unit] for unit, count in units.items())
    if seconds < MIN_INTERVAL_SECONDS:
        raise InputError(f"an interval must be at least {MIN_INTERVAL_SECONDS} seconds")
    if seconds > MAX_INTERVAL_SECONDS:
        raise InputError("an interval can be at most 365 days")
    return _canonical_interval(seconds), seconds


def interval_units(body: str) -> dict[str, int] | None:
    """'1h30m' / '1 hour 30 minutes' -> {'h': 1, 'm': 30}; None if it isn't an interval at all."""
    units: dict[str, int] = {}
    pos = 0
    while pos < len(body):
        m = _INTERVAL_PART_RE.match(body, pos)
        if not m or m.group(2) not in _UNIT_WORDS:
            return None
        unit = _UNIT_WORDS[m.group(2)]
        if unit in units:
            raise InputError(f"'{body}' gives the {_UNIT_NAMES[unit]}s twice")
        units[unit] = int(m.group(1))
        pos = m.end()
    return units or None


def _split_duration(seconds: int) -> list[tuple[str, int]]:
    parts = []
    for unit, size in _UNIT_SECONDS:
        count, seconds = divmod(seconds, size)
        if count:
            parts.append((unit, count))
    return parts


def _canonical_interval(seconds: int) -> str:
    return "".join(f"{count}{unit[0]}" for unit, count in _split_duration(seconds))


def duration_words(seconds: int) -> str:
    parts = _split_duration(seconds)
    if len(parts) == 1 and parts[0][1] == 1:
        return parts[0][0]  # "every hour", not "every 1 hour"
    return " ".join(f"{count} {unit}{'s' if count != 1 else ''}" for unit, count in parts)
