"""Pairing: which Google event belongs to which appointment, and the facts the rules judge a pair by.

- `ours` / `appointment_id`: our events carry the appointment id (a private marker, or an event id derived
  from it); any other event gets an appointment id derived from its own id, so pairing needs no lookup table.
- `choose`: several events may map to one appointment (an instance and its re-created copy).
- `absent_from_listing`: after a full listing, the linked appointments whose event is not in it.
- `pullable` / `push_allowed`: the filters of which events may become appointments and which appointments
  may go to Google; `not_appointment`: the event types the studio never keeps (working location, birthday).
- `pair_facts`: one pair as `rules.Pair` (plain facts).

Everything here is a pure function of the data handed in: it never calls Google, never reads or writes
the store, never logs, and never decides what to do (that is core.sync.rules).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from studiosync.core.model.appointments import Appointment
from studiosync.core.store import layout
from studiosync.core.studio.event_kinds import NOT_APPOINTMENTS
from studiosync.core.sync import mapping, synced
from studiosync.core.sync.mapping import EventData
from studiosync.core.sync.rules import GoogleFacts, Pair, StudioFacts


@dataclass
class GoogleSide:
    """A Google event as seen in this run, with what we know about where it came from."""

    event: EventData
    series_tracked: bool = False  # an instance of a series we already sync: no "before enabled" filter


def ours(login: str, ev: EventData) -> str | None:
    """The appointment id when the event is one we created for this user (marker or our event id)."""
    marker = ev.marker
    if marker and layout.looks_like_appointment_id(marker) and marker.startswith(layout.user_key(login)):
        return marker
    return mapping.appointment_id_from_event_id(login, ev.id)


def appointment_id(login: str, ev: EventData) -> str:
    """The appointment an event pairs with: ours by its marker or id, else one derived from its id."""
    return ours(login, ev) or layout.derived_appointment_id(login, ev.id)


def pullable(
    ev: EventData,
    *,
    tentative_ok: bool,
    populate_studio: bool,
    enabled_at: datetime | None,
    existing: bool,
    series_tracked: bool,
) -> bool:
    """May this Google event be (or stay) an appointment?"""
    if ev.cancelled or not ev.usable or ev.declined or not_appointment(ev):
        return False
    if ev.tentative and not tentative_ok:
        return False
    if existing or series_tracked or populate_studio:
        return True
    # Without Populate studio, events that existed before sync was enabled stay on Google only.
    created = mapping.parse_stamp(ev.created)
    return enabled_at is None or created is None or created >= enabled_at


def not_appointment(ev: EventData) -> bool:
    """A working location or a birthday: never an appointment, whatever the switches."""
    return ev.event_type in NOT_APPOINTMENTS


def push_allowed(appt: Appointment, *, populate_google: bool, enabled_at: datetime | None) -> bool:
    """May an unlinked studio appointment go to Google? Only if changed after sync was enabled,
    unless Populate Google is on."""
    return populate_google or not mapping.changed_before_sync(appt.updated, enabled_at)


def choose(sides: list[GoogleSide] | None, appt: Appointment | None) -> GoogleSide | None:
    """Several events may map to one appointment (an instance and its re-created copy): prefer the linked one."""
    if not sides:
        return None
    if len(sides) == 1:
        return sides[0]
    if appt is not None and appt.google_event_id:
        for side in sides:
            if side.event.id == appt.google_event_id:
                return side
    live = [s for s in sides if not s.event.cancelled]
    return live[-1] if live else sides[-1]


def absent_from_listing(
    book: dict[str, Appointment],
    candidates: dict[str, list[GoogleSide]],
    items: list[dict[str, Any]],
    series: dict[str, Any],
) -> tuple[list[Appointment], list[Appointment]]:
    """After a full listing: (linked appointments not paired with a listed event, those of them whose event
    is nowhere in the listing -- not listed, not a tracked instance, not an instance of a live series)."""
    listed = {item.get("id") for item in items}
    live = {item.get("id") for item in items if item.get("status") != "cancelled"}
    tracked = {i for info in series.values() for i in (info.get("instances") or {})}
    linked = [a for a in book.values() if a.google_event_id and a.id not in candidates]
    absent = [
        a
        for a in linked
        if a.google_event_id not in listed
        and a.google_event_id not in tracked
        and a.google_event_id.rpartition("_")[0] not in live  # an instance of a listed series
    ]
    return linked, absent


def changed_on_google(appt: Appointment, ev: EventData) -> bool:
    """Has Google's copy changed since the link was recorded? Its etag (or id) differs -- or, with the same
    etag, it no longer says what the synced base says: a Google edit that raced our own patch (whose answer
    carried Google's newer etag), or text an older version stored altered. Costs no request."""
    if appt.google_etag != ev.etag or appt.google_event_id != ev.id:
        return True
    if not ev.usable:
        return False
    base = synced.base_values(appt.synced)
    return base is not None and base != synced.event_values(ev)


def pair_facts(
    appt: Appointment | None,
    side: GoogleSide | None,
    *,
    login: str,
    pending: bool,
    two_way: bool,
    tentative_ok: bool,
    populate_studio: bool,
    populate_google: bool,
    enabled_at: datetime | None,
) -> tuple[Pair, EventData | None]:
    """The pair as plain facts for `rules.decide`, and the event the pair is about (None when the
    appointment is linked to another event now, e.g. re-created after its series vanished)."""
    ev = side.event if side else None
    if ev is not None and appt is not None and appt.google_event_id and appt.google_event_id != ev.id:
        ev = None
    studio = None
    if appt is not None:
        studio = StudioFacts(
            deleted=appt.deleted,
            dirty=appt.dirty,
            linked=bool(appt.google_event_id),
            from_google=appt.origin == "google",
            push_allowed=push_allowed(appt, populate_google=populate_google, enabled_at=enabled_at),
            refused=appt.refused,
        )
    google = None
    if ev is not None:
        google = GoogleFacts(
            cancelled=ev.cancelled,
            pullable=pullable(
                ev,
                tentative_ok=tentative_ok,
                populate_studio=populate_studio,
                enabled_at=enabled_at,
                existing=appt is not None,
                series_tracked=appt is not None or bool(side and side.series_tracked),
            ),
            ours=ours(login, ev) is not None,
            our_id=appt is not None and ev.id == mapping.event_id_for(appt.id),
            not_appointment=not_appointment(ev),
        )
    changed = same = later = False
    if appt is not None and ev is not None:
        changed = changed_on_google(appt, ev)
        same = mapping.same_content(appt, ev)
        later = mapping.is_later(appt.updated, ev.updated)
    pair = Pair(
        studio=studio,
        google=google,
        two_way=two_way,
        pending=pending,
        changed_on_google=changed,
        same_content=same,
        studio_later=later,
    )
    return pair, ev
