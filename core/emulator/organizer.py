"""Invitations: what an attendee may change on their own copy of an event someone else organizes.

Sources: Calendar v3 reference, Event: `organizer.self` "whether the organizer corresponds to the
calendar on which this copy of the event appears"; `attendees[].self` "whether this entry represents the
calendar on which this copy of the event appears"; `extendedProperties.private` "private to the copy of
the event that appears on this calendar" (`shared`: "shared between copies ... on other attendees'
calendars"); `reminders` "for the authenticated user"; `guestsCanModify` "whether attendees other than
the organizer can modify the event". Calendar's errors page: 403 forbiddenForNonOrganizer, "Shared
properties can only be changed by the organizer of the event." Recorded use: t4t5/caldir
(update_event.rs) answers an invitation with a PATCH of just `{"attendees": [{"email": me,
"responseStatus": ...}]}`, and a PUT carrying shared properties draws the 403.

Decisions where Google documents nothing: colorId, transparency and visibility are per copy (Google
Calendar lets a guest set colour, "Show me as" and visibility on an invitation); attendees left out of
an attendee's write are kept (a guest cannot remove others); a guest's own entry may change only its
responseStatus, comment and additionalGuests. Must never import anything outside the emulator package.
"""

from __future__ import annotations

from typing import Any

from .errors import forbidden_for_non_organizer
from .fields import attendee_key, changed_fields, clone

PER_COPY = frozenset({"reminders", "colorId", "transparency", "visibility"})
ANSWER_KEYS = ("responseStatus", "comment", "additionalGuests")


def is_invitation(organizer: dict[str, Any], calendar_id: str) -> bool:
    """True on an attendee's copy: the organizer is not the calendar this copy is on."""
    return str(organizer.get("email", "")).lower() != calendar_id.lower()


def _shared(body: dict[str, Any]) -> Any:
    return (body.get("extendedProperties") or {}).get("shared") or {}


def _answered(
    before: list[dict[str, Any]], after: list[dict[str, Any]], me: set[str]
) -> list[dict[str, Any]]:
    """The stored attendee list with only the own entry's answer taken from `after` (403 otherwise)."""
    out = clone(before)
    index = {str(a.get("email", "")).lower(): a for a in out}
    for entry in after:
        email = str(entry.get("email", "")).lower()
        current = index.get(email)
        if current is None:
            raise forbidden_for_non_organizer()  # a guest adding someone
        if email in me:
            for key in ANSWER_KEYS:
                if key in entry:
                    current[key] = entry[key]
        elif attendee_key(entry) != attendee_key(current):
            raise forbidden_for_non_organizer()
    return out


def check_attendee_write(before: dict[str, Any], after: dict[str, Any], me: set[str]) -> dict[str, Any]:
    """`after` as an attendee may store it (their answer applied), or 403 forbiddenForNonOrganizer."""
    if before.get("guestsCanModify"):
        return after
    for key in changed_fields(before, after):
        if key in PER_COPY or key == "attendees":
            continue
        if key == "extendedProperties" and _shared(before) == _shared(after):
            continue
        raise forbidden_for_non_organizer()
    out = dict(after)
    if before.get("attendees"):
        out["attendees"] = _answered(before["attendees"], after.get("attendees") or [], me)
    elif after.get("attendees"):
        raise forbidden_for_non_organizer()
    return out
