"""Studio -> Google: new, modified and deleted appointments become new, modified and deleted events."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from studiosync.core.emulator.ids import EVENT_ID_RE
from studiosync.core.sync.mapping import MARKER, event_id_for

from .helpers import SyncWorld, soon


def test_new_modified_deleted_appointments_become_events(world: SyncWorld) -> None:
    world.add_user("ann")
    a = world.add_appt("ann", "Portrait session", soon(3), notes="bring props")
    r = world.sync_ok()
    assert r.users[0].counts["pushed_created"] == 1
    ev = world.live_events("ann")[event_id_for(a.id)]
    assert EVENT_ID_RE.match(ev["id"])
    assert ev["summary"] == "Portrait session" and ev["description"] == "bring props"
    assert ev["extendedProperties"]["private"][MARKER] == a.id
    stored = world.studio.appointments.get(a.id)
    assert stored.google_event_id == ev["id"] and stored.google_etag == ev["etag"] and not stored.dirty

    world.studio.appointments.edit(a.id, title="Family portrait", start=soon(4))
    r = world.sync_ok()
    assert r.users[0].counts["pushed_updated"] == 1
    ev = world.live_events("ann")[event_id_for(a.id)]
    assert ev["summary"] == "Family portrait"
    assert datetime.fromisoformat(ev["start"]["dateTime"]) == soon(4)

    world.studio.appointments.delete(a.id)
    r = world.sync_ok()
    assert r.users[0].counts["pushed_deleted"] == 1
    assert event_id_for(a.id) not in world.live_events("ann")
    # the tombstone is gone once the deletion reached Google
    assert world.studio.appointments.find(a.id, include_deleted=True) is None


def test_only_appointments_changed_after_enabling_go_over(world: SyncWorld) -> None:
    world.studio.users.add("ann", "Ann")
    old = world.add_appt("ann", "Before sync", soon(1))
    time.sleep(0.005)
    world.add_user("ann")  # enabling stamps enabled_at now
    time.sleep(0.005)
    new = world.add_appt("ann", "After sync", soon(2))
    world.sync_ok()
    live = world.live_events("ann")
    assert event_id_for(new.id) in live and event_id_for(old.id) not in live
    # a later change to the old appointment does send it
    world.studio.appointments.edit(old.id, title="Before sync, changed")
    world.sync_ok()
    assert event_id_for(old.id) in world.live_events("ann")


def test_populate_google_sends_everything_once_and_unchecks(world: SyncWorld) -> None:
    world.studio.users.add("ann", "Ann")
    old = [world.add_appt("ann", f"Old {i}", soon(i + 1)) for i in range(5)]
    world.add_user("ann", populate_google=True)
    r = world.sync_ok()
    assert r.users[0].counts["pushed_created"] == 5
    assert {event_id_for(a.id) for a in old} <= set(world.live_events("ann"))
    assert world.prefs("ann").populate_google is False
    # Populate checked again (and links lost, as after a restore): still no duplicate on either side
    for a in world.appts("ann"):
        a.google_event_id = a.google_etag = None
        a.synced_revision = 0
    world.studio.appointments.save_many("ann", world.appts("ann"))
    world.set_prefs("ann", populate_google=True)
    r = world.sync_ok()
    assert len(world.live_events("ann")) == 5
    assert len(world.appts("ann")) == 5
    assert all(a.google_event_id == event_id_for(a.id) and not a.dirty for a in world.appts("ann"))
    assert world.prefs("ann").populate_google is False


def test_retried_insert_conflict_links_instead_of_duplicating(world: SyncWorld) -> None:
    """The insert reached Google but its answer was lost: the retry gets 409 and the pair is linked."""
    world.add_user("ann")
    a = world.add_appt("ann", "Session", soon(2))
    # What the first (lost) insert left on Google:
    world.emu.add_event(
        world.emails["ann"],
        world.calendar("ann"),
        {
            "id": event_id_for(a.id),
            "summary": "Session",
            "start": {"dateTime": soon(2).isoformat()},
            "end": {"dateTime": (soon(2) + timedelta(hours=1)).isoformat()},
        },
    )
    r = world.sync_ok()
    assert r.users[0].status == "ok"
    assert list(world.live_events("ann")) == [event_id_for(a.id)]
    assert len(world.appts("ann")) == 1
    assert world.studio.appointments.get(a.id).google_event_id == event_id_for(a.id)


def test_dropped_connection_mid_batch_never_duplicates(world: SyncWorld) -> None:
    """The batch dies after Google ran part of it: the re-sent inserts answer 409 and are linked."""
    world.add_user("ann")
    first = [world.add_appt("ann", f"S{i}", soon(1 + i, hour=9)) for i in range(10)]
    world.sync_ok()
    new = [world.add_appt("ann", f"N{i}", soon(1 + i, hour=14)) for i in range(20)]
    # an edited appointment with at least 5 new ones before it in the batch order (ops go by id): those
    # run, then the connection drops at the victim's call without any answer
    victim = next(f for f in sorted(first, key=lambda a: a.id) if sum(n.id < f.id for n in new) >= 5)
    world.studio.appointments.edit(victim.id, title="edited")
    world.emu.inject_fault("drop", 1, in_batch=True, path=f"/events/{event_id_for(victim.id)}")
    world.emu.reset_counts()
    r = world.sync_ok("ann")
    assert not world.emu.faults()  # the drop happened
    assert r.users[0].requests["batch"] >= 2  # the chunk was re-sent
    live = world.live_events("ann")
    assert len(live) == 30 and len(world.appts("ann")) == 30
    assert live[event_id_for(victim.id)]["summary"] == "edited"
    assert r.users[0].counts["pushed_created"] == 20 and r.users[0].counts["pushed_updated"] == 1
    assert not world.studio.appointments.pending_ids("ann")


def test_times_all_day_and_status(home, emu) -> None:
    world = SyncWorld.create(home, emu, timezone="Europe/London")
    world.add_user("ann")
    tz = ZoneInfo("Europe/London")
    timed = world.add_appt("ann", "Timed", soon(5, tz=tz), status="tentative")
    day = date.today() + timedelta(days=7)
    allday = world.add_appt("ann", "Holiday", day, day + timedelta(days=2))
    world.sync_ok()
    live = world.live_events("ann")
    ev = live[event_id_for(timed.id)]
    assert ev["start"]["timeZone"] == "Europe/London"
    assert datetime.fromisoformat(ev["start"]["dateTime"]) == timed.start
    assert ev["status"] == "tentative"
    ev = live[event_id_for(allday.id)]
    assert ev["start"] == {"date": day.isoformat()}
    assert ev["end"] == {"date": (day + timedelta(days=2)).isoformat()}  # exclusive end, like ours
    # switching timed <-> all-day
    world.studio.appointments.edit(timed.id, start=day, end=day + timedelta(days=1))
    world.sync_ok()
    ev = world.live_events("ann")[event_id_for(timed.id)]
    assert ev["start"] == {"date": day.isoformat()} and "dateTime" not in ev["start"]
