"""Events as Calendar v3 returns them: the full resource, the minimal tombstone, the writable view.

Tombstones follow the Event.status description of the discovery document (calendar.v3.json): "Deleted
events are only guaranteed to have the id field populated", cancelled exceptions of a live series "only
... id, recurringEventId and originalStartTime", and "incremental sync requests with showDeleted set to
false will not return these details" (while the organizer's own calendar, and a guest's removed
invitation, keep them for get and showDeleted listings). Recorded tombstones in allenporter/gcal_sync's
tests are exactly `{"id", "status": "cancelled"}` (+ recurringEventId/originalStartTime for instances);
we add the `kind` and `etag` every resource carries. Must never import anything outside the emulator.
"""

from __future__ import annotations

import base64
from typing import Any

from .fields import clone
from .state import CalendarData, EventRecord
from .timeutil import UTC, zone
from .when import when_dict


def html_link(cal: CalendarData, event_id: str) -> str:
    eid = base64.urlsafe_b64encode(f"{event_id} {cal.id}".encode()).decode().rstrip("=")
    return f"https://www.google.com/calendar/event?eid={eid}"


def tombstone(rec: EventRecord, cal: CalendarData, view_tz: str | None = None) -> dict[str, Any]:
    """What a deleted event (or cancelled instance) looks like in an incremental listing."""
    out: dict[str, Any] = {"kind": "calendar#event", "etag": rec.etag, "id": rec.id, "status": "cancelled"}
    if rec.recurring_event_id and rec.original_start is not None:
        out["recurringEventId"] = rec.recurring_event_id
        out["originalStartTime"] = when_dict(
            rec.original_start, rec.original_tz, zone(view_tz or cal.timezone)
        )
    return out


def _people(rec: EventRecord, cal: CalendarData, viewer: str) -> tuple[dict[str, Any], dict[str, Any]]:
    creator = dict(rec.creator)
    if creator.get("email", "").lower() in (viewer.lower(), cal.id.lower()):
        creator["self"] = True
    organizer = dict(rec.organizer)
    if organizer.get("email", "").lower() == cal.id.lower():
        organizer["self"] = True
    return creator, organizer


def _attendees(
    attendees: list[dict[str, Any]], organizer: dict[str, Any], me: set[str]
) -> list[dict[str, Any]]:
    for att in attendees:
        att.setdefault("responseStatus", "needsAction")
        email = str(att.get("email", "")).lower()
        if email == organizer.get("email", "").lower():
            att["organizer"] = True
        if email in me:
            att["self"] = True
    return attendees


def render(rec: EventRecord, cal: CalendarData, viewer: str, view_tz: str | None = None) -> dict[str, Any]:
    """The event resource as Calendar v3 returns it to `viewer` (self flags depend on who looks)."""
    tz = zone(view_tz or cal.timezone)
    body = clone(rec.body)
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
    out["creator"], out["organizer"] = _people(rec, cal, viewer)
    out["start"] = when_dict(rec.start, rec.start_tz, tz)
    out["end"] = when_dict(rec.end, rec.end_tz, tz)
    if rec.recurrence_raw:
        out["recurrence"] = list(rec.recurrence_raw)
    if rec.recurring_event_id and rec.original_start is not None:
        out["recurringEventId"] = rec.recurring_event_id
        out["originalStartTime"] = when_dict(rec.original_start, rec.original_tz, tz)
    # Google leaves out transparency "opaque" and visibility "default" (recorded events.list responses,
    # e.g. home-assistant's google tests and the Gmail example in control/shapes.py).
    for key in ("transparency", "visibility"):
        if key in body:
            out[key] = body.pop(key)
    out["iCalUID"] = rec.ical_uid
    out["sequence"] = rec.sequence
    attendees = body.pop("attendees", None)
    if attendees is not None:
        out["attendees"] = _attendees(attendees, out["organizer"], {cal.id.lower(), viewer.lower()})
    if "hangoutLink" in body:
        out["hangoutLink"] = body.pop("hangoutLink")
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
