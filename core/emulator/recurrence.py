"""RFC 5545 recurrence for Calendar events, expanded by python-dateutil's `rrule`/`rrulestr`.

Only what is Google's own lives here: which lines an event's `recurrence` list may hold (RRULE, EXRULE,
RDATE, EXDATE: "as specified in RFC5545", Calendar v3 reference, events resource, `recurrence`; DTSTART
and DTEND lines are not allowed there), that a timed series is expanded in its `start.timeZone` so a
10:00 series stays at 10:00 local across DST, that all-day series are expanded on dates, that the
DTSTART instance always counts as the first occurrence (RFC 5545 3.3.10), the expansion bound (a rule
without COUNT/UNTIL never ends) and the instance-id suffixes Google forms (`20260105T150000Z` for a timed
instance, `20260105` for an all-day one). The rule arithmetic itself (BYDAY with ordinals such as `2TU`
or `-1FR`, BYMONTHDAY, BYMONTH, BYSETPOS, INTERVAL, COUNT, UNTIL, WKST) is dateutil's.

Must never import anything outside the emulator package (the emulator is an independent Google).
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterator
from dataclasses import dataclass, field

from dateutil.rrule import rrule, rrulestr

from .errors import bad_request
from .timeutil import UTC, zone

# Google Calendar has no sub-daily recurrence (its UI offers daily at the finest).
FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
# Hard stop so a pathological rule cannot pin a server thread.
MAX_STEPS = 200_000

Occurrence = dt.datetime | dt.date


@dataclass
class Recurrence:
    """A validated `recurrence` list: rule texts (UNTIL normalised for dateutil) and explicit dates."""

    rules: list[str] = field(default_factory=list)
    exrules: list[str] = field(default_factory=list)
    exdates: set[Occurrence] = field(default_factory=set)
    rdates: list[Occurrence] = field(default_factory=list)


def _invalid(line: str, why: str = "") -> Exception:
    suffix = f" ({why})" if why else ""
    return bad_request(f"Invalid recurrence rule: {line!r}{suffix}.", "invalid")


def _parse_stamp(value: str, tz: dt.tzinfo, all_day: bool, line: str) -> Occurrence:
    """`20260105`, `20260105T100000` (local to tz) or `20260105T150000Z` -> a date or an aware UTC time."""
    try:
        if len(value) == 8:
            return dt.datetime.strptime(value, "%Y%m%d").date()
        if value.endswith("Z"):
            moment = dt.datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        else:
            moment = dt.datetime.strptime(value, "%Y%m%dT%H%M%S").replace(tzinfo=tz)
    except ValueError:
        raise _invalid(line, f"bad date {value!r}") from None
    if all_day:
        return moment.astimezone(tz).date()
    return moment.astimezone(UTC)


def _until_for_dateutil(value: str, tz: dt.tzinfo, all_day: bool, line: str) -> str:
    """UNTIL rewritten in the form dateutil needs next to our DTSTART (UTC for timed, a date for all-day).

    Google writes `UNTIL=20260312T045959Z` for timed series and `UNTIL=20260312` for all-day ones, but a
    date UNTIL on a timed series (the whole local day is included) and a local time are accepted too.
    """
    stamp = _parse_stamp(value, tz, all_day, line)
    if all_day:
        assert isinstance(stamp, dt.date)
        return stamp.strftime("%Y%m%d")
    if not isinstance(stamp, dt.datetime):
        end_of_day = dt.datetime.combine(stamp, dt.time(23, 59, 59), tzinfo=tz).astimezone(UTC)
        return end_of_day.strftime("%Y%m%dT%H%M%SZ")
    return stamp.strftime("%Y%m%dT%H%M%SZ")


def _check_rfc_combinations(line: str, found: dict[str, str]) -> None:
    """The RFC 5545 3.3.10 "MUST NOT" combinations dateutil would silently accept."""
    freq = found["FREQ"]
    ordinal_days = any(d.strip()[:1] in "+-0123456789" for d in found.get("BYDAY", "").split(",") if d)
    if ordinal_days and freq not in ("MONTHLY", "YEARLY"):
        raise _invalid(line, "a BYDAY ordinal needs FREQ=MONTHLY or FREQ=YEARLY")
    if "BYMONTHDAY" in found and freq == "WEEKLY":
        raise _invalid(line, "BYMONTHDAY cannot be used with FREQ=WEEKLY")
    if "BYYEARDAY" in found and freq in ("DAILY", "WEEKLY", "MONTHLY"):
        raise _invalid(line, "BYYEARDAY needs FREQ=YEARLY")
    if "BYWEEKNO" in found and freq != "YEARLY":
        raise _invalid(line, "BYWEEKNO needs FREQ=YEARLY")


def _parse_rule(line: str, tz: dt.tzinfo, all_day: bool) -> str:
    """The rule part of an RRULE/EXRULE line, checked by dateutil, with UNTIL normalised."""
    text = line.split(":", 1)[1].strip()
    parts: list[tuple[str, str]] = []
    for chunk in filter(None, text.split(";")):
        key, sep, value = chunk.partition("=")
        if not sep or not value:
            raise _invalid(line)
        parts.append((key.strip().upper(), value.strip().upper()))
    names = [k for k, _ in parts]
    if len(set(names)) != len(names):
        raise _invalid(line, "a rule part is repeated")
    found = dict(parts)
    if found.get("FREQ") not in FREQUENCIES:
        raise _invalid(line, "FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY")
    if "COUNT" in found and "UNTIL" in found:
        raise _invalid(line, "COUNT and UNTIL are exclusive")  # RFC 5545 3.3.10: MUST NOT occur together
    _check_rfc_combinations(line, found)
    rebuilt = ";".join(
        f"{k}={_until_for_dateutil(v, tz, all_day, line) if k == 'UNTIL' else v}" for k, v in parts
    )
    probe = dt.datetime(2026, 1, 1) if all_day else dt.datetime(2026, 1, 1, tzinfo=tz)
    try:
        parsed = rrulestr(rebuilt, dtstart=probe)
    except (ValueError, TypeError) as exc:
        raise _invalid(line, str(exc)) from None
    if not isinstance(parsed, rrule):
        raise _invalid(line)
    if found.get("COUNT") is not None and int(found["COUNT"]) < 1:
        raise _invalid(line, "COUNT must be at least 1")
    return rebuilt


def _parse_dates(line: str, params: list[str], tz: dt.tzinfo, all_day: bool) -> list[Occurrence]:
    line_tz = tz
    for param in params:
        key, _, value = param.partition("=")
        key = key.upper()
        if key == "TZID":
            line_tz = zone(value, tz)
        elif key == "VALUE" and value.upper() not in ("DATE", "DATE-TIME"):
            raise _invalid(line, f"VALUE={value} is not supported")
    values = [v.strip() for v in line.split(":", 1)[1].split(",") if v.strip()]
    if not values:
        raise _invalid(line)
    return [_parse_stamp(v, line_tz, all_day, line) for v in values]


def parse(lines: list[str], *, tz_name: str | None, all_day: bool) -> Recurrence:
    """Validate an event's `recurrence` list (400 on anything malformed)."""
    if not isinstance(lines, list) or not all(isinstance(x, str) for x in lines):
        raise bad_request("Invalid recurrence: a list of strings is expected.")
    tz = zone(tz_name)
    rec = Recurrence()
    for raw in lines:
        line = raw.strip()
        if ":" not in line:
            raise _invalid(line)
        name, *params = line.split(":", 1)[0].split(";")
        name = name.strip().upper()
        if name == "RRULE":
            rec.rules.append(_parse_rule(line, tz, all_day))
        elif name == "EXRULE":
            rec.exrules.append(_parse_rule(line, tz, all_day))
        elif name == "EXDATE":
            rec.exdates.update(_parse_dates(line, params, tz, all_day))
        elif name == "RDATE":
            rec.rdates.extend(_parse_dates(line, params, tz, all_day))
        else:
            raise _invalid(line, f"{name} lines are not allowed in recurrence")
    if not rec.rules and not rec.rdates:
        raise _invalid(";".join(lines), "no RRULE or RDATE")
    return rec


# ------------------------------------------------------------------------------------------ expansion
def _anchor(start: Occurrence, tz: dt.tzinfo) -> dt.datetime:
    """DTSTART for dateutil: naive midnight for all-day series, local wall-clock time in tz otherwise."""
    if isinstance(start, dt.datetime):
        return start.astimezone(tz)
    return dt.datetime(start.year, start.month, start.day)


def _to_occurrence(moment: dt.datetime, all_day: bool) -> Occurrence:
    return moment.date() if all_day else moment.astimezone(UTC)


def _count(text: str) -> int | None:
    for chunk in text.split(";"):
        key, _, value = chunk.partition("=")
        if key == "COUNT":
            return int(value)
    return None


def _rule_stream(text: str, anchor: dt.datetime, all_day: bool) -> Iterator[Occurrence]:
    """One rule's occurrences; DTSTART always counts as the first one (RFC 5545 3.3.10), also when the rule
    would not produce it (Google shows an unsynchronised start as an instance too)."""
    rule = rrulestr(text, dtstart=anchor)
    assert isinstance(rule, rrule)
    count = _count(text)
    first = next(iter(rule), None)
    if first != anchor:
        yield _to_occurrence(anchor, all_day)
        if count is not None:
            if count <= 1:
                return
            rule = rule.replace(count=count - 1)
    for steps, moment in enumerate(rule):
        if steps >= MAX_STEPS:
            return
        yield _to_occurrence(moment, all_day)


def expand(
    rec: Recurrence, start: Occurrence, *, tz_name: str | None, bound: Occurrence, limit: int = 20_000
) -> Iterator[Occurrence]:
    """Original starts of the series, ascending, strictly before `bound`, EXDATE/EXRULE removed.

    `start` and `bound` are dates for all-day series, aware datetimes otherwise; timed results are UTC.
    """
    tz = zone(tz_name)
    all_day = not isinstance(start, dt.datetime)
    anchor = _anchor(start, tz)
    streams: list[Iterator[Occurrence]] = [_rule_stream(r, anchor, all_day) for r in rec.rules]
    # An RDATE of the other kind (a bare date in a timed series) cannot be ordered with the rest: skipped.
    rdates = sorted(d for d in rec.rdates if isinstance(d, dt.datetime) != all_day)
    if not rec.rules and rdates:
        rdates = sorted({_to_occurrence(anchor, all_day), *rdates})  # type: ignore[type-var]
    if rdates:
        streams.append(iter(rdates))
    excluded = _excluded(rec, anchor, all_day, bound)
    # A bare-date EXDATE in a timed series removes that local day's occurrence.
    ex_days = {d for d in rec.exdates if not isinstance(d, dt.datetime)} if not all_day else set()
    previous: Occurrence | None = None
    count = 0
    for occ in heapq.merge(*streams):  # type: ignore[type-var]
        if occ >= bound or count >= limit:  # type: ignore[operator]
            return
        if occ == previous:
            continue
        previous = occ
        if occ in excluded:
            continue
        if ex_days and isinstance(occ, dt.datetime) and occ.astimezone(tz).date() in ex_days:
            continue
        count += 1
        yield occ


def _excluded(rec: Recurrence, anchor: dt.datetime, all_day: bool, bound: Occurrence) -> set[Occurrence]:
    out: set[Occurrence] = set(rec.exdates)
    for text in rec.exrules:
        rule = rrulestr(text, dtstart=anchor)
        for steps, moment in enumerate(rule):  # type: ignore[arg-type]
            occ = _to_occurrence(moment, all_day)
            if occ >= bound or steps >= MAX_STEPS:  # type: ignore[operator]
                break
            out.add(occ)
    return out


def instance_suffix(original: Occurrence) -> str:
    """`20260105T150000Z` for a timed instance, `20260105` for an all-day one (Google's instance ids)."""
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
