"""Event types (`eventType`) and what Google lets an API client do with each.

Sources, named where each rule is applied:
- Calendar v3 discovery document (googleapiclient's calendar.v3.json), Event.eventType: "This cannot be
  modified after the event is created"; "fromGmail ... This type of event cannot be created"; the
  EventBirthdayProperties/WorkingLocation/OutOfOffice/FocusTime schemas.
- The "Event types" guide (developers.google.com/calendar/api/guides/event-types): birthdays are all-day
  events recurring yearly (RRULE:FREQ=YEARLY, or BYMONTH=2;BYMONTHDAY=-1 for 29 February), private and
  transparent, with only summary, colorId, reminders and the one-day date editable, the date and title not
  for a birthday linked to a contact; fromGmail events allow only colorId, reminders, visibility,
  transparency, status, attendees and extendedProperties to change.
- "Manage focus time, out of office, and working location events" (guides/calendar-status): only on
  primary calendars; working location events are transparent and public and need
  workingLocationProperties.type.
- Recorded answers: 400 eventTypeRestriction on deleting a contact's birthday (kellylford/QuickMail#294);
  "Event type cannot be changed." on a PUT that drops eventType (gemini-cli-extensions/workspace#319); an
  out-of-office event must be timed and has no attendees (macro-inc/macro#6183, #6474).

Must never import anything outside the emulator package.
"""

from __future__ import annotations

from typing import Any

from .errors import ApiError, bad_request, event_type_restriction, event_type_unchangeable
from .fields import changed_fields
from .when import parse_times

EVENT_TYPES = ("default", "birthday", "focusTime", "fromGmail", "outOfOffice", "workingLocation")
PROPERTIES = {
    "birthday": "birthdayProperties",
    "focusTime": "focusTimeProperties",
    "outOfOffice": "outOfOfficeProperties",
    "workingLocation": "workingLocationProperties",
}
# Status events: primary calendars only.
STATUS_TYPES = ("focusTime", "outOfOffice", "workingLocation")
TIMED_ONLY = ("focusTime", "outOfOffice")
BIRTHDAY_RULES = (["RRULE:FREQ=YEARLY"], ["RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1"])
BIRTHDAY_INSERT_FIELDS = frozenset(
    {
        "id",
        "eventType",
        "summary",
        "colorId",
        "reminders",
        "start",
        "end",
        "recurrence",
        "visibility",
        "transparency",
        "birthdayProperties",
        "status",
    }
)
BIRTHDAY_EDITABLE = frozenset({"colorId", "reminders", "summary", "start", "end"})
FROM_GMAIL_EDITABLE = frozenset(
    {"colorId", "reminders", "visibility", "transparency", "status", "attendees", "extendedProperties"}
)
WORKING_LOCATION_TYPES = ("homeOffice", "officeLocation", "customLocation")
# The fixed values the guides require of each type (absent ones are filled in, others refused).
FIXED: dict[str, dict[str, str]] = {
    "birthday": {"visibility": "private", "transparency": "transparent"},
    "workingLocation": {"visibility": "public", "transparency": "transparent"},
}


def type_of(body: dict[str, Any]) -> str:
    return str(body.get("eventType") or "default")


def birthday_locked(body: dict[str, Any]) -> bool:
    """A birthday synced from Google Contacts or the account's profile: its title and date follow the
    contact, so Calendar refuses to change or delete it (birthdayProperties.contact / type "self")."""
    props = body.get("birthdayProperties") or {}
    return bool(props.get("contact")) or props.get("type", "birthday") != "birthday"


def _invalid_type(kind: str) -> ApiError:
    return bad_request(f"Invalid event type: {kind!r}.", location="eventType")


def _check_properties(kind: str, body: dict[str, Any]) -> None:
    for other, prop in PROPERTIES.items():
        if other != kind and body.get(prop) is not None:
            raise bad_request(f"{prop} can only be set on events of type {other!r}.", location=prop)


def _check_fixed(kind: str, body: dict[str, Any]) -> dict[str, Any]:
    out = dict(body)
    for key, value in FIXED.get(kind, {}).items():
        if out.get(key) not in (None, value):
            raise event_type_restriction(kind)
        out[key] = value
    return out


def _check_working_location(body: dict[str, Any]) -> None:
    props = body.get("workingLocationProperties")
    if not isinstance(props, dict) or props.get("type") not in WORKING_LOCATION_TYPES:
        # "type ... Required when adding working location properties" (EventWorkingLocationProperties).
        raise bad_request(
            "workingLocationProperties.type must be one of homeOffice, officeLocation, customLocation.",
            "required",
            location="workingLocationProperties.type",
        )


def _check_birthday_insert(body: dict[str, Any]) -> dict[str, Any]:
    if set(body) - BIRTHDAY_INSERT_FIELDS:
        raise event_type_restriction("birthday")
    if body.get("recurrence") not in BIRTHDAY_RULES:
        raise event_type_restriction("birthday")
    props = body.get("birthdayProperties") or {}
    # "The Calendar API only supports creating events with the type 'birthday'" (EventBirthdayProperties).
    if props.get("type", "birthday") != "birthday" or props.get("contact") or props.get("customTypeName"):
        raise event_type_restriction("birthday")
    return {**body, "birthdayProperties": {"type": "birthday"}}


def _check_shape(kind: str, body: dict[str, Any]) -> None:
    """Rules on the times and guests of a type, for inserts and updates alike."""
    start, end = parse_times(body)
    if kind in TIMED_ONLY and start.all_day:
        raise event_type_restriction(kind)
    if kind in STATUS_TYPES and body.get("attendees"):
        raise event_type_restriction(kind)
    if kind == "birthday" and (not start.all_day or (end.value - start.value).days != 1):  # type: ignore[operator]
        raise event_type_restriction(kind)


def check_insert(body: dict[str, Any], *, primary: bool) -> dict[str, Any]:
    """events.insert by an API client: the body with the type's fixed values, or a 400."""
    kind = type_of(body)
    if kind not in EVENT_TYPES:
        raise _invalid_type(kind)
    if kind == "fromGmail":
        raise event_type_restriction(kind)  # "This type of event cannot be created."
    _check_properties(kind, body)
    if kind in STATUS_TYPES and not primary:
        raise event_type_restriction(kind)  # "only available on primary calendars"
    if kind == "workingLocation":
        _check_working_location(body)
    out = _check_fixed(kind, body)
    if kind == "birthday":
        out = _check_birthday_insert(out)
    _check_shape(kind, out)
    if kind != "default":
        out["eventType"] = kind
    return out


def check_update(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """events.update/patch by an API client: `after` (the merged body) if the type allows it, else a 400."""
    kind = type_of(before)
    if type_of(after) != kind:
        raise event_type_unchangeable()
    _check_properties(kind, after)
    after = _check_fixed(kind, after)
    changed = changed_fields(before, after) - {"eventType"}
    prop = PROPERTIES.get(kind)
    if kind == "birthday":
        editable = BIRTHDAY_EDITABLE - ({"summary", "start", "end"} if birthday_locked(before) else set())
        if changed - editable:
            raise event_type_restriction(kind)  # birthdayProperties included: "Immutable"
    elif kind == "fromGmail":
        if changed - FROM_GMAIL_EDITABLE or after.get("status") == "cancelled":
            raise event_type_restriction(kind)
    elif kind == "workingLocation" and prop in changed:
        _check_working_location(after)
    if changed & {"start", "end", "attendees"}:
        _check_shape(kind, after)
    return after


def check_delete(body: dict[str, Any]) -> None:
    """events.delete by an API client: fromGmail events and contacts' birthdays stay (400)."""
    kind = type_of(body)
    if kind == "fromGmail" or (kind == "birthday" and birthday_locked(body)):
        raise event_type_restriction(kind)
