"""The mass-deletion guard (issue 11 point 1), both directions, through the real sync against the emulator:
too many deletions in one run delete nothing on either side, the user is held across runs while everything
else keeps syncing, and only a person's release (allow / restore) ends it."""

from __future__ import annotations

from studiosync.core.sync.mapping import event_id_for
from studiosync.core.sync.state import SyncState

from .helpers import SyncWorld, soon


def linked(world: SyncWorld, n: int, login: str = "ann") -> list:
    world.add_user(login)
    appts = [world.add_appt(login, f"Session {i}", soon(1 + i // 8, hour=8 + i % 8)) for i in range(n)]
    world.sync_ok()
    assert len(world.live_events(login)) == n
    return appts


def delete_on_google(world: SyncWorld, appts: list, login: str = "ann") -> None:
    for a in appts:
        world.delete_event(login, event_id_for(a.id))


def held_items(world: SyncWorld, side: str, login: str = "ann") -> dict:
    return (SyncState.load(world.studio.store, login).held.get(side) or {}).get("items") or {}


def test_google_mass_delete_from_tombstones_is_held_and_everything_else_syncs(world: SyncWorld) -> None:
    appts = linked(world, 40)
    delete_on_google(world, appts)
    # Other changes of the same run, on both sides, still go through.
    new_on_google = world.add_event("ann", "Booked on the phone", soon(9))
    edited = world.add_appt("ann", "New in the studio", soon(10))
    r = world.sync()
    u = r.users[0]
    assert u.status == "error" and u.cause == "deletions_held"
    assert u.error == "Google reports 40 of 40 events deleted; nothing was deleted in the studio"
    assert "--allow-deletions" in (u.fix or "") and "--restore-deleted" in (u.fix or "")
    assert u.held is not None
    assert (u.held["side"], u.held["deletions"], u.held["linked"]) == ("google", 40, 40) and u.held["since"]
    assert u.counts["pulled_deleted"] == 0 and u.counts["pulled_created"] == 1
    assert u.counts["pushed_created"] == 1
    titles = {a.title for a in world.appts("ann")}
    assert {a.title for a in appts} <= titles and {"Booked on the phone", "New in the studio"} <= titles
    assert set(world.live_events("ann")) == {new_on_google["id"], event_id_for(edited.id)}
    assert set(held_items(world, "google")) == {a.id for a in appts}


def test_held_deletions_survive_the_sync_token_and_later_runs(world: SyncWorld) -> None:
    appts = linked(world, 40)
    delete_on_google(world, appts[:39])  # 39 of 40: over the share and the count
    token = SyncState.load(world.studio.store, "ann").sync_token
    u = world.sync().users[0]
    assert u.cause == "deletions_held" and u.held and u.held["deletions"] == 39
    assert SyncState.load(world.studio.store, "ann").sync_token != token  # the listing is behind us
    for _ in range(2):  # next runs: the token no longer brings the tombstones, the record does
        u = world.sync().users[0]
        assert u.cause == "deletions_held" and u.held and u.held["deletions"] == 39
        assert u.counts["pulled_deleted"] == 0
        assert len(world.appts("ann")) == 40
    # One of them is changed in the studio meanwhile: modified beats deleted, it leaves the hold and its
    # event comes back on Google; one more deletion on Google joins the hold (decided together).
    world.studio.appointments.edit(appts[0].id, title="Kept after all")
    world.delete_event("ann", event_id_for(appts[39].id))
    u = world.sync().users[0]
    assert u.cause == "deletions_held" and u.held and u.held["deletions"] == 39
    assert appts[0].id not in held_items(world, "google") and appts[39].id in held_items(world, "google")
    assert world.live_events("ann")[event_id_for(appts[0].id)]["summary"] == "Kept after all"
    # Released: the held deletions are applied, nothing else is touched, and the user is clean again.
    r = world.sync("ann", release="allow")
    u = r.users[0]
    assert u.status == "ok" and u.held is None and u.counts["pulled_deleted"] == 39
    assert [a.title for a in world.appts("ann")] == ["Kept after all"]
    assert held_items(world, "google") == {}
    assert world.sync_ok().users[0].status == "ok"


def test_google_mass_delete_after_an_expired_token_410_full_listing(world: SyncWorld) -> None:
    appts = linked(world, 20)
    world.emu.invalidate_sync_tokens(world.emails["ann"])
    delete_on_google(world, appts[:15])  # 15 of 20 (75%)
    world.emu.reset_counts()
    u = world.sync().users[0]
    assert u.cause == "deletions_held" and u.held and (u.held["deletions"], u.held["linked"]) == (15, 20)
    assert len(world.appts("ann")) == 20
    # Undo: the events are re-created on Google from the studio book.
    u = world.sync("ann", release="restore").users[0]
    assert u.status == "ok" and u.held is None
    assert set(world.live_events("ann")) == {event_id_for(a.id) for a in appts}
    assert len(world.appts("ann")) == 20
    assert world.sync_ok().users[0].changed is False


def test_deletions_under_the_threshold_go_through(world: SyncWorld) -> None:
    appts = linked(world, 48)
    delete_on_google(world, appts[:10])  # 10: not more than the count limit
    u = world.sync_ok().users[0]
    assert u.status == "ok" and u.counts["pulled_deleted"] == 10 and u.held is None
    delete_on_google(world, appts[10:22])  # 12 of 38 (32%): over both limits
    assert world.sync().users[0].cause == "deletions_held"
    world.sync("ann", release="allow")
    assert len(world.appts("ann")) == 26
    # Over the count but not over the share (11 of 26 is 42%; with the limit at 50% it passes).
    world.studio.prefs.set_deletion_limits(max_percent=50)
    delete_on_google(world, appts[22:33])
    u = world.sync_ok().users[0]
    assert u.counts["pulled_deleted"] == 11 and u.held is None


def test_a_deleted_recurring_series_counts_as_one_deletion(world: SyncWorld) -> None:
    world.add_user("ann")
    master = world.add_event("ann", "Daily class", soon(1), recurrence=["RRULE:FREQ=DAILY;COUNT=30"])
    world.sync_ok()
    assert len(world.appts("ann")) == 30
    world.delete_event("ann", master["id"])
    u = world.sync_ok().users[0]
    assert u.counts["pulled_deleted"] == 30 and u.held is None
    assert world.appts("ann") == []


def test_studio_mass_delete_is_held_then_released(world: SyncWorld) -> None:
    appts = linked(world, 30)
    for a in appts[:25]:
        world.studio.appointments.delete(a.id)
    u = world.sync().users[0]
    assert u.status == "error" and u.cause == "deletions_held"
    assert u.error == "The studio deleted 25 of 30 appointments; nothing was deleted on Google"
    assert u.held and u.held["side"] == "studio" and u.counts["pushed_deleted"] == 0
    assert len(world.live_events("ann")) == 30  # Google keeps them all
    assert len(world.appts("ann")) == 5  # the studio keeps its deletions (tombstones wait)
    u = world.sync().users[0]  # still held next run: the tombstones are still pending
    assert u.cause == "deletions_held" and len(world.live_events("ann")) == 30
    u = world.sync("ann", release="allow").users[0]
    assert u.status == "ok" and u.counts["pushed_deleted"] == 25
    assert set(world.live_events("ann")) == {event_id_for(a.id) for a in appts[25:]}
    assert not world.studio.appointments.pending_ids("ann")


def test_studio_mass_delete_restored_from_googles_copies(world: SyncWorld) -> None:
    appts = linked(world, 30)
    world.update_event("ann", event_id_for(appts[0].id), summary="Renamed on Google")
    for a in appts:
        world.studio.appointments.delete(a.id)
    # The renamed one changed on Google: it comes back at once (not a deletion); the other 29 are held.
    assert world.sync().users[0].held["deletions"] == 29
    world.emu.reset_counts()
    u = world.sync("ann", release="restore").users[0]
    assert u.status == "ok" and u.held is None and u.counts["pushed_deleted"] == 0
    assert len(world.appts("ann")) == 30 and len(world.live_events("ann")) == 30
    assert world.studio.appointments.get(appts[0].id).title == "Renamed on Google"
    assert not world.studio.appointments.pending_ids("ann")
    assert world.counts("ann")["batch"] >= 1  # Google's copies were read
    assert world.sync_ok().users[0].changed is False


def test_one_user_held_others_sync(world: SyncWorld) -> None:
    appts = linked(world, 12)
    world.add_user("bob")
    world.add_appt("bob", "Bob's session", soon(2))
    delete_on_google(world, appts)
    r = world.sync()
    assert r.user("ann").cause == "deletions_held" and r.user("bob").status == "ok"
    assert len(world.live_events("bob")) == 1


def test_events_made_on_google_are_restored_under_their_own_ids(world: SyncWorld) -> None:
    world.add_user("ann")
    made = [world.add_event("ann", f"Phone booking {i}", soon(3, hour=8 + i)) for i in range(12)]
    world.sync_ok()
    assert len(world.appts("ann")) == 12
    for ev in made:  # a phone reset wipes them
        world.delete_event("ann", ev["id"])
    assert world.sync().users[0].held["deletions"] == 12
    u = world.sync("ann", release="restore").users[0]
    assert u.status == "ok" and u.counts["pushed_updated"] == 12
    live = world.live_events("ann")
    assert set(live) == {ev["id"] for ev in made}  # the same events, back to life
    assert {e["summary"] for e in live.values()} == {f"Phone booking {i}" for i in range(12)}
    assert world.sync_ok().users[0].changed is False


def test_a_release_covers_only_what_was_held(world: SyncWorld) -> None:
    appts = linked(world, 40)
    delete_on_google(world, appts[:12])
    assert world.sync().users[0].held["deletions"] == 12
    # Before anyone looks, 12 more go on Google: they join the hold (decided together) ...
    delete_on_google(world, appts[12:24])
    assert world.sync().users[0].held["deletions"] == 24
    # ... but what goes after the last look is judged on its own in the release run.
    delete_on_google(world, appts[24:36])
    u = world.sync("ann", release="allow").users[0]
    assert u.counts["pulled_deleted"] == 24 and u.cause == "deletions_held"
    assert u.held and u.held["deletions"] == 12 and u.held["linked"] == 16
    assert len(world.appts("ann")) == 16


def test_an_empty_full_listing_is_named_as_such(world: SyncWorld) -> None:
    appts = linked(world, 7)
    world.emu.invalidate_sync_tokens(world.emails["ann"])
    delete_on_google(world, appts)
    u = world.sync().users[0]
    assert u.error == (
        "Google listed the calendar as empty: it reports 7 of 7 events deleted; nothing was deleted in the studio"
    )


def test_a_restore_that_cannot_reach_google_is_sent_again(world: SyncWorld) -> None:
    appts = linked(world, 12)
    delete_on_google(world, appts)
    assert world.sync().users[0].held["deletions"] == 12
    world.emu.inject_fault("503", 1000, in_batch=True)
    u = world.sync("ann", release="restore").users[0]
    assert u.status == "error" and "12 studio change(s) could not be sent" in (u.error or "")
    assert world.live_events("ann") == {} and len(world.appts("ann")) == 12  # nothing lost either way
    world.emu.clear_faults()
    u = world.sync_ok().users[0]  # no release needed again: the restores are pending studio changes
    assert u.status == "ok" and set(world.live_events("ann")) == {event_id_for(a.id) for a in appts}


def test_a_failed_restore_of_events_made_on_google_is_sent_again(world: SyncWorld) -> None:
    world.add_user("ann")
    made = [world.add_event("ann", f"Phone booking {i}", soon(3, hour=8 + i)) for i in range(11)]
    world.sync_ok()
    for ev in made:
        world.delete_event("ann", ev["id"])
    assert world.sync().users[0].cause == "deletions_held"
    world.emu.inject_fault("503", 1000, in_batch=True)
    assert world.sync("ann", release="restore").users[0].cause == "google_outage"
    world.emu.clear_faults()
    world.sync_ok()
    assert set(world.live_events("ann")) == {ev["id"] for ev in made}
    assert world.sync_ok().users[0].changed is False
