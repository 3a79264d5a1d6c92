"""Job schedules as people type them: 5-field cron (crontab(5) semantics) or a simple interval.

Two traps this module exists to avoid:

* APScheduler 3.x numbers weekdays from 0 = Monday, and ``CronTrigger.from_crontab`` passes the
  day-of-week field through unchanged, so ``0 9 * * 1`` would silently mean *Tuesday*. We parse
  every field ourselves and hand APScheduler weekday *names* (``mon,tue``), which it can't
  misread.
* crontab(5): when both day-of-month and day-of-week are restricted (neither starts with ``*``),
  a day matches if EITHER matches (``0 9 1 * 1`` = the 1st of the month and every Monday).
  APScheduler ANDs its fields, so in that case we build two CronTriggers (one per field) and
  combine them with ``OrTrigger``, which fires at the earliest of the two.

Intervals are ``<n>s|m|h|d`` parts, optionally combined (``1h30m``), optionally spelled out
(``15 minutes``) and optionally prefixed with ``every`` (``every 15m``); the canonical text is the
compact form (``1h30m``). A bare ``every day`` is refused: it doesn't say at what time. Anything else is refused with a one-line InputError.
"""

from __future__ import annotations

import calendar
import functools
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from studiosync.core.errors import InputError

__all__ = [
    "MAX_INTERVAL_SECONDS",
    "MIN_INTERVAL_SECONDS",
    "Schedule",
    "parse_schedule",
]

# A job that fires more often than this only burns Google quota (about 600 requests/min/user)
# and floods the logs; anything faster is almost certainly a typo ("1s" for "1m").
MIN_INTERVAL_SECONDS = 10
# Beyond a year an interval is a typo too, and huge values would overflow datetime arithmetic.
MAX_INTERVAL_SECONDS = 365 * 86400

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # cron numbering: 0 = Sunday
_MONTH_WORDS = tuple(calendar.month_name[1:])
_WEEKDAY_WORDS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")

# crontab(5) nicknames; @reboot has no meaning for a scheduler that runs jobs by time.
_NICKNAMES = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}


@dataclass(frozen=True)
class _Field:
    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()
    name_base: int = 0  # the number of names[0]


_FIELDS = (
    _Field("minute", 0, 59),
    _Field("hour", 0, 23),
    _Field("day-of-month", 1, 31),
    _Field("month", 1, 12, _MONTHS, 1),
    # 7 is accepted as a second Sunday, as in crontab(5); folded to 0 after expansion.
    _Field("day-of-week", 0, 7, _WEEKDAYS, 0),
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


@dataclass(frozen=True)
class _Cron:
    """A parsed cron expression: the raw fields (needed for the '*' rules) and their value sets."""

    raw: tuple[str, ...]  # minute, hour, day-of-month, month, day-of-week
    minute: frozenset[int]
    hour: frozenset[int]
    dom: frozenset[int]
    month: frozenset[int]
    dow: frozenset[int]  # 0 = Sunday .. 6 = Saturday (cron numbering)

    @property
    def dom_restricted(self) -> bool:
        # Vixie cron / cronie decide "restricted" by the field's first character, so */2 counts
        # as unrestricted for the OR rule; we follow the implementation people actually run.
        return not self.raw[2].startswith("*")

    @property
    def dow_restricted(self) -> bool:
        return not self.raw[4].startswith("*")


@dataclass(frozen=True)
class Schedule:
    """A validated schedule. ``text`` is canonical: ``parse_schedule(s.text) == s``.

    ``seconds`` is the interval length for ``kind == "interval"`` and None for cron.
    """

    kind: Literal["cron", "interval"]
    text: str
    seconds: int | None

    def describe(self) -> str:
        """Plain English for the job editor; falls back to ``cron: <text>`` for unusual crons."""
        if self.kind == "interval":
            assert self.seconds is not None
            return "every " + _duration_words(self.seconds)
        return _describe_cron(_parse_cron(self.text)) or f"cron: {self.text}"

    def trigger(self, tz: str | ZoneInfo, *, start: datetime | None = None) -> BaseTrigger:
        """An APScheduler 3 trigger evaluated in the studio time zone ``tz``.

        For intervals, ``start`` is the first fire time (APScheduler's default: now + interval).
        """
        zone = _zone(tz)
        if self.kind == "interval":
            return IntervalTrigger(seconds=self.seconds, start_date=start, timezone=zone)
        cron = _parse_cron(self.text)
        fields = {
            "minute": _ap_numbers(cron.minute, _FIELDS[0]),
            "hour": _ap_numbers(cron.hour, _FIELDS[1]),
            "month": _ap_numbers(cron.month, _FIELDS[3]),
            "start_date": start,
            "timezone": zone,
        }
        dom = _ap_numbers(cron.dom, _FIELDS[2])
        dow = _ap_weekdays(cron.dow)
        if cron.dom_restricted and cron.dow_restricted:
            return OrTrigger(
                [
                    CronTrigger(day=dom, day_of_week="*", **fields),
                    CronTrigger(day="*", day_of_week=dow, **fields),
                ]
            )
        return CronTrigger(day=dom, day_of_week=dow, **fields)

    def next_runs(self, n: int, tz: str | ZoneInfo, after: datetime) -> list[datetime]:
        """The next ``n`` fire times strictly after ``after`` (naive = studio local time), in ``tz``."""
        zone = _zone(tz)
        if after.tzinfo is None:
            after = after.replace(tzinfo=zone)
        if self.kind == "interval":
            assert self.seconds is not None
            step = timedelta(seconds=self.seconds)
            # UTC arithmetic: an interval is elapsed time, not wall-clock time, across DST changes.
            base = after.astimezone(UTC)
            return [(base + step * i).astimezone(zone) for i in range(1, n + 1)]
        trig = self.trigger(zone)
        runs: list[datetime] = []
        cursor = after.astimezone(UTC)
        while len(runs) < n:
            # +1 µs: APScheduler returns `now` itself when it matches; we want strictly after.
            nxt = trig.get_next_fire_time(None, (cursor + timedelta(microseconds=1)).astimezone(zone))
            if nxt is None:  # pragma: no cover - impossible dates are refused by the parser
                break
            runs.append(nxt.astimezone(zone))
            cursor = nxt.astimezone(UTC)
        return runs


def parse_schedule(text: str) -> Schedule:
    """Parse what a person typed into a Schedule, or raise InputError with a one-line reason."""
    cleaned = " ".join(str(text).split()).lower()
    if not cleaned:
        raise InputError(
            "the schedule is empty: type a cron expression like '0 9 * * 1' or an interval like '15m'"
        )
    if cleaned.startswith("@"):
        if cleaned not in _NICKNAMES:
            raise InputError(
                f"'{text.strip()}' is not supported: use @hourly, @daily, @weekly, @monthly or @yearly"
            )
        _parse_cron(cleaned)
        return Schedule("cron", cleaned, None)
    parts = cleaned.split(" ")
    if cleaned.startswith("every ") or _interval_units(cleaned):
        return _parse_interval(cleaned, text.strip())
    if cleaned.isdigit():
        raise InputError(f"'{cleaned}' needs a unit: s, m, h or d (for example '{cleaned}m')")
    if len(parts) == 1 and not any(ch in cleaned for ch in "*,/-"):
        raise InputError(_NOT_A_SCHEDULE.format(text.strip()))
    if len(parts) != 5:
        raise InputError(
            f"a cron expression needs 5 fields (minute hour day-of-month month day-of-week), got {len(parts)}"
        )
    _parse_cron(cleaned)
    return Schedule("cron", cleaned, None)


_NOT_A_SCHEDULE = (
    "'{}' is not a schedule: use a cron expression like '0 9 * * 1' "
    "or an interval like '30s', '15m', '2h', '1h30m' or '1d'"
)


# ---------------------------------------------------------------------------------------------
# intervals


def _parse_interval(cleaned: str, original: str) -> Schedule:
    body = cleaned.removeprefix("every ").strip()
    units = _interval_units(body)
    if units is None:
        if body.rstrip("s") == "day":
            # "every day" is ambiguous (at what time?): point at both precise spellings.
            raise InputError(
                f"'{original}' needs a number or a time: use '1d' (every 24 hours) "
                "or a cron expression like '0 9 * * *' (09:00 every day)"
            )
        if body.rstrip("s") in ("second", "minute", "hour"):
            raise InputError(f"'{original}' needs a number: use an interval like '1{body[0]}'")
        raise InputError(_NOT_A_SCHEDULE.format(original))
    seconds = sum(count * _UNIT_SIZE[unit] for unit, count in units.items())
    if seconds < MIN_INTERVAL_SECONDS:
        raise InputError(f"an interval must be at least {MIN_INTERVAL_SECONDS} seconds")
    if seconds > MAX_INTERVAL_SECONDS:
        raise InputError("an interval can be at most 365 days")
    return Schedule("interval", _canonical_interval(seconds), seconds)


def _interval_units(body: str) -> dict[str, int] | None:
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


def _duration_words(seconds: int) -> str:
    parts = _split_duration(seconds)
    if len(parts) == 1 and parts[0][1] == 1:
        return parts[0][0]  # "every hour", not "every 1 hour"
    return " ".join(f"{count} {unit}{'s' if count != 1 else ''}" for unit, count in parts)


# ---------------------------------------------------------------------------------------------
# cron


@functools.lru_cache(maxsize=256)
def _parse_cron(text: str) -> _Cron:
    raw = tuple(_NICKNAMES.get(text, text).split())
    if len(raw) != 5:  # only reachable with a hand-built Schedule, e.g. from a damaged store
        raise InputError(f"'{text}' is not a 5-field cron expression")
    sets = [_parse_field(value, spec) for value, spec in zip(raw, _FIELDS, strict=True)]
    dow = frozenset(d % 7 for d in sets[4])  # 7 -> 0: both mean Sunday
    cron = _Cron(raw, sets[0], sets[1], sets[2], sets[3], dow)
    _check_possible(cron)
    return cron


def _parse_field(text: str, spec: _Field) -> frozenset[int]:
    values: set[int] = set()
    for item in text.split(","):
        if not item:
            raise InputError(f"the {spec.name} field '{text}' has an empty list item")
        base, slash, step_text = item.partition("/")
        step = 1
        if slash:
            if not step_text.isdigit():
                raise InputError(f"'{item}' in the {spec.name} field: the step after '/' must be a number")
            step = int(step_text)
            if not 1 <= step <= spec.high:
                raise InputError(f"step {step} in the {spec.name} field is out of range 1-{spec.high}")
        if base == "*":
            # For day-of-week, * is 0-6: including 7 would only duplicate Sunday.
            low, high = spec.low, min(spec.high, 6) if spec.name == "day-of-week" else spec.high
        elif "-" in base:
            first, _, last = base.partition("-")
            if not first or not last:
                raise InputError(f"'{base}' in the {spec.name} field is not a valid range")
            low, high = _value(first, spec), _value(last, spec)
            if low > high:
                raise InputError(f"range {base} in the {spec.name} field goes backwards")
        else:
            low = _value(base, spec)
            # "5/15" is not in crontab(5) but common elsewhere: read it as "5-max/15".
            high = spec.high if slash else low
        values.update(range(low, high + 1, step))
    return frozenset(values)


def _value(token: str, spec: _Field) -> int:
    if token.isdigit():
        number = int(token)
        if not spec.low <= number <= spec.high:
            raise InputError(f"{spec.name} {number} is out of range {spec.low}-{spec.high}")
        return number
    if spec.names and token in spec.names:
        return spec.names.index(token) + spec.name_base
    if spec.names:
        hint = ", ".join(spec.names[:3])
        raise InputError(
            f"'{token}' is not a valid {spec.name}: use {spec.low}-{spec.high} or a three-letter name ({hint}...)"
        )
    raise InputError(f"'{token}' is not a valid {spec.name}: use a number {spec.low}-{spec.high}")


def _check_possible(cron: _Cron) -> None:
    # "0 0 31 2 *" can never fire; APScheduler would search for years before giving up.
    if cron.dow_restricted and cron.dom_restricted:
        return  # the weekday half of the OR always matches some day
    if not cron.dom_restricted:
        return
    longest = max(calendar.monthrange(2024, m)[1] for m in cron.month)  # 2024: Feb has 29 days
    if min(cron.dom) > longest:
        raise InputError(
            f"day-of-month {min(cron.dom)} never occurs in {_join([_MONTH_WORDS[m - 1] for m in sorted(cron.month)])}"
        )


def _ap_numbers(values: frozenset[int], spec: _Field) -> str:
    if values == frozenset(range(spec.low, spec.high + 1)):
        return "*"
    return ",".join(str(v) for v in sorted(values))


def _ap_weekdays(values: frozenset[int]) -> str:
    if len(values) == 7:
        return "*"
    # Names, never numbers: APScheduler 3 reads "1" as Tuesday.
    return ",".join(_WEEKDAYS[v] for v in sorted(values))


def _zone(tz: str | ZoneInfo) -> ZoneInfo:
    if isinstance(tz, ZoneInfo):
        return tz
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InputError(f"'{tz}' is not a known time zone (use a name like Europe/Paris)") from exc


# ---------------------------------------------------------------------------------------------
# describing cron in words


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _step(raw: str) -> int | None:
    m = re.fullmatch(r"\*/(\d+)", raw)
    return int(m.group(1)) if m else None


def _contiguous(values: list[int]) -> bool:
    return len(values) > 1 and values == list(range(values[0], values[-1] + 1))


def _describe_time(cron: _Cron) -> str | None:
    raw_min, raw_hour = cron.raw[0], cron.raw[1]
    minutes, hours = sorted(cron.minute), sorted(cron.hour)
    if raw_min == "*" or _step(raw_min):
        every = "every minute" if raw_min == "*" else f"every {_step(raw_min)} minutes"
        if raw_hour == "*":
            return every
        if _contiguous(hours):
            return f"{every} from {hours[0]:02d}:00 to {hours[-1]:02d}:59"
        if len(hours) == 1:
            return f"{every} from {hours[0]:02d}:00 to {hours[0]:02d}:59"
        return None
    if len(minutes) == 1:
        if raw_hour == "*":
            return f"every hour at minute {minutes[0]}"
        if _step(raw_hour):
            return f"every {_step(raw_hour)} hours at minute {minutes[0]}"
        if _contiguous(hours) and len(hours) > 2:
            m = minutes[0]
            return f"every hour from {hours[0]:02d}:{m:02d} to {hours[-1]:02d}:{m:02d}"
    if len(minutes) * len(hours) <= 6:
        times = [f"{h:02d}:{m:02d}" for h in hours for m in minutes]
        return "at " + _join(times)
    return None


def _weekday_words(days: frozenset[int]) -> str:
    order = [1, 2, 3, 4, 5, 6, 0]  # people read weeks Monday-first ("Monday to Friday")
    present = [d for d in order if d in days]
    groups: list[list[int]] = []
    for day in present:
        if groups and order.index(day) == order.index(groups[-1][-1]) + 1:
            groups[-1].append(day)
        else:
            groups.append([day])
    words: list[str] = []
    for group in groups:
        if len(group) >= 3:
            words.append(f"{_WEEKDAY_WORDS[group[0]]} to {_WEEKDAY_WORDS[group[-1]]}")
        else:
            words.extend(_WEEKDAY_WORDS[d] for d in group)
    return _join(words)


def _describe_cron(cron: _Cron) -> str | None:
    time = _describe_time(cron)
    raw_dom, raw_month, raw_dow = cron.raw[2], cron.raw[3], cron.raw[4]
    if time is None or any(f.startswith("*") and f != "*" for f in (raw_dom, raw_month, raw_dow)):
        return None
    days: list[str] = []
    if cron.dom_restricted:
        nums = sorted(cron.dom)
        if len(nums) > 4:
            return None
        label = "day" if len(nums) == 1 else "days"
        days.append(f"on {label} {_join([str(d) for d in nums])} of the month")
    if cron.dow_restricted:
        days.append(f"on {_weekday_words(cron.dow)}")
    parts = [time]
    if days:
        parts.append(" or ".join(days))  # both restricted -> cron's OR rule, said out loud
    elif time.startswith("at "):
        parts.append("every day")
    if raw_month != "*":
        parts.append("in " + _join([_MONTH_WORDS[m - 1] for m in sorted(cron.month)]))
    return " ".join(parts)
