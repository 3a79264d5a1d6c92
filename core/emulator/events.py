"""Writing Calendar events with Google's rules: insert, update/patch and delete on one calendar.

Two kinds of writer: an API client (events.insert/update/patch/delete, held to every documented rule:
client-chosen ids in base32hex, event-type restrictions, organizer permissions, date/dateTime switches
that need the other key nulled) and "Google itself" (`as_google`: the control API standing in for a person
in Google Calendar, Gmail or Contacts, which may create what the API refuses, such as fromGmail events or
ids Exchange-synced calendars carry, and edits any event as its owner would). Functions here work on one
calendar and assume the caller holds the state lock. Must never import anything outside the emulator.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from . import eventtypes, organizer, recurrence
from .errors import ApiError, bad_request, not_found
from .fields import SERVER_FIELDS, clone, merge_patch
from .ids import EVENT_ID_RE, GOOGLE_ID_RE, new_etag, new_event_id
from .render import writable_view
from .series import resolve
from .state import CalendarData, EventRecord
from .timeutil import now_utc, rfc3339_ms
from .when import parse_times

STATUSES = ("confirmed", "tentative", "cancelled")
# What Google itself may set on an event it creates (an invitation's organizer, an imported iCalUID).
GOOGLE_SET = ("creator", "organizer", "iCalUID", "hangoutLink")


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
    if kept.get("eventType") == "default":
        kept.pop("eventType")
    if "attendees" in kept:
        kept["attendees"] = [
            {k: v for k, v in att.items() if k not in ("self", "organizer")} for att in kept["attendees"]
        ]
    return clone(kept)


def _sequence(base: EventRecord, body: dict[str, Any], moved: bool, bump: bool) -> int:
    given = body.get("sequence")
    if given is not None and (not isinstance(given, int) or given < base.sequence):
        raise bad_request(
            "Invalid sequence value. The specified sequence number is below the current sequence "
            "number of the resource."
        )
    sequence = max(base.sequence, given or 0)
    return sequence + 1 if (bump or moved) else sequence


def _build(
    cal: CalendarData,
    event_id: str,
    body: dict[str, Any],
    *,
    actor: str,
    base: EventRecord | None,
    default_status: str,
    bump_sequence: bool,
    people: dict[str, Any] | None = None,
) -> EventRecord:
    rec_raw = body.get("recurrence") or None
    start, end = parse_times(body, recurring=bool(rec_raw))
    status = body.get("status") or default_status
    if status not in STATUSES:
        raise bad_request(f"Invalid status value: {status!r}.")
    _check_body(body)
    rule = None
    if rec_raw is not None:
        if base is not None and base.recurring_event_id:
            raise bad_request("An instance of a recurring event cannot itself recur.")
        rule = recurrence.parse(rec_raw, tz_name=start.tz or cal.timezone, all_day=start.all_day)
    sequence = 0
    if base is not None:
        moved = (base.start, base.end, base.recurrence_raw) != (start.value, end.value, rec_raw)
        sequence = _sequence(base, body, moved, bump_sequence)
    now = rfc3339_ms(now_utc())
    people = people or {}
    default_organizer = (
        {"email": cal.id} if cal.id == actor else {"email": cal.id, "displayName": cal.summary}
    )
    stored = _stored_body(body)
    # hangoutLink is Google's (read-only for clients): kept from creation through every later write.
    link = base.body.get("hangoutLink") if base else people.get("hangoutLink")
    if link:
        stored["hangoutLink"] = link
    return EventRecord(
        id=event_id,
        body=stored,
        status=status,
        etag=new_etag(),
        created=base.created if base else now,
        updated=now,
        sequence=sequence,
        creator=base.creator if base else people.get("creator") or {"email": actor},
        organizer=base.organizer if base else people.get("organizer") or default_organizer,
        ical_uid=base.ical_uid if base else people.get("iCalUID") or f"{event_id}@google.com",
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


def _new_id(cal: CalendarData, body: dict[str, Any], as_google: bool) -> str:
    event_id = body.get("id")
    if event_id is None:
        event_id = new_event_id()
        while event_id in cal.events:
            event_id = new_event_id()
        return event_id
    # Clients must use base32hex, 5-1024 characters (Event.id); Google's own ids are wider, e.g.
    # `_60q30c1g...` for events of Exchange-synced calendars.
    pattern = GOOGLE_ID_RE if as_google else EVENT_ID_RE
    if not isinstance(event_id, str) or not pattern.match(event_id):
        raise bad_request("Invalid resource id value.", location="id")
    if event_id in cal.events:
        # Also for a cancelled event: Google keeps deleted ids reserved.
        raise ApiError(409, "duplicate", "The requested identifier already exists.")
    return event_id


def _google_side_defaults(cal: CalendarData, body: dict[str, Any]) -> dict[str, Any]:
    """What Google Calendar's own UI always sends: a recurring timed event carries its time zone."""
    out = dict(body)
    if out.get("recurrence") and isinstance(out.get("start"), dict) and out["start"].get("dateTime"):
        for key in ("start", "end"):
            if isinstance(out.get(key), dict) and not out[key].get("timeZone"):
                out[key] = {**out[key], "timeZone": cal.timezone}
    return out


def insert(
    cal: CalendarData, body: dict[str, Any], *, actor: str, primary: bool = True, as_google: bool = False
) -> EventRecord:
    event_id = _new_id(cal, body, as_google)
    if as_google:
        kind = eventtypes.type_of(body)
        if kind not in eventtypes.EVENT_TYPES:
            raise bad_request(f"Invalid event type: {kind!r}.", location="eventType")
        body = _google_side_defaults(cal, body)
        people = {k: body[k] for k in GOOGLE_SET if body.get(k)}
    else:
        body = eventtypes.check_insert(body, primary=primary)
        people = {}
    rec = _build(
        cal,
        event_id,
        body,
        actor=actor,
        base=None,
        default_status="confirmed",
        bump_sequence=False,
        people=people,
    )
    _store(cal, rec)
    return rec


def _client_rules(
    cal: CalendarData, current: EventRecord, merged: dict[str, Any], actor: str
) -> dict[str, Any]:
    before = writable_view(current)
    merged = eventtypes.check_update(before, merged)
    if organizer.is_invitation(current.organizer, cal.id):
        merged = organizer.check_attendee_write(before, merged, {cal.id.lower(), actor.lower()})
    return merged


def update(
    cal: CalendarData,
    event_id: str,
    body: dict[str, Any],
    *,
    actor: str,
    patch: bool,
    if_match: str | None = None,
    bump_sequence: bool = False,
    as_google: bool = False,
) -> EventRecord:
    """PUT (whole resource; a missing status means confirmed, so it restores a cancelled event) or PATCH.

    Writing to a generated instance stores it as an exception of its series.
    """
    current = resolve(cal, event_id)
    if current is None:
        raise not_found()
    check_if_match(current, if_match)
    if patch:
        merged = merge_patch(writable_view(current), body, switch_times=as_google)
        default_status = current.status
    else:
        merged, default_status = dict(body), "confirmed"
        if as_google and "eventType" not in merged and current.body.get("eventType"):
            merged["eventType"] = current.body["eventType"]
    if as_google:
        merged = _google_side_defaults(cal, merged)
    else:
        parse_times(merged)  # "Invalid start time." before any permission answer
        merged = _client_rules(cal, current, merged, actor)
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


def delete(
    cal: CalendarData, event_id: str, *, if_match: str | None = None, as_google: bool = False
) -> EventRecord:
    """Mark cancelled (the id stays reserved and shows up in sync results); a series cancels its exceptions.

    An attendee may delete an invitation: that removes only their own copy (this calendar's record).
    """
    current = resolve(cal, event_id)
    if current is None:
        raise not_found()
    if current.cancelled:
        raise ApiError(410, "deleted", "Resource has been deleted")
    check_if_match(current, if_match)
    if not as_google:
        eventtypes.check_delete(current.body)
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
