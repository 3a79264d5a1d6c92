"""Cron expressions as crontab(5) means them: the five fields, names, ranges, steps and nicknames, parsed
into sets of values (`parse_cron`), refusing impossible dates ("0 0 31 2 *") with a one-line InputError.

crontab(5): when both day-of-month and day-of-week are restricted (neither starts with ``*``), a day
matches if EITHER matches; `Cron.dom_restricted` / `dow_restricted` tell the trigger builder when.

Must never import APScheduler (the trigger is built in core.schedule.triggers) and never number
weekdays any way but cron's (0 = Sunday).
"""

from __future__ import annotations

import calendar
import functools
from dataclasses import dataclass

from studiosync.core.errors import InputError

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # cron numbering: 0 = Sunday
MONTH_WORDS = tuple(calendar.month_name[1:])

# crontab(5) nicknames; @reboot has no meaning for a scheduler that runs jobs by time.
NICKNAMES = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}


@dataclass(frozen=True)
class Field:
    """One of the five crontab fields: its name, the values it allows (low to high) and the names it accepts
    for them."""

    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()
    name_base: int = 0  # the number of names[0]


MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK = FIELDS = (
    Field("minute", 0, 59),
    Field("hour", 0, 23),
    Field("day-of-month", 1, 31),
    Field("month", 1, 12, MONTHS, 1),
    # 7 is accepted as a second Sunday, as in crontab(5); folded to 0 after expansion.
    Field("day-of-week", 0, 7, WEEKDAYS, 0),
)


@dataclass(frozen=True)
class Cron:
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


@functools.lru_cache(maxsize=256)
def parse_cron(text: str) -> Cron:
    raw = tuple(NICKNAMES.get(text, text).split())
    if len(raw) != 5:  # only reachable with a hand-built Schedule, e.g. from a damaged store
        raise InputError(f"'{text}' is not a 5-field cron expression")
    sets = [_parse_field(value, spec) for value, spec in zip(raw, FIELDS, strict=True)]
    dow = frozenset(d % 7 for d in sets[4])  # 7 -> 0: both mean Sunday
    cron = Cron(raw, sets[0], sets[1], sets[2], sets[3], dow)
    _check_possible(cron)
    return cron


def _parse_field(text: str, spec: Field) -> frozenset[int]:
    values: set[int] = set()
    for item in text.split(","):
        if not item:
            raise InputError(f"the {spec.name} field '{text}' has an empty list item")
        base, slash, step_text = item.partition("/")
        step = 1
        if slash:
            if not step_text.isdecimal():  # isdigit() would pass "²", which int() refuses
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


def _value(token: str, spec: Field) -> int:
    if token.isdecimal():  # what int() reads ("²" is a digit, not a decimal)
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


def _check_possible(cron: Cron) -> None:
    # "0 0 31 2 *" can never fire; APScheduler would search for years before giving up.
    if cron.dow_restricted and cron.dom_restricted:
        return  # the weekday half of the OR always matches some day
    if not cron.dom_restricted:
        return
    longest = max(calendar.monthrange(2024, m)[1] for m in cron.month)  # 2024: Feb has 29 days
    if min(cron.dom) > longest:
        raise InputError(
            f"day-of-month {min(cron.dom)} never occurs in {join([MONTH_WORDS[m - 1] for m in sorted(cron.month)])}"
        )


def join(words: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
