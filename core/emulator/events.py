"""Calendar events with Google's rules: validation, storage, rendering, recurring instances and exceptions.

Functions here work on one calendar and assume the caller holds the state lock.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from . import recurrence
from .errors import ApiError, bad_request, not_found
from .ids import EVENT_ID_RE, new_etag, new_event_id
from .recurrence import Occurrence
from .state import CalendarData, EventRecord
from .timeutil import (
    UTC,
    check_zone,
    format_datetime,
    midnight,
    now_utc,
    parse_date,
    parse_datetime,
    rfc3339_ms,
    zone,
)

STATUSES = ("confirmed", "tentative", "cancelled")
# Fields the server owns (or that are stored parsed): never copied from a client body.
SERVER_FIELDS = frozenset(
    {
        "kind",
        "etag",
        "id",
        "htmlLink",
        "created",
        "updated",
        "creator",
        "organizer",
        "iCalUID",
        "recurringEventId",
        "originalStartTime",
        "sequence",
        "start",
        "end",
        "recurrence",
        "status",
        "hangoutLink",
    }
)
# Without timeMax, recurring series are expanded this far ahead (Google also stops somewhere).
HORIZON = dt.timedelta(days=731)


def clone(data: Any) -> Any:
    """Deep copy of JSON data (faster than copy.deepcopy for plain dicts/lists)."""
    return json.loads(json.dumps(data))


@dataclass(frozen=True)
class When:
    all_day: bool
    value: Occurrence
    tz: str | None


def parse_when(raw: Any, field: str) -> When:
    if not isinstance(raw, dict) or not (raw.get("date") or raw.get("dateTime")):
        raise bad_request(f"Missing {field} time.", "required", location=field)
    tz_name = raw.get("timeZone") or None
    if tz_name is not None:
        check_zone(tz_name)
    if raw.get("date") and raw.get("dateTime"):
        raise bad_request(f"Only one of {field}.date and {field}.dateTime may be set.", location=field)
    if raw.get("date"):
        return When(True, parse_date(raw["date"], field=field), tz_name)
    default = zone(tz_name) if tz_name else None
    moment = parse_datetime(raw["dateTime"], field=field, default_tz=default)
    return When(False, moment.astimezone(UTC), tz_name)


def parse_times(body: dict[str, Any]) -> tuple[When, When]:
    start, end = parse_when(body.get("start"), "start"), parse_when(body.get("end"), "end")
    if start.all_day != end.all_day:
        raise bad_request("Start and end times must either both be date or both be dateTime.")
    if end.value < start.value or (start.all_day and end.value == start.value):
        raise bad_request("The specified time range is empty.", "timeRangeEmpty", location="end.dateTime")
    return start, end


def when_dict(value: Occurrence, tz_name: str | None, view_tz: dt.tzinfo) -> dict[str, str]:
    if not isinstance(value, dt.datetime):
        return {"date": value.isoformat()}
    out = {"dateTime": format_datetime(value, zone(tz_name) if tz_name else view_tz)}
    if tz_name:
        out["timeZone"] = tz_name
    return out


def span(rec: EventRecord, cal_tz: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    """The UTC interval an event occupies; all-day dates are read in the calendar's zone."""
    if rec.all_day:
        return midnight(rec.start, cal_tz), midnight(rec.end, cal_tz)  # type: ignore[arg-type]
    return rec.start, rec.end  # type: ignore[return-value]


def overlaps(
    start: dt.datetime, end: dt.datetime, time_min: dt.datetime | None, time_max: dt.datetime | None
) -> bool:
    # Google: timeMin bounds the end (exclusive), timeMax bounds the start (exclusive).
    return (time_min is None or end > time_min) and (time_max is None or start < time_max)


def merge_patch(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """Google patch semantics: objects merge recursively, arrays and scalars replace, null deletes."""
    out = dict(base)
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            current = dict(out[key])
            if key in ("start", "end", "originalStartTime") and ("date" in value or "dateTime" in value):
                # Switching all-day <-> timed replaces the other form instead of ending up with both.
                current.pop("date", None)
                current.pop("dateTime", None)
            out[key] = merge_patch(current, value)
        else:
            out[key] = value
    return out


def _check_body(body: dict[str, Any]) -> None:
    attendees = body.get("attendees")
    if attendees is not None:
        if not isinstance(attendees, list):
            raise bad_request("Invalid attendees: a list is expected.")
        for att in attendees:
            if not isinstance(att, dict) or not att.get("email"):
                raise bad_request("Missing attendee email.", "required")
    props = body.get("extendedProperties")
    if props is not None:
        if not isinstance(props, dict):
            raise bad_request("Invalid extendedProperties.")
        for scope in ("private", "shared"):
            values = props.get(scope)
            if values is not None and not (
                isinstance(values, dict) and all(isinstance(v, str) for v in values.values())
            ):
                raise bad_request(f"Invalid extendedProperties.{scope}: string values expected.")


def _stored_body(body: dict[str, Any]) -> dict[str, Any]:
    kept = {k: v for k, v in body.items() if k not in SERVER_FIELDS and v is not None}
    if "attendees" in kept:
        kept["attendees"] = [
            {k: v for k, v in att.items() if k not in ("self", "organizer")} for att in kept["attendees"]
        ]
    return clone(kept)


def _build(
    cal: CalendarData,
    event_id: str,
    body: dict[str, Any],
    *,
    actor: str,
    base: EventRecord | None,
    default_status: str,
    bump_sequence: bool,
) -> EventRecord:
    start, end = parse_times(body)
    status = body.get("status") or default_status
    if status not in STATUSES:
        raise bad_request(f"Invalid status value: {status!r}.")
    _check_body(body)
    rec_raw = body.get("recurrence") or None
    rule = None
    if rec_raw is not None:
        if base is not None and base.recurring_event_id:
            raise bad_request("An instance of a recurring event cannot itself recur.")
        rule = recurrence.parse(rec_raw, tz_name=start.tz or cal.timezone, all_day=start.all_day)
    sequence = 0
    if base is not None:
        given = body.get("sequence")
        if given is not None and (not isinstance(given, int) or given < base.sequence):
            raise bad_request(
                "Invalid sequence value. The specified sequence number is below the current sequence "
                "number of the resource."
            )
        sequence = max(base.sequence, given or 0)
        moved = (base.start, base.end, base.recurrence_raw) != (start.value, end.value, rec_raw)
        if bump_sequence or moved:
            sequence += 1
    now = rfc3339_ms(now_utc())
    if base is None:
        creator = {"email": actor}
        organizer = {"email": cal.id}
        if cal.id != actor:
            organizer["displayName"] = cal.summary
    return EventRecord(
        id=event_id,
        body=_stored_body(body),
        status=status,
        etag=new_etag(),
        created=base.created if base else now,
        updated=now,
        sequence=sequence,
        creator=base.creator if base else creator,
        organizer=base.organizer if base else organizer,
        ical_uid=base.ical_uid if base else f"{event_id}@google.com",
        all_day=start.all_day,
        start=start.value,
        end=end.value,
        start_tz=start.tz,
        end_tz=end.tz,
        recurrence_raw=list(rec_raw) if rec_raw else None,
        recurrence=rule,
        recurring_event_id=base.recurring_event_id if base else None,
        original_start=base.original_start if base else None,
        original_tz=base.original_tz if base else None,
        exceptions=set(base.exceptions) if base and not base.virtual else set(),
    )


# ------------------------------------------------------------------------------------------ recurrence
def _expansion_bound(master: EventRecord, cal_tz: dt.tzinfo, time_max: dt.datetime | None) -> Occurrence:
    if time_max is None:
        first = span(master, cal_tz)[0]
        time_max = max(now_utc(), first) + HORIZON
    if master.all_day:
        return time_max.astimezone(cal_tz).date() + dt.timedelta(days=1)
    return time_max


def make_instance(master: EventRecord, original: Occurrence) -> EventRecord:
    """The generated (not stored) instance of `master` that starts at `original`."""
    length = master.end - master.start  # type: ignore[operator]
    return dataclasses.replace(
        master,
        id=f"{master.id}_{recurrence.instance_suffix(original)}",
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
        if f"{master.id}_{recurrence.instance_suffix(original)}" in master.exceptions:
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


# ------------------------------------------------------------------------------------------ rendering
def html_link(cal: CalendarData, event_id: str) -> str:
    eid = base64.urlsafe_b64encode(f"{event_id} {cal.id}".encode()).decode().rstrip("=")
    return f"https://www.google.com/calendar/event?eid={eid}"


def render(rec: EventRecord, cal: CalendarData, viewer: str, view_tz: str | None = None) -> dict[str, Any]:
    """The event resource as Calendar v3 returns it to `viewer` (self flags depend on who looks)."""
    tz = zone(view_tz or cal.timezone)
    body = clone(rec.body)
    me = {cal.id.lower(), viewer.lower()}
    out: dict[str, Any] = {
        "kind": "calendar#event",
        "etag": rec.etag,
        "id": rec.id,
        "status": rec.status,
        "htmlLink": html_link(cal, rec.id),
        "created": rec.created,
        "updated": rec.updated,
    }
    for key in ("summary", "description", "location", "colorId"):
        if key in body:
            out[key] = body.pop(key)
    creator = dict(rec.creator)
    if creator.get("email", "").lower() == viewer.lower():
        creator["self"] = True
    organizer = dict(rec.organizer)
    if organizer.get("email", "").lower() == cal.id.lower():
        organizer["self"] = True
    out["creator"] = creator
    out["organizer"] = organizer
    out["start"] = when_dict(rec.start, rec.start_tz, tz)
    out["end"] = when_dict(rec.end, rec.end_tz, tz)
    if rec.recurrence_raw:
        out["recurrence"] = list(rec.recurrence_raw)
    if rec.recurring_event_id and rec.original_start is not None:
        out["recurringEventId"] = rec.recurring_event_id
        out["originalStartTime"] = when_dict(rec.original_start, rec.original_tz, tz)
    out["transparency"] = body.pop("transparency", "opaque")
    out["iCalUID"] = rec.ical_uid
    out["sequence"] = rec.sequence
    attendees = body.pop("attendees", None)
    if attendees is not None:
        for att in attendees:
            att.setdefault("responseStatus", "needsAction")
            email = str(att.get("email", "")).lower()
            if email == organizer.get("email", "").lower():
                att["organizer"] = True
            if email in me:
                att["self"] = True
        out["attendees"] = attendees
    out.update(body)
    out.setdefault("reminders", {"useDefault": True})
    out.setdefault("eventType", "default")
    return out


def writable_view(rec: EventRecord) -> dict[str, Any]:
    """The client-writable resource, as the base a patch merges into."""
    out = clone(rec.body)
    out["start"] = when_dict(rec.start, rec.start_tz, UTC)
    out["end"] = when_dict(rec.end, rec.end_tz, UTC)
    if rec.recurrence_raw:
        out["recurrence"] = list(rec.recurrence_raw)
    out["status"] = rec.status
    return out


# ------------------------------------------------------------------------------------------ writes
def check_if_match(rec: EventRecord, if_match: str | None) -> None:
    if if_match is None:
        return
    wanted = [tag.strip().removeprefix("W/") for tag in if_match.split(",")]
    if "*" not in wanted and rec.etag not in wanted:
        raise ApiError(412, "conditionNotMet", "Precondition Failed", location="If-Match")


def _store(cal: CalendarData, rec: EventRecord) -> None:
    cal.store(rec)
    if rec.recurring_event_id and rec.recurring_event_id in cal.events:
        cal.events[rec.recurring_event_id].exceptions.add(rec.id)


def insert(cal: CalendarData, body: dict[str, Any], *, actor: str) -> EventRecord:
    event_id = body.get("id")
    if event_id is not None:
        if not isinstance(event_id, str) or not EVENT_ID_RE.match(event_id):
            raise bad_request("Invalid resource id value.", location="id")
        if event_id in cal.events:
            # Also for a cancelled event: Google keeps deleted ids reserved.
            raise ApiError(409, "duplicate", "The requested identifier already exists.")
    else:
        event_id = new_event_id()
        while event_id in cal.events:
            event_id = new_event_id()
    rec = _build(cal, event_id, body, actor=actor, base=None, default_status="confirmed", bump_sequence=False)
    _store(cal, rec)
    return rec


def update(
    cal: CalendarData,
    event_id: str,
    body: dict[str, Any],
    *,
    actor: str,
    patch: bool,
    if_match: str | None = None,
    bump_sequence: bool = False,
) -> EventRecord:
    """PUT (whole resource; a missing status means confirmed, so it restores a cancelled event) or PATCH.

    Writing to a generated instance stores it as an exception of its series.
    """
    current = resolve(cal, event_id)
    if current is None:
        raise not_found()
    check_if_match(current, if_match)
    if patch:
        merged = merge_patch(writable_view(current), body)
        default_status = current.status
    else:
        merged, default_status = body, "confirmed"
    rec = _build(
        cal,
        current.id,
        merged,
        actor=actor,
        base=current,
        default_status=default_status,
        bump_sequence=bump_sequence,
    )
    _store(cal, rec)
    return rec


def delete(cal: CalendarData, event_id: str, *, if_match: str | None = None) -> EventRecord:
    """Mark cancelled (the id stays reserved and shows up in sync results); a series cancels its exceptions."""
    current = resolve(cal, event_id)
    if current is None:
        raise not_found()
    if current.cancelled:
        raise ApiError(410, "deleted", "Resource has been deleted")
    check_if_match(current, if_match)
    rec = _cancelled(current)
    _store(cal, rec)
    for xid in sorted(current.exceptions):
        exc = cal.events[xid]
        if not exc.cancelled:
            _store(cal, _cancelled(exc))
    return rec


def _cancelled(rec: EventRecord) -> EventRecord:
    return dataclasses.replace(
        rec,
        body=clone(rec.body),
        status="cancelled",
        etag=new_etag(),
        updated=rfc3339_ms(now_utc()),
        virtual=False,
        exceptions=set(rec.exceptions),
    )
