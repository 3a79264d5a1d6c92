"""Google's event types end to end (emulator over HTTP, the real sync): working locations and birthdays
are never appointments -- and leave the book if an older version imported them, without counting as
deletions; out of office, focus time, Gmail events, invitations and "free" events come over and say what
they are; declined invitations never come over."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from studiosync.core.studio import event_kinds
from studiosync.core.sync import calendar_sync, pairing
from studiosync.core.sync.state import SyncState

from tests.conftest import CliRunner

from .helpers import SyncWorld, soon

VENUE = "events@venue.example"


def _special_calendar(world: SyncWorld, login: str) -> dict[str, str]:
    """What a real staff calendar holds: returns {what: event id}."""
    emu, email = world.emu, world.emails[login]
    day = soon(2).date()
    made = {
        "working": emu.add_working_location(email, start=day.isoformat(), kind="homeOffice"),
        "office": emu.add_working_location(
            email, start=soon(3, 9).isoformat(), end=soon(3, 17).isoformat(), kind="officeLocation", count=1
        ),
        "birthday": emu.add_birthday(email, date=(day + timedelta(days=5)).isoformat(), name="Grace"),
        "ooo": emu.add_out_of_office(email, start=soon(4, 9).isoformat(), end=soon(4, 17).isoformat()),
        "focus": emu.add_focus_time(email, start=soon(5, 9).isoformat(), end=soon(5, 11).isoformat()),
        "gmail": emu.add_from_gmail(
            email, summary="Flight to Everett", start=soon(6, 8).isoformat(), end=soon(6, 10).isoformat()
        ),
        "invite": emu.add_invitation(
            email, organizer=VENUE, start=soon(7, 14).isoformat(), end=soon(7, 15).isoformat(),
            summary="Venue walkthrough", response="accepted",
        ),
        "declined": emu.add_invitation(
            email, organizer=VENUE, start=soon(8, 14).isoformat(), end=soon(8, 15).isoformat(),
            summary="Declined tasting", response="declined",
        ),
        "free": world.add_event(login, "Maybe coffee", soon(9), transparency="transparent"),
    }  # fmt: skip
    return {k: v["id"] for k, v in made.items()}


def _by_event(world: SyncWorld, login: str) -> dict[str, object]:
    return {a.google_event_id: a for a in world.appts(login)}


def test_each_event_type_does_what_the_issue_says(world: SyncWorld) -> None:
    world.add_user("ann", populate_studio=True)
    ids = _special_calendar(world, "ann")
    r = world.sync_ok()
    appts = _by_event(world, "ann")
    types = {a.google_event_type for a in appts.values()}
    assert types == {"outOfOffice", "focusTime", "fromGmail", None}
    assert not types & event_kinds.NOT_APPOINTMENTS
    # working locations (a weekday series, a timed office) and the birthday never came over
    assert not any(k.startswith((ids["working"], ids["office"], ids["birthday"])) for k in appts)
    assert ids["declined"] not in appts
    assert appts[ids["ooo"]].google_event_type == "outOfOffice" and appts[ids["ooo"]].busy
    assert appts[ids["focus"]].google_event_type == "focusTime"
    gmail = appts[ids["gmail"]]
    assert gmail.organizer is None and event_kinds.read_only_reason(gmail)  # Gmail's organizer is no person
    invite = appts[ids["invite"]]
    assert invite.organizer == VENUE and invite.google_event_type is None
    assert "events@venue.example" in (event_kinds.read_only_reason(invite) or "")
    assert appts[ids["free"]].busy is False and event_kinds.read_only_reason(appts[ids["free"]]) is None
    assert r.users[0].counts["pulled_created"] == len(appts) == 5


def test_cli_json_and_read_only_rules(world: SyncWorld, cli: CliRunner) -> None:
    world.add_user("ann", populate_studio=True)
    ids = _special_calendar(world, "ann")
    world.sync_ok()
    listed = json.loads(cli("appointments", "list", "ann", "--json").out)
    by_event = {d["google_event_id"]: d for d in listed}
    ooo, invite, gmail, free = (by_event[ids[k]] for k in ("ooo", "invite", "gmail", "free"))
    assert (
        ooo["google_event_type"] == "outOfOffice" and ooo["kind"] == "Out of office" and not ooo["read_only"]
    )
    assert free["busy"] is False and free["google_event_type"] == "default"
    assert invite["read_only"] is True and invite["organizer"] == VENUE
    assert gmail["read_only"] is True and gmail["google_event_type"] == "fromGmail"
    shown = json.loads(cli("appointments", "show", invite["id"], "--json").out)
    assert shown["read_only"] is True and shown["organizer"] == VENUE

    before = world.studio.appointments.get(invite["id"])
    done = cli("appointments", "edit", invite["id"], "--title", "Mine now")
    assert done.code == 2 and len(done.err_lines) == 1
    assert VENUE in done.err and "in Google" in done.err
    assert world.studio.appointments.get(invite["id"]) == before  # nothing changed
    done = cli("appointments", "edit", gmail["id"], "--notes", "window seat")
    assert done.code == 2 and len(done.err_lines) == 1 and "Gmail" in done.err
    done = cli("appointments", "delete", gmail["id"])
    assert done.code == 2 and len(done.err_lines) == 1 and "Google Calendar" in done.err
    assert world.studio.appointments.find(gmail["id"]) is not None
    done = cli("appointments", "edit", ooo["id"], "--start", soon(4).date().isoformat(), "--end",
               (soon(4).date() + timedelta(days=1)).isoformat())  # fmt: skip
    assert done.code == 2 and "all-day" in done.err
    assert not world.studio.appointments.pending_ids("ann")

    # Deleting an invitation is allowed: it leaves the guest's Google calendar (Google allows that).
    assert cli("appointments", "delete", invite["id"]).code == 0
    r = world.sync_ok()
    assert r.users[0].counts["pushed_deleted"] == 1
    assert ids["invite"] not in world.live_events("ann")
    # An out-of-office time change is an ordinary two-way edit.
    assert cli("appointments", "edit", ooo["id"], "--title", "Away (dentist)").code == 0
    world.sync_ok()
    assert world.live_events("ann")[ids["ooo"]]["summary"] == "Away (dentist)"


def test_working_locations_imported_before_leave_the_book_not_google(
    world: SyncWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.add_user("ann", populate_studio=True)
    ids = _special_calendar(world, "ann")
    with monkeypatch.context() as old_version:  # a version that did not read eventType
        old_version.setattr(pairing, "NOT_APPOINTMENTS", frozenset())
        world.sync_ok()
    kinds = (ids["working"], ids["office"], ids["birthday"])
    imported = [a for a in world.appts("ann") if a.google_event_id.startswith(kinds)]
    assert len(imported) > 100  # the weekday series became daily "appointments", the birthday one more
    saved = SyncState.load(world.studio.store, "ann")
    saved.calendar.pop("event_types")  # what the older version left behind
    saved.save(world.studio.store)
    before = {e["id"] for e in world.events("ann")}

    r = world.sync_ok()
    counts = r.users[0].counts
    assert counts["removed"] == len(imported)
    assert counts["pulled_deleted"] == 0  # removals are not deletions (the mass-deletion guard)
    left = {a.google_event_type for a in world.appts("ann")}
    assert not left & event_kinds.NOT_APPOINTMENTS
    assert {e["id"] for e in world.events("ann")} == before  # Google keeps every event
    world.emu.reset_counts()
    r = world.sync_ok()
    assert not r.users[0].changed
    assert world.counts("ann")["calendar"] == 1 and world.counts("ann")["batch"] == 0
    assert (
        SyncState.load(world.studio.store, "ann").calendar["event_types"] == calendar_sync.EVENT_TYPES_VERSION
    )
