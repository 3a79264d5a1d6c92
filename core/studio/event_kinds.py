"""What kind of Google event an appointment mirrors, and what the studio may do with it.

Google's Calendar v3 `eventType` (Event resource; the "Event types" and "calendar status" guides):

- `workingLocation` ("Home / Office" chips) and `birthday` (from Google Contacts) are not appointments:
  the sync never imports them and removes one imported by an older version from the studio book (never
  from Google). Until then it is read-only here, and deleting it only drops the studio's copy.
- `outOfOffice`, `focusTime`, `fromGmail` and `default` block the photographer's time and come over.
  Out of office and focus time exist only with times (Google refuses them all-day).
- Google accepts no change from an app to a `fromGmail` event's title, time or description, nor its
  deletion (400 eventTypeRestriction); and a guest may change none of those on an invitation someone
  else organizes (403 forbiddenForNonOrganizer) -- deleting it from their own calendar is allowed.

The studio refuses up front what Google would refuse: `edit_refusal` / `delete_refusal` give the one-line
reason (the CLI exits 2 with it, the console shows it); nothing here changes anything. Both the CLI and
the console go through core.studio.appointments, which asks these. This module never touches the store or
Google and never imports the sync.
"""

from __future__ import annotations

from datetime import date, datetime

from studiosync.core.model.appointments import Appointment

# Google's eventType -> how the studio names it (the console's list and editor, the CLI's table).
LABELS: dict[str, str] = {
    "default": "Event",
    "outOfOffice": "Out of office",
    "focusTime": "Focus time",
    "fromGmail": "From Gmail",
    "workingLocation": "Working location",
    "birthday": "Birthday",
}
NOT_APPOINTMENTS = frozenset({"workingLocation", "birthday"})
TIMED_ONLY = frozenset({"outOfOffice", "focusTime"})


def event_type(appt: Appointment) -> str | None:
    """Google's eventType for a linked appointment ("default" for an ordinary event), else None."""
    if appt.google_event_type:
        return appt.google_event_type
    return "default" if appt.google_event_id else None


def label(appt: Appointment) -> str:
    """The kind as people read it ("Out of office"); empty for an ordinary appointment or event."""
    kind = appt.google_event_type
    return LABELS.get(kind, kind) if kind and kind != "default" else ""


def is_invitation(appt: Appointment) -> bool:
    """An event someone else organizes, on this photographer's calendar as a guest."""
    return bool(appt.organizer)


def read_only_reason(appt: Appointment) -> str | None:
    """Why Google will accept no change to this appointment from the studio, or None when it will."""
    kind = appt.google_event_type
    if kind == "birthday":
        return (
            "it is a birthday from Google Contacts, not an appointment (the next sync removes it from the "
            "studio book); change it in Google Contacts"
        )
    if kind == "workingLocation":
        return (
            "it is a working location (Home / Office) from Google Calendar, not an appointment (the next "
            "sync removes it from the studio book); change it in Google Calendar"
        )
    if kind == "fromGmail":
        return (
            "Gmail made this event from an email (a reservation, a flight) and Google lets no app change "
            "it; change it in Google Calendar"
        )
    if is_invitation(appt) and not appt.guests_can_modify:
        return (
            f"it is an invitation organized by {appt.organizer}: only the organizer can change it, in "
            "Google (deleting it here removes it from your Google calendar)"
        )
    return None


def edit_refusal(
    appt: Appointment, *, start: datetime | date | None = None, end: datetime | date | None = None
) -> str | None:
    """The one-line reason an edit of `appt` (to these times, when given) is refused up front, or None."""
    why = read_only_reason(appt)
    if why is not None:
        return f"appointment {appt.id} is read-only: {why}"
    kind = appt.google_event_type
    if start is None or end is None:
        return None
    if kind in TIMED_ONLY and not (isinstance(start, datetime) and isinstance(end, datetime)):
        return f"a {LABELS[kind].lower()} appointment needs a start and end time: Google refuses all-day ones"
    return None


def delete_refusal(appt: Appointment) -> str | None:
    """The one-line reason deleting `appt` is refused up front, or None (invitations may be deleted: it
    leaves the photographer's calendar, as Google allows a guest)."""
    if appt.google_event_type == "fromGmail":
        return (
            f"appointment {appt.id} cannot be deleted here: Gmail made this event from an email and Google "
            "lets no app delete it; delete it in Google Calendar"
        )
    return None


def studio_only_delete(appt: Appointment) -> bool:
    """Deleting it drops the studio's copy only (it is no appointment; Google keeps its event)."""
    return appt.google_event_type in NOT_APPOINTMENTS
