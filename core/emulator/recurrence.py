"""RFC 5545 recurrence, the subset Google Calendar events use: RRULE (DAILY/WEEKLY/MONTHLY/YEARLY with
INTERVAL, COUNT, UNTIL, BYDAY, BYMONTHDAY, WKST), EXDATE and RDATE.

Expansion works on local wall-clock times in the event's zone (so a 10:00 series stays at 10:00 across
DST) and is always bounded by the caller, because a rule without COUNT/UNTIL never ends.
"""

from __future__ import annotations

import calendar as _cal
import datetime as dt
import heapq
from collections.abc import Iterator
from dataclasses import dataclass, field

from .errors import bad_request
from .timeutil import UTC, zone

WEEKDAYS = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}
# Hard stop so a pathological rule cannot pin a server thread.
MAX_STEPS = 200_000

Occurrence = dt.datetime | dt.date


@dataclass(frozen=True)
class Rule:
    freq: str
    interval: int = 1
    count: int | None = None
    until: dt.datetime | dt.date | None = None
    byday: tuple[int, ...] = ()
    bymonthday: tuple[int, ...] = ()
    wkst: int = 0


@dataclass
class Recurrence:
    rules: list[Rule] = field(default_factory=list)
    exdates: set[Occurrence] = field(default_factory=set)
    rdates: list[Occurrence] = field(default_factory=list)


def _invalid(line: str, why: str = "") -> Exception:
    suffix = f" ({why})" if why else ""
    return bad_request(f"Invalid recurrence rule: {line!r}{suffix}.", "invalid")


def _parse_stamp(value: str, tz: dt.tzinfo, all_day: bool, line: str) -> Occurrence:
    """`20260105`, `20260105T100000` (local to tz) or `20260105T150000Z` -> a date or an aware UTC time."""
    try:
        if len(value) == 8:
            day = dt.datetime.strptime(value, "%Y%m%d").date()
            return day
        if value.endswith("Z"):
            moment = dt.datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        else:
            moment = dt.datetime.strptime(value, "%Y%m%dT%H%M%S").replace(tzinfo=tz)
    except ValueError:
        raise _invalid(line, f"bad date {value!r}") from None
    if all_day:
        return moment.astimezone(tz).date()
    return moment.astimezone(UTC)


def _parse_rrule(line: str, tz: dt.tzinfo, all_day: bool) -> Rule:
    parts: dict[str, str] = {}
    for chunk in line.split(":", 1)[1].split(";"):
        if not chunk:
            continue
        key, sep, value = chunk.partition("=")
        if not sep:
            raise _invalid(line)
        parts[key.upper()] = value.upper()
    freq = parts.pop("FREQ", "")
    if freq not in ("DAILY", "WEEKLY", "MONTHLY", "YEARLY"):
        raise _invalid(line, "FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY")
    try:
        interval = int(parts.pop("INTERVAL", "1"))
        count = int(parts.pop("COUNT")) if "COUNT" in parts else None
    except ValueError:
        raise _invalid(line) from None
    if interval < 1 or (count is not None and count < 1):
        raise _invalid(line)
    until = _parse_stamp(parts.pop("UNTIL"), tz, all_day, line) if "UNTIL" in parts else None
    if until is not None and count is not None:
        raise _invalid(line, "COUNT and UNTIL are exclusive")
    byday: list[int] = []
    for day in filter(None, parts.pop("BYDAY", "").split(",")):
        if day not in WEEKDAYS:
            # Ordinal forms like 2TU (second Tuesday) are not emulated: refuse rather than guess.
            raise _invalid(line, f"BYDAY {day!r} not supported by the emulator")
        byday.append(WEEKDAYS[day])
    if byday and freq not in ("DAILY", "WEEKLY"):
        raise _invalid(line, "BYDAY is emulated for DAILY and WEEKLY only")
    try:
        bymonthday = tuple(int(x) for x in filter(None, parts.pop("BYMONTHDAY", "").split(",")))
    except ValueError:
        raise _invalid(line) from None
    if bymonthday and freq != "MONTHLY":
        raise _invalid(line, "BYMONTHDAY is emulated for MONTHLY only")
    wkst = WEEKDAYS.get(parts.pop("WKST", "MO"), -1)
    if wkst < 0:
        raise _invalid(line, "bad WKST")
    if parts:
        raise _invalid(line, f"unsupported parts {sorted(parts)}")
    return Rule(freq, interval, count, until, tuple(sorted(set(byday))), bymonthday, wkst)


def parse(lines: list[str], *, tz_name: str | None, all_day: bool) -> Recurrence:
    """Validate an event's `recurrence` list (400 on anything malformed or not emulated)."""
    if not isinstance(lines, list) or not all(isinstance(x, str) for x in lines):
        raise bad_request("Invalid recurrence: a list of strings is expected.")
    tz = zone(tz_name)
    rec = Recurrence()
    for raw in lines:
        line = raw.strip()
        head = line.split(":", 1)[0]
        name, *params = head.split(";")
        name = name.upper()
        if ":" not in line:
            raise _invalid(line)
        if name == "RRULE":
            rec.rules.append(_parse_rrule(line, tz, all_day))
        elif name in ("EXDATE", "RDATE"):
            line_tz = tz
            for param in params:
                key, _, value = param.partition("=")
                if key.upper() == "TZID":
                    line_tz = zone(value, tz)
            stamps = [
                _parse_stamp(v.strip(), line_tz, all_day, line) for v in line.split(":", 1)[1].split(",")
            ]
            (rec.exdates.update if name == "EXDATE" else rec.rdates.extend)(stamps)
        else:
            raise _invalid(line, f"{name} not supported")
    if not rec.rules and not rec.rdates:
        raise _invalid(";".join(lines), "no RRULE")
    return rec


def _months(year: int, month: int, step: int) -> tuple[int, int]:
    total = year * 12 + (month - 1) + step
    return total // 12, total % 12 + 1


def _raw(rule: Rule, start: dt.datetime) -> Iterator[dt.datetime]:
    """Candidate wall-clock starts of one rule, in order, unbounded (COUNT/UNTIL applied by the caller)."""
    one_day = dt.timedelta(days=1)
    if rule.freq == "DAILY":
        step = dt.timedelta(days=rule.interval)
        current = start
        while True:
            if not rule.byday or current.weekday() in rule.byday:
                yield current
            current += step
    elif rule.freq == "WEEKLY":
        days = rule.byday or (start.weekday(),)
        offsets = sorted((d - rule.wkst) % 7 for d in days)
        week = start - one_day * ((start.weekday() - rule.wkst) % 7)
        while True:
            for off in offsets:
                candidate = week + one_day * off
                if candidate >= start:
                    yield candidate
            week += dt.timedelta(weeks=rule.interval)
    elif rule.freq == "MONTHLY":
        monthdays = rule.bymonthday or (start.day,)
        year, month, n = start.year, start.month, 0
        while True:
            y, m = _months(year, month, n * rule.interval)
            last = _cal.monthrange(y, m)[1]
            days = sorted({d if d > 0 else last + 1 + d for d in monthdays if 1 <= abs(d) <= last})
            for d in days:
                candidate = start.replace(year=y, month=m, day=d)
                if candidate >= start:
                    yield candidate
            n += 1
    else:  # YEARLY
        n = 0
        while True:
            y = start.year + n * rule.interval
            if start.month != 2 or start.day != 29 or _cal.isleap(y):
                yield start.replace(year=y)
            n += 1


def _to_occurrence(naive: dt.datetime, tz: dt.tzinfo, all_day: bool) -> Occurrence:
    return naive.date() if all_day else naive.replace(tzinfo=tz).astimezone(UTC)


def _past_until(occ: Occurrence, until: dt.datetime | dt.date, tz: dt.tzinfo) -> bool:
    if isinstance(occ, dt.datetime):
        if isinstance(until, dt.datetime):
            return occ > until
        return occ.astimezone(tz).date() > until
    if isinstance(until, dt.datetime):
        return occ > until.astimezone(tz).date()
    return occ > until


def _rule_stream(rule: Rule, start: dt.datetime, tz: dt.tzinfo, all_day: bool) -> Iterator[Occurrence]:
    # Every candidate is an occurrence here (no BYSETPOS), so COUNT is the number of candidates.
    for emitted, naive in enumerate(_raw(rule, start), start=1):
        if emitted > MAX_STEPS:
            return
        occ = _to_occurrence(naive, tz, all_day)
        if rule.until is not None and _past_until(occ, rule.until, tz):
            return
        yield occ
        if rule.count is not None and emitted >= rule.count:
            return


def expand(
    rec: Recurrence, start: Occurrence, *, tz_name: str | None, bound: Occurrence, limit: int = 20_000
) -> Iterator[Occurrence]:
    """Original starts of the series, ascending, strictly before `bound`, EXDATEs removed.

    `start` and `bound` are dates for all-day series, aware datetimes otherwise; timed results are UTC.
    """
    tz = zone(tz_name)
    all_day = not isinstance(start, dt.datetime)
    if all_day:
        naive_start = dt.datetime(start.year, start.month, start.day)
    else:
        naive_start = start.astimezone(tz).replace(tzinfo=None)
    streams: list[Iterator[Occurrence]] = [_rule_stream(r, naive_start, tz, all_day) for r in rec.rules]
    # RDATEs of the other kind (a bare date in a timed series) cannot be ordered with the rest: skipped.
    rdates = sorted(d for d in rec.rdates if isinstance(d, dt.datetime) != all_day)
    if rdates:
        streams.append(iter(rdates))
    exdates = rec.exdates
    # A bare-date EXDATE in a timed series removes that local day's occurrence.
    ex_days = {d for d in exdates if not isinstance(d, dt.datetime)} if not all_day else set()
    previous: Occurrence | None = None
    count = 0
    for occ in heapq.merge(*streams):
        if occ >= bound or count >= limit:
            return
        if occ == previous:
            continue
        previous = occ
        if occ in exdates:
            continue
        if ex_days and isinstance(occ, dt.datetime) and occ.astimezone(tz).date() in ex_days:
            continue
        count += 1
        yield occ


def instance_suffix(original: Occurrence) -> str:
    """`20260105T150000Z` for a timed instance, `20260105` for an all-day one."""
    if isinstance(original, dt.datetime):
        return original.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return original.strftime("%Y%m%d")


def parse_suffix(suffix: str) -> Occurrence | None:
    try:
        if len(suffix) == 8:
            return dt.datetime.strptime(suffix, "%Y%m%d").date()
        return dt.datetime.strptime(suffix, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None
