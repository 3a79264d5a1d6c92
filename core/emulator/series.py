"""Recurring series on one calendar: generated instances, stored exceptions, and instance ids.

Google's instance ids are `<seriesId>_<YYYYMMDDTHHMMSSZ>` for timed series and `<seriesId>_<YYYYMMDD>` for
all-day ones (the original start, in UTC for timed; see recurrence.instance_suffix). An instance that was
edited or cancelled is stored as an exception under that id. Functions here assume the caller holds the
state lock. Must never import anything outside the emulator package.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator

from . import recurrence
from .recurrence import Occurrence
from .state import CalendarData, EventRecord
from .timeutil import midnight, now_utc, zone
from .when import overlaps, span_of

# Without timeMax, recurring series are expanded this far ahead (Google also stops somewhere).
HORIZON = dt.timedelta(days=731)


def span(rec: EventRecord, cal_tz: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    """The UTC interval an event occupies; all-day dates are read in the calendar's zone."""
    return span_of(rec.all_day, rec.start, rec.end, cal_tz)


def _expansion_bound(master: EventRecord, cal_tz: dt.tzinfo, time_max: dt.datetime | None) -> Occurrence:
    if time_max is None:
        first = span(master, cal_tz)[0]
        time_max = max(now_utc(), first) + HORIZON
    if master.all_day:
        return time_max.astimezone(cal_tz).date() + dt.timedelta(days=1)
    return time_max


def instance_id(master_id: str, original: Occurrence) -> str:
    return f"{master_id}_{recurrence.instance_suffix(original)}"


def make_instance(master: EventRecord, original: Occurrence) -> EventRecord:
    """The generated (not stored) instance of `master` that starts at `original`."""
    length = master.end - master.start  # type: ignore[operator]
    return dataclasses.replace(
        master,
        id=instance_id(master.id, original),
        start=original,
        end=original + length,
        recurrence_raw=None,
        recurrence=None,
        recurring_event_id=master.id,
        original_start=original,
        original_tz=master.start_tz,
        exceptions=set(),
        virtual=True,
    )


def _occurrences(
    cal: CalendarData, master: EventRecord, time_max: dt.datetime | None
) -> Iterator[tuple[Occurrence, dt.datetime, dt.datetime]]:
    """(original start, UTC start, UTC end) of each generated occurrence before the bound."""
    assert master.recurrence is not None
    cal_tz = zone(cal.timezone)
    length: dt.timedelta = master.end - master.start  # type: ignore[operator]
    bound = _expansion_bound(master, cal_tz, time_max)
    tz_name = master.start_tz or cal.timezone
    for original in recurrence.expand(master.recurrence, master.start, tz_name=tz_name, bound=bound):
        if isinstance(original, dt.datetime):
            yield original, original, original + length
        else:
            yield original, midnight(original, cal_tz), midnight(original + length, cal_tz)


def instances(
    cal: CalendarData,
    master: EventRecord,
    *,
    time_min: dt.datetime | None = None,
    time_max: dt.datetime | None = None,
    include_cancelled: bool = False,
) -> list[EventRecord]:
    """A series' instances overlapping the window: generated ones plus stored exceptions, by start."""
    cal_tz = zone(cal.timezone)
    out: list[EventRecord] = []
    for original, start, end in _occurrences(cal, master, time_max):
        if instance_id(master.id, original) in master.exceptions:
            continue
        if overlaps(start, end, time_min, time_max):
            out.append(make_instance(master, original))
    for xid in master.exceptions:
        exc = cal.events[xid]
        if exc.cancelled and not include_cancelled:
            continue
        if overlaps(*span(exc, cal_tz), time_min, time_max):
            out.append(exc)
    out.sort(key=lambda r: (span(r, cal_tz)[0], r.id))
    return out


def series_overlaps(
    cal: CalendarData, master: EventRecord, time_min: dt.datetime | None, time_max: dt.datetime | None
) -> bool:
    if time_min is None and time_max is None:
        return True
    return any(
        overlaps(start, end, time_min, time_max) for _, start, end in _occurrences(cal, master, time_max)
    )


def resolve(cal: CalendarData, event_id: str) -> EventRecord | None:
    """A stored event, or the generated instance an id like `{masterId}_{20260105T150000Z}` names."""
    rec = cal.events.get(event_id)
    if rec is not None:
        return rec
    base, sep, suffix = event_id.rpartition("_")
    master = cal.events.get(base) if sep else None
    if master is None or master.recurrence is None:
        return None
    original = recurrence.parse_suffix(suffix)
    if original is None or isinstance(original, dt.datetime) == master.all_day:
        return None
    step = dt.timedelta(days=1) if master.all_day else dt.timedelta(seconds=1)
    tz_name = master.start_tz or cal.timezone
    for occ in recurrence.expand(master.recurrence, master.start, tz_name=tz_name, bound=original + step):
        if occ == original:
            return make_instance(master, original)
    return None
