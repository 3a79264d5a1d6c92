"""The synced base of an appointment, and the patch body of what the studio changed since.

The base is the value of each shared field as both sides held it after the last sync, stored with the
appointment (`Appointment.synced`) and written in the same commit as the link bookkeeping it belongs to
(a pull, a link, a merge, a push result):

    {"title": "...", "notes": "...", "start": ISO, "end": ISO, "status": "confirmed" | "tentative",
     "start_tz": "America/New_York" | null, "end_tz": ... | null}

`start`/`end` are dates for all-day appointments (end exclusive) and date-times otherwise; `start_tz`/
`end_tz` are the Google event's own `timeZone`s (Google's facts, not the studio's), so a studio time change
is written in the event's zone and the owner's view keeps it.

- `base_of_event`: after a pull or a link (the studio now holds Google's version);
- `base_after_push`: after a successful insert/patch (Google now holds the fields that were sent);
- `base_values` / `appointment_values` / `event_values`: the three inputs of core.sync.merge;
- `patch_fields` / `patch_body`: what a patch to Google carries -- only the fields that changed in the studio
  since the base (Google's documented patch semantics: fields left out stay as they are on Google; a key set
  to null is removed). Without a base (appointments synced before bases were kept) every field we own.

Location is not a shared field: the studio has no place for it, so it is never sent and Google's location
survives every studio edit (mapping it later is one more entry in core.sync.merge.FIELDS and here).

An appointment without a base was last synced by an older version: `Appointments.edit` records its content
as the base when it is edited while clean (its content is then exactly what was synced); one already dirty
falls back to the whole-record policy (core.sync.merge) and a full patch, once.

Pure functions over appointments, events and plain dicts; no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from studiosync.core.model.appointments import Appointment, content_snapshot
from studiosync.core.sync import merge
from studiosync.core.sync.mapping import EventData, when
from studiosync.core.sync.merge import FIELDS

TIME_KEYS = ("start", "end")


# -- the base record ----------------------------------------------------------------------------------
def base_of_event(ev: EventData) -> dict[str, Any]:
    """The base once the studio holds the event's version (pulled, linked, merged)."""
    assert ev.start is not None and ev.end is not None
    return {
        "title": ev.title,
        "notes": ev.notes,
        "start": ev.start.isoformat(),
        "end": ev.end.isoformat(),
        "status": ev.appointment_status,
        "start_tz": ev.start_tz,
        "end_tz": ev.end_tz,
    }


def base_after_push(appt: Appointment, sent: Iterable[str], resp: Mapping[str, Any] | None) -> dict[str, Any]:
    """The base once Google holds what was sent: the sent fields take the studio's values, the others keep
    the old base (Google still holds them); the time zones are what Google answered."""
    now = content_snapshot(appt)
    new = dict(appt.synced) if appt.synced else dict(now)
    for name in sent:
        for key in TIME_KEYS if name == "time" else (name,):
            new[key] = now[key]
    if resp:
        for key in TIME_KEYS:
            when_doc = resp.get(key)
            if isinstance(when_doc, dict):
                new[f"{key}_tz"] = when_doc.get("timeZone")
    return new


# -- values for the merge ----------------------------------------------------------------------------
def base_values(base: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The base as merge values; None when there is none (or it cannot be read: the safe fallback)."""
    if not base:
        return None
    try:
        values = {
            "title": str(base["title"]),
            "notes": str(base.get("notes") or ""),
            "time": (_moment(base["start"]), _moment(base["end"])),
            "status": str(base["status"]),
        }
    except (KeyError, TypeError, ValueError):
        return None
    return values


def appointment_values(appt: Appointment) -> dict[str, Any]:
    return {
        "title": appt.title,
        "notes": appt.notes or "",
        "time": (appt.start, appt.end),
        "status": appt.status,
    }


def event_values(ev: EventData) -> dict[str, Any]:
    return {"title": ev.title, "notes": ev.notes, "time": (ev.start, ev.end), "status": ev.appointment_status}


def apply_values(appt: Appointment, values: Mapping[str, Any]) -> None:
    """Set the appointment's shared fields to merged values."""
    appt.title = values["title"]
    appt.notes = values["notes"]
    appt.start, appt.end = values["time"]
    appt.all_day = not isinstance(appt.start, datetime)
    appt.status = values["status"]


SHOWN_LIMIT = 300  # characters of a text value in a conflict record (notes may be 64 KiB; records stay small)


def shown(name: str, value: Any) -> Any:
    """A merge value as it is logged and recorded (JSON): times as ISO text, long text cut with its length."""
    if name == "time" and isinstance(value, tuple):
        start, end = value
        return {"start": _text(start), "end": _text(end)}
    if isinstance(value, str) and len(value) > SHOWN_LIMIT:
        return f"{value[:SHOWN_LIMIT]}... ({len(value)} characters)"
    return value


# -- studio -> Google ------------------------------------------------------------------------------------
def patch_fields(appt: Appointment, *, full: bool = False) -> tuple[str, ...]:
    """The fields a patch carries: those changed in the studio since the base (all without one)."""
    base = None if full else base_values(appt.synced)
    return merge.changed(base, appointment_values(appt))


def patch_body(appt: Appointment, fields: Iterable[str], *, with_status: bool) -> dict[str, Any]:
    """Only the given fields, in Google's terms. Times go in the event's own time zone when the base knows
    it; otherwise as an instant with its offset and no `timeZone` key, so Google keeps the event's zone.
    The other form of a start/end (date vs dateTime) is nulled, as a switch between all-day and timed
    needs (Google refuses the switch otherwise)."""
    fields = set(fields)
    base = appt.synced or {}
    body: dict[str, Any] = {}
    if "title" in fields:
        body["summary"] = appt.title
    if "notes" in fields:
        body["description"] = appt.notes or ""
    if "time" in fields:
        body["start"] = when(appt.start, _zone(base.get("start_tz")), clear_other=True)
        body["end"] = when(appt.end, _zone(base.get("end_tz")), clear_other=True)
    if "status" in fields and with_status:
        body["status"] = "tentative" if appt.status == "tentative" else "confirmed"
    return body


def fields_in(body: Mapping[str, Any]) -> tuple[str, ...]:
    """The fields a patch body carries (the inverse of `patch_body`)."""
    keys = {"title": "summary", "notes": "description", "time": "start", "status": "status"}
    return tuple(name for name in FIELDS if keys[name] in body)


def _zone(name: Any) -> str | None:
    """A time zone Google gave us, if this machine knows it (else the instant alone is sent)."""
    if not isinstance(name, str) or not name:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None
    return name


def _moment(text: Any) -> datetime | date:
    value = str(text)
    return date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)


def _text(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, date) else None
