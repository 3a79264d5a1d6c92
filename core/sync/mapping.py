"""Appointment <-> Google Calendar event conversion.

Linking (see DESIGN "Sync, in one paragraph"):
- a studio-origin appointment gets the event id ``"studio" + appointment id`` (appointment ids are lowercase
  hex, a subset of base32hex, so the id is valid and stable: a retried insert answers 409, never a duplicate)
  and carries its appointment id in ``extendedProperties.private`` as a second link;
- a Google-origin event maps to ``layout.derived_appointment_id(login, event id)``: the same event (or
  recurring instance) always lands on the same appointment.

Times: studio appointments live in the studio time zone; timed events are converted into it (the instant is
kept, the wall clock follows the studio zone). A new event is inserted with ``timeZone`` set to the studio's;
an existing event keeps its own (its start/end ``timeZone`` are kept in the synced base, core.sync.synced,
and a patch writes the time in that zone). All-day events keep their dates: Google's all-day end date is
exclusive, exactly like our all-day appointments. A zero-length event (start == end, which Google allows)
is a zero-length appointment.

Text: titles and descriptions are kept exactly as Google has them (long, oddly spaced, empty), minus NUL
characters; an untitled event stays untitled ("") -- the studio only *shows* it as "(No title)"
(`Appointment.display_title`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from studiosync.core.model.appointments import Appointment
from studiosync.core.store import layout

EVENT_ID_PREFIX = "studio"
MARKER = "studiosyncId"  # extendedProperties.private key holding our appointment id
TENTATIVE_RESPONSES = frozenset({"needsAction", "tentative"})


def event_id_for(appointment_id: str) -> str:
    return EVENT_ID_PREFIX + appointment_id


def appointment_id_from_event_id(login: str, event_id: str) -> str | None:
    """Our appointment id when `event_id` is one we chose for this user, else None."""
    if not event_id.startswith(EVENT_ID_PREFIX):
        return None
    rest = event_id[len(EVENT_ID_PREFIX) :]
    if layout.looks_like_appointment_id(rest) and rest.startswith(layout.user_key(login)):
        return rest
    return None


def parse_time(value: str) -> datetime:
    """RFC 3339 (with 'Z' or an offset) -> aware datetime."""
    return datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)


def parse_stamp(value: str | None) -> datetime | None:
    """A bookkeeping stamp (ours or Google's `updated`/`created`) as an aware UTC datetime."""
    if not value:
        return None
    try:
        moment = parse_time(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass
class EventData:
    """The parts of a Calendar event the sync cares about, already in studio terms."""

    id: str
    etag: str
    status: str  # confirmed | tentative | cancelled
    title: str = ""
    notes: str = ""
    start: datetime | date | None = None
    end: datetime | date | None = None
    all_day: bool = False
    created: str | None = None
    updated: str | None = None
    recurring: bool = False  # a recurring master (has `recurrence`)
    recurring_event_id: str | None = None  # set on instances and exceptions
    original_start: datetime | date | None = None
    marker: str | None = None  # our appointment id from extendedProperties.private
    self_response: str | None = None  # responseStatus of the attendee that is this account
    organizer_self: bool = True
    # Google-owned facts the appointment records (take_google_facts): eventType, "Show me as" free, and
    # the organizer of an invitation someone else organizes.
    event_type: str = "default"
    transparent: bool = False
    organizer: str | None = None  # the organizer's email when it is not this calendar
    guests_can_modify: bool = False
    start_tz: str | None = None  # the event's own start.timeZone / end.timeZone (None: the calendar's)
    end_tz: str | None = None

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled"

    @property
    def declined(self) -> bool:
        return self.self_response == "declined"

    @property
    def tentative(self) -> bool:
        """Not confirmed: the event itself is tentative, or this account has not accepted the invitation."""
        return self.status == "tentative" or self.self_response in TENTATIVE_RESPONSES

    @property
    def appointment_status(self) -> str:
        return "tentative" if self.tentative else "confirmed"

    @property
    def usable(self) -> bool:
        """Has the times an appointment needs (cancelled stubs carry only id and status)."""
        return self.start is not None and self.end is not None

    def summary(self) -> dict[str, Any]:
        """A short, loggable description (for conflict records)."""
        return {
            "event_id": self.id,
            "title": self.title,
            "start": _text(self.start),
            "end": _text(self.end),
            "status": self.status,
            "updated": self.updated,
        }


def parse_event(item: dict[str, Any], tz: ZoneInfo) -> EventData:
    start, all_day = _parse_when(item.get("start"), tz)
    end, _ = _parse_when(item.get("end"), tz)
    if start is not None and end is None:
        end = start + timedelta(days=1) if all_day else start  # Google always sends end; be lenient
    if all_day and start is not None and end is not None and end <= start:
        end = start + timedelta(days=1)  # type: ignore[operator]
    original, _ = _parse_when(item.get("originalStartTime"), tz)
    private = (item.get("extendedProperties") or {}).get("private") or {}
    response = None
    for attendee in item.get("attendees") or []:
        if isinstance(attendee, dict) and attendee.get("self"):
            response = attendee.get("responseStatus")
            break
    # Google leaves out false booleans: `organizer.self` is there only on the organizer's own copy.
    organizer = item.get("organizer") if isinstance(item.get("organizer"), dict) else None
    organizer_self = organizer is None or bool(organizer.get("self"))
    return EventData(
        id=str(item["id"]),
        etag=str(item.get("etag") or ""),
        status=str(item.get("status") or "confirmed"),
        title=_as_given(item.get("summary")),
        notes=_as_given(item.get("description")),
        start=start,
        end=end,
        all_day=all_day,
        created=item.get("created"),
        updated=item.get("updated"),
        recurring=bool(item.get("recurrence")),
        recurring_event_id=item.get("recurringEventId"),
        original_start=original,
        marker=private.get(MARKER),
        self_response=response,
        organizer_self=organizer_self,
        start_tz=_zone_of(item.get("start")),
        end_tz=_zone_of(item.get("end")),
        event_type=str(item.get("eventType") or "default"),
        transparent=item.get("transparency") == "transparent",
        organizer=None if organizer_self or organizer is None else str(organizer.get("email") or "") or None,
        guests_can_modify=bool(item.get("guestsCanModify")),
    )


def _as_given(value: Any) -> str:
    """Text from Google, stored as given: NUL is the one character a store and a terminal cannot take."""
    return str(value or "").replace("\x00", "")


def _zone_of(value: Any) -> str | None:
    zone_name = value.get("timeZone") if isinstance(value, dict) else None
    return str(zone_name) if zone_name else None


def _parse_when(value: Any, tz: ZoneInfo) -> tuple[datetime | date | None, bool]:
    if not isinstance(value, dict):
        return None, False
    if value.get("date"):
        return date.fromisoformat(str(value["date"])), True
    if value.get("dateTime"):
        moment = parse_time(str(value["dateTime"]))
        if moment.tzinfo is None:  # Google always sends an offset; a bare time is in the event's zone
            zone_name = value.get("timeZone")
            moment = moment.replace(tzinfo=ZoneInfo(zone_name) if zone_name else tz)
        return moment.astimezone(tz), False
    return None, False


def _text(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


# -- studio -> Google -----------------------------------------------------------------------------------
def when(value: datetime | date, tz_name: str | None, *, clear_other: bool) -> dict[str, Any]:
    """An event start/end, a date-time written in `tz_name` with that `timeZone` (without one: the instant
    with its offset and no `timeZone` key). `clear_other` nulls the other form so a patch can switch timed
    <-> all-day (Google refuses a patch that would leave both)."""
    if isinstance(value, datetime):
        moment = value.astimezone(ZoneInfo(tz_name)) if tz_name else value
        doc: dict[str, Any] = {"dateTime": moment.isoformat(timespec="seconds")}
        if tz_name:
            doc["timeZone"] = tz_name
        if clear_other:
            doc["date"] = None
        return doc
    doc = {"date": value.isoformat()}
    if clear_other:
        doc["dateTime"] = None
        doc["timeZone"] = None
    return doc


def event_body(
    appt: Appointment,
    tz_name: str,
    *,
    event_id: str | None = None,
    marker: bool = True,
    status: bool = True,
) -> dict[str, Any]:
    """Every event field we own for an appointment: the body of an insert (patches carry only what changed,
    core.sync.synced.patch_body)."""
    body: dict[str, Any] = {
        "summary": appt.title,
        "description": appt.notes or "",
        "start": when(appt.start, tz_name, clear_other=False),
        "end": when(appt.end, tz_name, clear_other=False),
    }
    if event_id is not None:
        body["id"] = event_id
    if status:
        body["status"] = "tentative" if appt.status == "tentative" else "confirmed"
    if marker:
        body["extendedProperties"] = {"private": {MARKER: appt.id}}
    return body


# -- comparing and applying -----------------------------------------------------------------------------
def same_content(appt: Appointment, ev: EventData, *, with_status: bool = True) -> bool:
    """Does the appointment already say what the event says (so linking needs no write on either side)?"""
    if not ev.usable:
        return False
    if appt.title != ev.title or (appt.notes or "") != ev.notes or appt.all_day != ev.all_day:
        return False
    if appt.start != ev.start or appt.end != ev.end:
        return False
    return not (with_status and appt.status != ev.appointment_status)


def apply_event(appt: Appointment, ev: EventData) -> None:
    """Copy the event's content into the appointment (caller handles bookkeeping)."""
    assert ev.start is not None and ev.end is not None
    appt.title = ev.title
    appt.notes = ev.notes
    appt.start = ev.start
    appt.end = ev.end
    appt.all_day = ev.all_day
    appt.status = ev.appointment_status  # type: ignore[assignment]


def take_google_facts(appt: Appointment, ev: EventData) -> None:
    """What Google alone says about the event (its type, free/busy, organizer): the appointment follows
    it whenever it meets the event, whatever else the run decides."""
    appt.google_event_type = None if ev.event_type == "default" else ev.event_type
    appt.busy = not ev.transparent
    # Gmail's events name Google's placeholder organizer: no person to ask.
    appt.organizer = ev.organizer if ev.event_type != "fromGmail" else None
    appt.guests_can_modify = ev.guests_can_modify


def new_appointment(login: str, ev: EventData, now: str) -> Appointment:
    assert ev.start is not None and ev.end is not None
    appt = Appointment(
        id=layout.derived_appointment_id(login, ev.id),
        user=login,
        title=ev.title,
        start=ev.start,
        end=ev.end,
        all_day=ev.all_day,
        status=ev.appointment_status,  # type: ignore[arg-type]
        notes=ev.notes,
        origin="google",
        revision=1,
        synced_revision=1,
        created=now,
        updated=now,
    )
    take_google_facts(appt, ev)
    return appt


def appointment_summary(appt: Appointment) -> dict[str, Any]:
    return {
        "appointment_id": appt.id,
        "title": appt.title,
        "start": _text(appt.start),
        "end": _text(appt.end),
        "status": "deleted" if appt.deleted else appt.status,
        "updated": appt.updated,
    }


def changed_before_sync(updated: str | None, enabled_at: datetime | None) -> bool:
    """The rule for unlinked studio appointments: last changed before Google sync was enabled, they go to
    Google only through Populate Google (the processor, the doctor and the trace all ask this)."""
    changed = parse_stamp(updated)
    return bool(enabled_at and changed and changed < enabled_at)


def is_later(studio_updated: str | None, google_updated: str | None) -> bool:
    """True when the studio change is the later one (ties go to the studio: it is the book of record)."""
    ours, theirs = parse_stamp(studio_updated), parse_stamp(google_updated)
    if ours is None:
        return False
    if theirs is None:
        return True
    return ours >= theirs
