"""Appointments, the lines of their sync trace, and the synced-base snapshot of one. Plain data: never
does I/O, never decides a sync (core.sync.rules does)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime  # at run time: core.store.records resolves the annotations
from typing import Any, Literal

from studiosync.core.model import Origin

AppointmentStatus = Literal["confirmed", "tentative"]
STATUSES: tuple[str, ...] = ("confirmed", "tentative")
NO_TITLE = "(No title)"  # shown for an untitled event, as Google Calendar does; never stored


@dataclass
class TraceEntry:
    """One line of an appointment's sync history (answers "why isn't this in Google?")."""

    time: str
    action: str  # created, changed, deleted, pushed, pulled, conflict, error...
    detail: str = ""
    run_id: str | None = None


@dataclass
class Appointment:
    """One appointment in a user's book, with its Google event link and the sync's bookkeeping on it."""

    id: str
    user: str
    title: str
    start: datetime | date
    end: datetime | date
    all_day: bool = False
    status: AppointmentStatus = "confirmed"
    notes: str = ""
    origin: Origin = "studio"
    # Sync bookkeeping: `revision` is bumped on every change; the appointment is dirty while
    # revision > synced_revision. A deleted appointment stays as a tombstone until the deletion synced.
    revision: int = 1
    synced_revision: int = 0
    deleted: bool = False
    created: str = ""
    updated: str = ""
    google_event_id: str | None = None
    google_etag: str | None = None
    google_updated: str | None = None
    sync_error: str | None = None
    trace: list[dict[str, Any]] = field(default_factory=list)
    # The synced base (core.sync.synced): each field's value as both sides held it after the last sync,
    # plus the Google event's own time zones, so a run can tell which side changed which field.
    # None: never synced, or last synced before bases were kept.
    synced: dict[str, Any] | None = None
    # What Google says about the event, kept by the sync (never edited in the studio; core.studio.
    # event_kinds says what the studio may do with it): Google's eventType (None: "default", or not from
    # Google), whether it blocks time ("Show me as": transparency), and the organizer's email when someone
    # else organizes it (an invitation this account is a guest of; `guests_can_modify`: its guests may edit).
    google_event_type: str | None = None
    busy: bool = True
    organizer: str | None = None
    guests_can_modify: bool = False
    # The revision whose change Google refused for good (core.sync.failures.is_refusal): never sent again;
    # a later change (a new revision) is. 0: none.
    refused_revision: int = 0

    @property
    def dirty(self) -> bool:
        return self.revision > self.synced_revision

    @property
    def display_title(self) -> str:
        """The title as people see it: an untitled Google event is stored untitled ("") and shown as
        Google Calendar shows it."""
        return self.title if self.title.strip() else NO_TITLE

    @property
    def refused(self) -> bool:
        """Google refused this very version for good: it is not sent again."""
        return self.refused_revision == self.revision and self.dirty


def content_snapshot(appt: Appointment) -> dict[str, Any]:
    """The shared fields of an appointment as a synced-base record (core.sync.synced reads it back).

    All-day is the form of start/end: dates (all-day, end exclusive) or date-times."""
    return {
        "title": appt.title,
        "notes": appt.notes or "",
        "start": appt.start.isoformat(),
        "end": appt.end.isoformat(),
        "status": appt.status,
    }
