"""core.studio.event_kinds as a table (what the studio may do with each kind of Google event) and through
the appointments service: refused up front with one line, nothing written."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from studiosync.core.errors import InputError
from studiosync.core.model.appointments import Appointment
from studiosync.core.studio import event_kinds
from studiosync.core.studio.studio import Studio

START = datetime(2030, 1, 7, 9, tzinfo=UTC)
ORG = "events@venue.example"


def _appt(**google: object) -> Appointment:
    base = Appointment("ann-0001", "ann", "t", START, START + timedelta(hours=1), google_event_id="ev1")
    return replace(base, **google)  # type: ignore[arg-type]


# (kind of appointment, read-only, delete refused, delete drops the studio copy only)
TABLE = [
    ("ordinary event", _appt(), False, False, False),
    ("studio appointment, not on Google", replace(_appt(), google_event_id=None), False, False, False),
    ("out of office", _appt(google_event_type="outOfOffice"), False, False, False),
    ("focus time", _appt(google_event_type="focusTime"), False, False, False),
    ("free event", _appt(busy=False), False, False, False),
    ("invitation from someone else", _appt(organizer=ORG), True, False, False),
    ("invitation its guests may modify", _appt(organizer=ORG, guests_can_modify=True), False, False, False),
    ("Gmail event", _appt(google_event_type="fromGmail"), True, True, False),
    ("birthday (an older version's)", _appt(google_event_type="birthday"), True, False, True),
    ("working location (an older version's)", _appt(google_event_type="workingLocation"), True, False, True),
]


@pytest.mark.parametrize(
    ("appt", "read_only", "no_delete", "local"), [r[1:] for r in TABLE], ids=[r[0] for r in TABLE]
)
def test_what_the_studio_may_do(appt: Appointment, read_only: bool, no_delete: bool, local: bool) -> None:
    why = event_kinds.edit_refusal(appt)
    assert (why is not None) == read_only
    if why:
        assert why.startswith(f"appointment {appt.id} is read-only: ") and "\n" not in why
    assert (event_kinds.delete_refusal(appt) is not None) == no_delete
    assert event_kinds.studio_only_delete(appt) == local


def test_the_invitation_reason_names_the_organizer_and_google() -> None:
    why = event_kinds.read_only_reason(_appt(organizer=ORG)) or ""
    assert ORG in why and "in Google" in why


def test_out_of_office_and_focus_time_never_all_day() -> None:
    for kind in ("outOfOffice", "focusTime"):
        appt = _appt(google_event_type=kind)
        day = date(2030, 1, 7)
        assert "all-day" in (event_kinds.edit_refusal(appt, start=day, end=day + timedelta(days=1)) or "")
        assert event_kinds.edit_refusal(appt, start=START, end=START + timedelta(hours=2)) is None
    assert event_kinds.edit_refusal(_appt(), start=date(2030, 1, 7), end=date(2030, 1, 8)) is None


def test_labels() -> None:
    assert event_kinds.label(_appt(google_event_type="outOfOffice")) == "Out of office"
    assert event_kinds.label(_appt()) == ""
    assert event_kinds.event_type(_appt()) == "default"
    assert event_kinds.event_type(replace(_appt(), google_event_id=None)) is None


def _stored(studio: Studio, **google: object) -> Appointment:
    studio.users.add("ann", "Ann")
    (appt,) = studio.appointments.add_many(
        "ann", [{"title": "t", "start": START, "end": START + timedelta(hours=1)}]
    )
    linked = replace(appt, google_event_id="ev1", origin="google", synced_revision=appt.revision, **google)  # type: ignore[arg-type]
    studio.appointments.save_many("ann", [linked], clear_pending=True)
    return studio.appointments.get(appt.id)


def test_the_service_refuses_before_writing(studio: Studio) -> None:
    invite = _stored(studio, organizer=ORG)
    with pytest.raises(InputError, match=ORG):
        studio.appointments.edit(invite.id, notes="mine")
    with pytest.raises(InputError, match="read-only"):
        studio.appointments.edit(invite.id)  # even a no-op edit says why
    assert studio.appointments.get(invite.id) == invite
    assert not studio.appointments.pending_ids("ann")


def test_deleting_a_working_location_drops_the_studio_copy_only(studio: Studio) -> None:
    legacy = _stored(studio, google_event_type="workingLocation")
    studio.appointments.delete(legacy.id)
    assert studio.appointments.find(legacy.id, include_deleted=True) is None  # no tombstone: Google untouched
    assert not studio.appointments.pending_ids("ann")
