"""What an event body holds: the server-owned fields, the documented defaults, Google's patch merge, and
comparing two bodies field by field (what the event-type and organizer rules need to know "what changed").

Defaults are those of the Calendar v3 discovery document (googleapiclient's bundled calendar.v3.json,
Event schema: transparency "opaque", visibility "default", guestsCanModify false, guestsCanInviteOthers and
guestsCanSeeOtherGuests true, eventType "default", attendee responseStatus "needsAction"). Must never
import anything outside the emulator package.
"""

from __future__ import annotations

import json
from typing import Any

from .errors import ApiError
from .when import parse_when

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
        "locked",
    }
)
DEFAULTS: dict[str, Any] = {
    "status": "confirmed",
    "transparency": "opaque",
    "visibility": "default",
    "reminders": {"useDefault": True},
    "guestsCanModify": False,
    "guestsCanInviteOthers": True,
    "guestsCanSeeOtherGuests": True,
    "eventType": "default",
}
# Server-owned fields a client echoes back in a PUT that say nothing about what it wants changed.
_IGNORED = (SERVER_FIELDS - {"start", "end", "recurrence", "status"}) | {"sequence"}


def clone(data: Any) -> Any:
    """Deep copy of JSON data (faster than copy.deepcopy for plain dicts/lists)."""
    return json.loads(json.dumps(data))


def merge_patch(base: dict[str, Any], patch: dict[str, Any], *, switch_times: bool = False) -> dict[str, Any]:
    """Google patch semantics: objects merge recursively, arrays and scalars replace, null deletes.

    A patch `{"start": {"dateTime": ...}}` onto an all-day event therefore keeps `start.date` (Google
    then answers "Invalid start time."); `switch_times` drops the other form instead, as Google's own UI
    does when a person switches an event between all-day and timed (control API edits).
    """
    out = dict(base)
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            current = dict(out[key])
            if switch_times and key in ("start", "end") and ("date" in value or "dateTime" in value):
                current.pop("date", None)
                current.pop("dateTime", None)
            out[key] = merge_patch(current, value)
        else:
            out[key] = value
    return out


def attendee_key(att: dict[str, Any]) -> dict[str, Any]:
    """An attendee entry without its read-only flags, its response defaulted (for comparing)."""
    out = {k: v for k, v in att.items() if k not in ("self", "organizer", "id") and v is not None}
    out["email"] = str(out.get("email", "")).lower()
    out.setdefault("responseStatus", "needsAction")
    out.setdefault("optional", False)
    out.setdefault("additionalGuests", 0)
    return out


def _when_key(raw: Any, field: str) -> Any:
    try:
        when = parse_when(raw, field)
    except ApiError:
        return raw  # invalid times are refused later, by the write itself
    return (when.all_day, when.value.isoformat(), when.tz)


def comparable(body: dict[str, Any]) -> dict[str, Any]:
    """A body reduced to what it means: defaults filled in, times parsed, attendee flags dropped."""
    out = {k: v for k, v in body.items() if v is not None and k not in _IGNORED}
    for key, default in DEFAULTS.items():
        out.setdefault(key, default)
    out["start"] = _when_key(body.get("start"), "start")
    out["end"] = _when_key(body.get("end"), "end")
    if "attendees" in out and isinstance(out["attendees"], list):
        out["attendees"] = [attendee_key(a) for a in out["attendees"] if isinstance(a, dict)]
    if not out.get("attendees"):
        out.pop("attendees", None)
    for key in ("recurrence", "extendedProperties", "attachments", "conferenceData"):
        if not out.get(key):
            out.pop(key, None)
    return out


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    """Top-level fields whose meaning differs between two bodies."""
    old, new = comparable(before), comparable(after)
    return {k for k in old.keys() | new.keys() if old.get(k) != new.get(k)}
