"""Field-level three-way merge and round-trip fidelity, through the real sync against the emulator over HTTP.

- edits to different fields on the two sides both survive, and are not conflicts (issue 11 point 2);
- a field changed on both sides is one conflict, recorded with the field, both values and the winner;
- a patch carries only what the studio changed: Google's own text, location and time zone survive any
  unrelated studio edit; untitled stays untitled; long and oddly spaced titles stay as they are (issue 12
  point 6, issue 11 point 7);
- zero-length events come over and can be edited;
- appointments synced before bases were kept fall back safely.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from studiosync.core.store import layout
from studiosync.core.studio.appointments import APPOINTMENTS
from studiosync.core.sync.commit import Write, commit
from studiosync.core.sync.decisions import copy
from studiosync.core.sync.emails import compose_log
from studiosync.core.sync.mapping import event_id_for
from studiosync.core.sync.state import SyncState

from .helpers import SyncWorld, soon, when

Patches = list[dict[str, Any]]


@pytest.fixture
def patches(world: SyncWorld, monkeypatch: pytest.MonkeyPatch) -> Patches:
    """The body of every events.patch the emulator receives (batched or not), in order."""
    seen: Patches = []
    app = world.emu.app
    api = app.api

    def recording(req: Any, outer_auth: str | None = None) -> Any:
        if req.method == "PATCH" and "/events/" in req.path:
            seen.append(req.json())
        return api(req, outer_auth)

    monkeypatch.setattr(app, "api", recording)
    return seen


def linked(world: SyncWorld, title: str = "Session", **kw: Any):  # noqa: ANN201
    world.add_user("ann")
    appt = world.add_appt("ann", title, soon(2), notes="studio notes", **kw)
    world.sync_ok()
    return world.studio.appointments.get(appt.id)


def calendar_requests(world: SyncWorld, login: str = "ann") -> int:
    counts = world.counts(login)
    return counts.get("calendar", 0) + counts.get("batch", 0)


# -- different fields on the two sides: both survive, no conflict ------------------------------------------
def test_studio_notes_and_google_time_both_survive(world: SyncWorld, patches: Patches) -> None:
    appt = linked(world)
    world.studio.appointments.edit(appt.id, notes="bring the blue backdrop")
    time.sleep(0.01)  # Google's change is the later one: the old whole-record policy dropped the notes
    moved = soon(3)
    world.update_event("ann", appt.google_event_id, start=when(moved), end=when(moved + timedelta(hours=1)))
    r = world.sync_ok()
    u = r.users[0]
    assert u.counts["conflicts"] == 0 and u.conflicts == [] and "conflict" not in u.one_line()
    assert u.counts["pulled_updated"] == 1 and u.counts["pushed_updated"] == 1
    got = world.studio.appointments.get(appt.id)
    assert (got.notes, got.start) == ("bring the blue backdrop", moved) and not got.dirty
    ev = world.live_events("ann")[appt.google_event_id]
    assert ev["description"] == "bring the blue backdrop"
    assert datetime.fromisoformat(ev["start"]["dateTime"]) == moved
    assert patches == [{"description": "bring the blue backdrop"}]  # never the time Google just set
    assert got.trace[-2]["action"] == "merged" and "notes from the studio" in got.trace[-2]["detail"]
    world.emu.reset_counts()
    assert not world.sync_ok().users[0].changed  # settled
    assert calendar_requests(world) == 1


def test_google_title_and_studio_time_both_survive(world: SyncWorld, patches: Patches) -> None:
    appt = linked(world)
    world.update_event("ann", appt.google_event_id, summary="Retitled on the phone")
    time.sleep(0.01)  # the studio's change is the later one: the old policy wrote its old title back
    moved = soon(4)
    world.studio.appointments.edit(appt.id, start=moved)
    u = world.sync_ok().users[0]
    assert u.counts["conflicts"] == 0
    got = world.studio.appointments.get(appt.id)
    assert (got.title, got.start) == ("Retitled on the phone", moved)
    ev = world.live_events("ann")[appt.google_event_id]
    assert ev["summary"] == "Retitled on the phone"
    assert datetime.fromisoformat(ev["start"]["dateTime"]) == moved
    assert [set(p) for p in patches] == [{"start", "end"}]


# -- the same field on both sides: one conflict per field, both values, the winner ---------------------------
def test_a_field_changed_on_both_sides_is_a_conflict_recorded_per_field(world: SyncWorld) -> None:
    appt = linked(world)
    world.studio.appointments.edit(appt.id, title="Studio title", status="tentative")
    time.sleep(0.01)
    world.update_event("ann", appt.google_event_id, summary="Google title", description="google notes")
    u = world.sync_ok().users[0]
    assert u.counts["conflicts"] == 1
    assert "1 field conflict (title)" in u.one_line()
    (record,) = u.conflicts
    assert record["fields"] == ["title"] and record["winner"] == "google"
    assert record["values"]["title"] == {
        "studio": "Studio title",
        "google": "Google title",
        "base": "Session",
        "winner": "google",
    }
    assert record["from_studio"] == ["status"] and record["from_google"] == ["notes"]
    got = world.studio.appointments.get(appt.id)
    assert (got.title, got.notes, got.status) == ("Google title", "google notes", "tentative")
    ev = world.live_events("ann")[appt.google_event_id]
    assert (ev["summary"], ev["description"], ev["status"]) == ("Google title", "google notes", "tentative")
    assert got.trace[-2]["action"] == "conflict" and "title changed on both sides" in got.trace[-2]["detail"]
    stored = SyncState.load(world.studio.store, "ann").runs[-1]
    assert stored["counts"]["conflicts"] == 1 and stored["conflicts"][0]["fields"] == ["title"]
    _, body = compose_log(world.studio, world.prefs("ann"), u, [])
    assert "title: studio 'Studio title' / Google 'Google title', kept google" in body
    assert "Field conflicts: 1." in body


def test_time_moved_on_both_sides_the_later_wins_whole_span(world: SyncWorld) -> None:
    appt = linked(world)
    g = soon(5)
    world.update_event("ann", appt.google_event_id, start=when(g), end=when(g + timedelta(hours=2)))
    time.sleep(0.01)
    s = soon(6)
    world.studio.appointments.edit(appt.id, start=s)  # keeps its 1-hour duration
    u = world.sync_ok().users[0]
    assert u.conflicts[0]["fields"] == ["time"] and u.conflicts[0]["winner"] == "studio"
    ev = world.live_events("ann")[appt.google_event_id]
    start, end = (datetime.fromisoformat(ev[k]["dateTime"]) for k in ("start", "end"))
    assert (start, end) == (s, s + timedelta(hours=1))  # never Google's end with the studio's start


# -- round-trip fidelity ----------------------------------------------------------------------------------
def test_google_text_location_and_zone_survive_an_unrelated_studio_edit(
    world: SyncWorld, patches: Patches
) -> None:
    world.add_user("ann", google_tz="America/New_York")
    title = "Wedding  of   A & B " + "x" * 600
    start = soon(3, tz=UTC)
    ev = world.emu.add_event(
        world.emails["ann"],
        world.calendar("ann"),
        {
            "summary": title,
            "description": "  keep\n\nexactly ",
            "location": "Town hall, room 2",
            "start": {"dateTime": start.isoformat(), "timeZone": "America/New_York"},
            "end": {"dateTime": (start + timedelta(hours=1)).isoformat(), "timeZone": "America/New_York"},
        },
    )
    world.sync_ok()
    (appt,) = world.appts("ann")
    assert appt.title == title and appt.notes == "  keep\n\nexactly "  # kept exactly as Google has them
    moved = appt.start + timedelta(hours=1)
    world.studio.appointments.edit(appt.id, start=moved)
    world.sync_ok()
    after = world.live_events("ann")[ev["id"]]
    assert after["summary"] == title and after["description"] == "  keep\n\nexactly "
    assert after["location"] == "Town hall, room 2"
    assert after["start"]["timeZone"] == after["end"]["timeZone"] == "America/New_York"
    assert datetime.fromisoformat(after["start"]["dateTime"]) == moved
    assert datetime.fromisoformat(after["start"]["dateTime"]).utcoffset() in (
        timedelta(hours=-5),
        timedelta(hours=-4),
    )  # written in the event's own zone
    assert [set(p) for p in patches] == [{"start", "end"}]


def test_a_new_studio_appointment_goes_over_in_the_studio_zone(home, emu) -> None:
    world = SyncWorld.create(home, emu, timezone="Europe/Berlin")
    world.add_user("ann", google_tz="America/New_York")
    appt = world.add_appt("ann", "Portrait", soon(2, tz=UTC))
    world.sync_ok()
    ev = world.live_events("ann")[event_id_for(appt.id)]
    assert ev["start"]["timeZone"] == "Europe/Berlin"
    world.studio.appointments.edit(appt.id, start=soon(3, tz=UTC))
    world.sync_ok()
    assert world.live_events("ann")[event_id_for(appt.id)]["start"]["timeZone"] == "Europe/Berlin"


def test_an_untitled_event_stays_untitled(world: SyncWorld, patches: Patches, cli) -> None:
    world.add_user("ann")
    start = soon(2)
    ev = world.emu.add_event(
        world.emails["ann"],
        world.calendar("ann"),
        {"start": when(start), "end": when(start + timedelta(hours=1))},
    )
    world.sync_ok()
    (appt,) = world.appts("ann")
    assert appt.title == "" and appt.display_title == "(No title)"
    shown = cli("appointments", "list", "ann")
    assert shown.code == 0 and "(No title)" in shown.out
    listed = cli("appointments", "list", "ann", "--json")
    assert '"title": ""' in listed.out
    world.studio.appointments.edit(appt.id, notes="call first", start=start + timedelta(hours=2))
    world.sync_ok()
    after = world.live_events("ann")[ev["id"]]
    assert not after.get("summary")  # never "(No title)" written onto Google
    assert [set(p) for p in patches] == [{"description", "start", "end"}]


def test_a_zero_length_event_imports_and_can_be_edited(world: SyncWorld, cli) -> None:
    world.add_user("ann")
    start = soon(2)
    ev = world.add_event("ann", "Call the venue", start, start)
    world.sync_ok()
    (appt,) = world.appts("ann")
    assert appt.start == appt.end == start
    moved = start + timedelta(hours=3)
    world.studio.appointments.edit(appt.id, start=moved)  # moving keeps its (zero) length
    world.studio.appointments.edit(appt.id, notes="ask about parking")
    world.sync_ok()
    after = world.live_events("ann")[ev["id"]]
    assert after["start"]["dateTime"] == after["end"]["dateTime"]
    assert datetime.fromisoformat(after["start"]["dateTime"]) == moved
    assert after["description"] == "ask about parking"
    # typed in the studio too: a zero-length appointment is allowed, an end before its start is not
    at = moved.strftime("%Y-%m-%dT%H:%M")
    assert cli("appointments", "add", "ann", "--title", "Deadline", "--start", at, "--end", at).code == 0
    earlier = (moved - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M")
    bad = cli("appointments", "add", "ann", "--title", "X", "--start", at, "--end", earlier)
    assert bad.code == 2 and "is before start" in bad.err


def test_one_way_a_studio_edit_leaves_googles_other_fields_alone(world: SyncWorld, patches: Patches) -> None:
    world.add_user("ann", two_way=False)
    appt = world.add_appt("ann", "Session", soon(2))
    world.sync_ok()
    world.update_event("ann", event_id_for(appt.id), summary="Renamed on Google")
    world.sync_ok()  # one-way: Google's change stays on Google
    world.studio.appointments.edit(appt.id, notes="studio notes")
    world.sync_ok()
    ev = world.live_events("ann")[event_id_for(appt.id)]
    assert ev["summary"] == "Renamed on Google" and ev["description"] == "studio notes"
    assert patches == [{"description": "studio notes"}]


# -- appointments synced before bases were kept -----------------------------------------------------------
def _forget_base(world: SyncWorld, appointment_id: str, **content: Any) -> None:
    """Make a record look as an older version left it: no synced base (and, optionally, its content as the
    older version stored it, e.g. a title it had collapsed)."""
    name = layout.appointment_file_for("ann", appointment_id)
    with world.studio.store.transaction(name) as tx:
        table = tx.table(name, APPOINTMENTS)
        doc = dict(table.get(doc_id=appointment_id))
        doc.pop("synced", None)
        doc.update(content)
        table.put(appointment_id, doc)


def test_legacy_clean_appointment_edit_sends_only_what_changed(world: SyncWorld, patches: Patches) -> None:
    world.add_user("ann")
    ev = world.add_event("ann", "Family   shoot", soon(2))
    world.sync_ok()
    (appt,) = world.appts("ann")
    _forget_base(world, appt.id, title="Family shoot")  # the old parser collapsed the spaces
    world.studio.appointments.edit(appt.id, notes="studio side")  # clean: its content becomes the base
    world.sync_ok()
    assert world.live_events("ann")[ev["id"]]["summary"] == "Family   shoot"  # not rewritten collapsed
    assert patches == [{"description": "studio side"}]
    # The next run sees Google's copy differ from the base although its etag is ours: the studio heals to
    # Google's exact title, with no request to Google.
    u = world.sync_ok().users[0]
    assert u.counts["pulled_updated"] == 1 and u.pushed == 0
    assert world.studio.appointments.get(appt.id).title == "Family   shoot"
    assert len(patches) == 1 and not world.sync_ok().users[0].changed


def test_legacy_dirty_appointment_falls_back_to_the_later_record(world: SyncWorld) -> None:
    appt = linked(world)
    world.studio.appointments.edit(appt.id, notes="studio notes 2")
    _forget_base(world, appt.id)  # dirty, no base: which side changed what is unknown
    time.sleep(0.01)
    world.update_event("ann", appt.google_event_id, summary="Google title")
    u = world.sync_ok().users[0]
    (record,) = u.conflicts
    assert sorted(record["fields"]) == ["notes", "title"] and record["winner"] == "google"
    assert record["values"]["notes"]["base"] is None
    got = world.studio.appointments.get(appt.id)
    assert (got.title, got.notes) == ("Google title", "studio notes")  # Google's whole record, as before
    assert got.synced is not None and not got.dirty  # and from now on it has a base
    assert not world.sync_ok().users[0].changed


# -- a studio edit made while a run is working --------------------------------------------------------------
def test_an_edit_during_a_run_is_merged_field_by_field(world: SyncWorld) -> None:
    appt = linked(world)
    read = world.studio.appointments.get(appt.id)
    ev = world.update_event("ann", appt.google_event_id, summary="Google title")
    # What a run decides from that: Google's title pulled in, linked to the new version (its base).
    pulled = copy(read)
    pulled.title = "Google title"
    pulled.revision += 1
    pulled.google_etag, pulled.google_updated = ev["etag"], ev["updated"]
    pulled.synced = {**(read.synced or {}), "title": "Google title"}
    pulled.synced_revision = pulled.revision
    world.studio.appointments.edit(appt.id, notes="typed meanwhile")  # the person, before the run commits
    result = commit(world.studio, "ann", [Write(pulled, read.revision)])
    assert result.merged == 1
    got = world.studio.appointments.get(appt.id)
    assert (got.title, got.notes) == ("Google title", "typed meanwhile")  # neither is lost
    assert got.dirty and got.synced == pulled.synced and got.google_etag == ev["etag"]
    world.sync_ok()  # the person's edit goes next run, and only it
    after = world.live_events("ann")[appt.google_event_id]
    assert (after["summary"], after["description"]) == ("Google title", "typed meanwhile")
    assert not world.studio.appointments.get(appt.id).dirty
