"""Google -> studio (two-way): new, modified and deleted events become appointments; tentative, declined,
recurring, populate, time zones."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from studiosync.core.store import layout

from .helpers import SyncWorld, fast_options, soon


def by_title(world: SyncWorld, login: str) -> dict[str, object]:
    return {a.title: a for a in world.appts(login)}


def test_two_way_off_keeps_google_events_on_google(world: SyncWorld) -> None:
    world.add_user("ann", two_way=False)
    world.add_event("ann", "Dentist", soon(1))
    r = world.sync_ok()
    assert world.appts("ann") == [] and r.users[0].counts["pulled_created"] == 0
    # a studio appointment still goes over
    world.add_appt("ann", "Shoot", soon(2))
    world.sync_ok()
    assert {e["summary"] for e in world.live_events("ann").values()} == {"Dentist", "Shoot"}
    assert [a.title for a in world.appts("ann")] == ["Shoot"]


def test_google_changes_made_while_two_way_was_off_arrive_when_it_is_turned_on(world: SyncWorld) -> None:
    world.add_user("ann", two_way=False)
    keep = world.add_appt("ann", "Shoot", soon(2))
    gone = world.add_appt("ann", "Headshots", soon(3))
    world.sync_ok()  # both pushed (one-way)
    events = {e["summary"]: e for e in world.live_events("ann").values()}
    world.update_event("ann", events["Shoot"]["id"], summary="Shoot (moved on phone)")
    world.delete_event("ann", events["Headshots"]["id"])
    world.add_event("ann", "Booked on phone", soon(4))
    world.sync_ok()  # one-way: none of it reaches the studio
    assert sorted(a.title for a in world.appts("ann")) == ["Headshots", "Shoot"]

    world.set_prefs("ann", two_way=True)
    r = world.sync_ok()
    assert sorted(a.title for a in world.appts("ann")) == ["Booked on phone", "Shoot (moved on phone)"]
    assert world.studio.appointments.get(keep.id).title == "Shoot (moved on phone)"
    assert world.studio.appointments.find(gone.id) is None or world.studio.appointments.get(gone.id).deleted
    assert r.users[0].counts["pulled_created"] == 1
    assert len(world.live_events("ann")) == 2  # nothing duplicated on Google
    r = world.sync_ok()
    assert not r.users[0].changed  # and the run after is quiet again


def test_new_modified_deleted_events_become_appointments(world: SyncWorld) -> None:
    world.add_user("ann")
    world.sync_ok()
    ev = world.add_event("ann", "Wedding", soon(3), description="church")
    r = world.sync_ok()
    assert r.users[0].counts["pulled_created"] == 1
    (appt,) = world.appts("ann")
    assert appt.origin == "google" and appt.title == "Wedding" and appt.notes == "church"
    assert appt.id == layout.derived_appointment_id("ann", ev["id"])
    assert appt.start == soon(3) and not appt.dirty
    assert not world.studio.appointments.pending_ids("ann")

    world.update_event(
        "ann",
        ev["id"],
        summary="Wedding (moved)",
        start={"dateTime": soon(4).isoformat()},
        end={"dateTime": (soon(4) + timedelta(hours=2)).isoformat()},
    )
    r = world.sync_ok()
    assert r.users[0].counts["pulled_updated"] == 1
    (appt,) = world.appts("ann")
    assert appt.title == "Wedding (moved)" and appt.end - appt.start == timedelta(hours=2)

    world.delete_event("ann", ev["id"])
    r = world.sync_ok()
    assert r.users[0].counts["pulled_deleted"] == 1
    assert world.appts("ann", deleted=True) == []
    # nothing echoes back: the next run sends and receives nothing
    r = world.sync_ok()
    assert not r.users[0].changed


def test_events_from_before_enabling_stay_unless_populate_studio(world: SyncWorld) -> None:
    email = "ann@example.com"
    world.emu.add_account(email)
    world.emu.add_event(
        email,
        "primary",
        {
            "summary": "Old",
            "start": {"dateTime": soon(1).isoformat()},
            "end": {"dateTime": (soon(1) + timedelta(hours=1)).isoformat()},
        },
    )
    world.add_user("ann")
    world.add_event("ann", "New", soon(2))
    world.sync_ok()
    assert set(by_title(world, "ann")) == {"New"}
    world.set_prefs("ann", populate_studio=True)
    r = world.sync_ok()
    assert set(by_title(world, "ann")) == {"New", "Old"}
    assert r.users[0].counts["pulled_created"] == 1
    assert world.prefs("ann").populate_studio is False
    # populate again: still one of each
    world.set_prefs("ann", populate_studio=True)
    world.sync_ok()
    assert sorted(a.title for a in world.appts("ann")) == ["New", "Old"]


def test_tentative_and_declined(world: SyncWorld) -> None:
    world.add_user("ann")
    me = world.emails["ann"]
    world.add_event("ann", "Maybe", soon(1), status="tentative")
    world.add_event(
        "ann",
        "Invite",
        soon(2),
        attendees=[{"email": me, "responseStatus": "needsAction"}, {"email": "x@example.com"}],
    )
    declined = world.add_event("ann", "No", soon(3), attendees=[{"email": me, "responseStatus": "declined"}])
    accepted = world.add_event("ann", "Yes", soon(4), attendees=[{"email": me, "responseStatus": "accepted"}])
    world.sync_ok()
    assert set(by_title(world, "ann")) == {"Yes"}
    world.set_prefs("ann", tentative=True, populate_studio=True)
    world.sync_ok()
    got = by_title(world, "ann")
    assert set(got) == {"Yes", "Maybe", "Invite"}
    assert got["Maybe"].status == "tentative" and got["Invite"].status == "tentative"
    assert got["Yes"].status == "confirmed"
    # declining an invitation that came over removes it; a declined one never comes
    world.update_event("ann", accepted["id"], attendees=[{"email": me, "responseStatus": "declined"}])
    world.update_event("ann", declined["id"], summary="Still no")
    world.sync_ok()
    assert set(by_title(world, "ann")) == {"Maybe", "Invite"}


def test_recurring_instances_within_horizon_moved_and_cancelled(home, emu) -> None:
    world = SyncWorld.create(home, emu, timezone="America/New_York")
    world.options = fast_options(horizon_days=200)  # crosses at least one DST change
    world.add_user("ann")
    tz = ZoneInfo("America/New_York")
    first = soon(1, hour=10, tz=tz)
    master = world.emu.add_event(
        world.emails["ann"],
        "primary",
        {
            "summary": "Weekly class",
            "start": {"dateTime": first.isoformat(), "timeZone": "America/New_York"},
            "end": {"dateTime": (first + timedelta(hours=1)).isoformat(), "timeZone": "America/New_York"},
            "recurrence": ["RRULE:FREQ=WEEKLY"],
        },
    )
    world.sync_ok()
    appts = world.appts("ann")
    horizon_end = datetime.now(tz) + timedelta(days=200)
    expected = [first + timedelta(weeks=w) for w in range(40) if first + timedelta(weeks=w) < horizon_end]
    assert len(appts) == len(expected)
    # the wall clock stays 10:00 in the studio zone on both sides of the DST changes
    assert {a.start.astimezone(tz).hour for a in appts} == {10}
    assert len({a.start.utcoffset() for a in appts}) == 2
    assert all(a.origin == "google" for a in appts)
    n = len(appts)
    instances = world.events("ann", single=True, time_max=horizon_end.isoformat())
    second, third = instances[1]["id"], instances[2]["id"]
    moved_to = first + timedelta(days=8, hours=3)
    world.update_event(
        "ann",
        second,
        start={"dateTime": moved_to.isoformat()},
        end={"dateTime": (moved_to + timedelta(hours=1)).isoformat()},
    )
    world.delete_event("ann", third)
    world.sync_ok()
    appts = world.appts("ann")
    assert len(appts) == n - 1
    assert moved_to in {a.start for a in appts}
    assert layout.derived_appointment_id("ann", third) not in {a.id for a in appts}
    # the series changes: every instance follows (re-expansion), no duplicates
    world.update_event("ann", master["id"], summary="Weekly class (new room)")
    world.sync_ok()
    titles = [a.title for a in world.appts("ann")]
    # every instance follows, except the moved one: it is an exception with its own fields
    assert len(titles) == n - 1 and titles.count("Weekly class (new room)") == n - 2
    # the series is deleted: its instances go
    world.delete_event("ann", master["id"])
    world.sync_ok()
    assert world.appts("ann") == []


def test_recurring_horizon_rolls_forward(world: SyncWorld) -> None:
    world.options = fast_options(horizon_days=30)
    world.add_user("ann")
    world.emu.add_event(
        world.emails["ann"],
        "primary",
        {
            "summary": "Daily",
            "start": {"dateTime": soon(1).isoformat()},
            "end": {"dateTime": (soon(1) + timedelta(minutes=30)).isoformat()},
            "recurrence": ["RRULE:FREQ=DAILY"],
        },
    )
    world.sync_ok()
    n = len(world.appts("ann"))
    assert 29 <= n <= 31
    world.options = fast_options(horizon_days=40)  # as if ten days passed
    r = world.sync_ok()
    assert len(world.appts("ann")) == n + 10
    assert r.users[0].requests["batch"] == 1  # one batched events.instances call


def test_all_day_events_stay_on_their_day_and_times_keep_the_instant(home, emu) -> None:
    world = SyncWorld.create(home, emu, timezone="Europe/Berlin")
    world.add_user("ann", google_tz="Pacific/Auckland")
    day = date.today() + timedelta(days=10)
    world.add_event("ann", "Holiday", day, day + timedelta(days=1))
    auck = ZoneInfo("Pacific/Auckland")
    start = datetime.combine(day, datetime.min.time(), auck).replace(hour=9)
    world.emu.add_event(
        world.emails["ann"],
        "primary",
        {
            "summary": "Call",
            "start": {"dateTime": start.isoformat(), "timeZone": "Pacific/Auckland"},
            "end": {"dateTime": (start + timedelta(hours=1)).isoformat(), "timeZone": "Pacific/Auckland"},
        },
    )
    r = world.sync_ok()
    got = by_title(world, "ann")
    assert (
        got["Holiday"].all_day
        and got["Holiday"].start == day
        and got["Holiday"].end == day + timedelta(days=1)
    )
    call = got["Call"]
    # same instant, shown in the studio zone
    assert (
        call.start == start
        and call.start.utcoffset() == start.astimezone(ZoneInfo("Europe/Berlin")).utcoffset()
    )
    # the calendar's zone differs from the studio's: the run says so
    assert r.users[0].status == "warning"
    assert any("time zone" in w for w in r.users[0].warnings)
