"""The status of each linked pair: conflicts, deletions, modified-beats-deleted, echoes, transient errors,
mass-deletion guard, expired sync tokens, lost links."""

from __future__ import annotations

import json
import os
import time
from datetime import timedelta

from studiosync.core import logs
from studiosync.core.store import layout
from studiosync.core.sync.mapping import event_id_for
from studiosync.core.sync.state import SyncState

from .helpers import SyncWorld, soon


def linked_world(world: SyncWorld, n: int = 1) -> list:
    world.add_user("ann")
    appts = [world.add_appt("ann", f"Session {i}", soon(i + 1)) for i in range(n)]
    world.sync_ok()
    return appts


def test_changed_on_both_sides_later_change_wins(world: SyncWorld, tmp_path) -> None:
    logs.configure(tmp_path / "logs", process="test")
    try:
        a, b = linked_world(world, 2)
        # a: studio first, then Google -> Google wins;  b: Google first, then studio -> studio wins
        world.studio.appointments.edit(a.id, title="A studio")
        time.sleep(0.01)
        world.update_event("ann", event_id_for(a.id), summary="A google")
        world.update_event("ann", event_id_for(b.id), summary="B google")
        time.sleep(0.01)
        world.studio.appointments.edit(b.id, title="B studio")
        r = world.sync_ok()
        u = r.users[0]
        assert u.counts["conflicts"] == 2
        winners = {c["appointment_id"]: c["winner"] for c in u.conflicts}
        assert winners == {a.id: "google", b.id: "studio"}
        both = next(c for c in u.conflicts if c["appointment_id"] == a.id)
        assert both["studio"]["title"] == "A studio" and both["google"]["title"] == "A google"
        assert world.studio.appointments.get(a.id).title == "A google"
        assert world.studio.appointments.get(b.id).title == "B studio"
        live = world.live_events("ann")
        assert live[event_id_for(a.id)]["summary"] == "A google"
        assert live[event_id_for(b.id)]["summary"] == "B studio"
        # recorded in the run record and in the log, with both versions
        record = SyncState.load(world.studio.store, "ann").runs[-1]
        assert record["counts"]["conflicts"] == 2 and len(record["conflicts"]) == 2
        lines = [json.loads(x) for x in (tmp_path / "logs" / "studiosync.log").read_text().splitlines()]
        conflict_lines = [x for x in lines if "conflict" in x]
        assert len(conflict_lines) == 2 and all(
            x["run_id"] == r.run_id and x["user"] == "ann" for x in conflict_lines
        )
        # settled: the next run changes nothing
        assert not world.sync_ok().users[0].changed
    finally:
        logs.shutdown()


def test_deleted_on_one_side_unchanged_on_the_other(world: SyncWorld) -> None:
    a, b = linked_world(world, 2)
    world.delete_event("ann", event_id_for(a.id))
    world.studio.appointments.delete(b.id)
    r = world.sync_ok()
    assert r.users[0].counts["pulled_deleted"] == 1 and r.users[0].counts["pushed_deleted"] == 1
    assert world.appts("ann", deleted=True) == []
    assert world.live_events("ann") == {}


def test_modified_beats_deleted(world: SyncWorld) -> None:
    a, b = linked_world(world, 2)
    # a: deleted on Google, modified in the studio -> restored on Google (cancelled -> confirmed)
    world.delete_event("ann", event_id_for(a.id))
    world.studio.appointments.edit(a.id, title="Still on")
    # b: deleted in the studio, modified on Google -> back in the studio
    world.studio.appointments.delete(b.id)
    world.update_event("ann", event_id_for(b.id), summary="Moved on Google")
    world.sync_ok()
    live = world.live_events("ann")
    assert (
        live[event_id_for(a.id)]["summary"] == "Still on"
        and live[event_id_for(a.id)]["status"] == "confirmed"
    )
    restored = world.studio.appointments.get(b.id)
    assert restored.title == "Moved on Google" and not restored.deleted
    assert not world.sync_ok().users[0].changed


def test_echoes_are_not_reapplied_and_nothing_is_rewritten(world: SyncWorld) -> None:
    linked_world(world, 3)
    world.add_event("ann", "From Google", soon(5))
    world.sync_ok()
    world.sync_ok()  # settles the echo of the previous run's pushes
    files = [world.studio.store.root / f"{n}.json" for n in layout.all_appointment_files("ann")]
    before = {p: p.stat().st_mtime_ns for p in files if p.exists()}
    state_file = world.studio.store.root / f"{layout.sync_state_file('ann')}.json"
    token_before = SyncState.load(world.studio.store, "ann").sync_token
    world.emu.reset_counts()
    r = world.sync_ok()
    assert not r.users[0].changed
    assert world.counts("ann")["calendar"] == 1 and world.counts("ann")["batch"] == 0
    assert {p: p.stat().st_mtime_ns for p in files if p.exists()} == before
    assert SyncState.load(world.studio.store, "ann").sync_token == token_before
    assert state_file.exists()


def test_transient_errors_are_never_deletions(world: SyncWorld) -> None:
    (a,) = linked_world(world, 1)
    world.emu.inject_fault("503", 20)  # every retry fails
    r = world.sync()
    u = r.users[0]
    assert u.status == "error" and u.cause == "google_outage"
    world.emu.clear_faults()
    assert world.studio.appointments.get(a.id) is not None
    world.sync_ok()
    assert world.studio.appointments.get(a.id) is not None
    assert event_id_for(a.id) in world.live_events("ann")


def test_rate_limits_are_retried(world: SyncWorld) -> None:
    world.add_user("ann")
    appts = [world.add_appt("ann", f"S{i}", soon(i + 1)) for i in range(5)]
    world.emu.inject_fault("429", 2, retry_after=0)  # the listing
    world.emu.inject_fault("403_user_rate", 3, in_batch=True)  # some inserts
    world.sync_ok()
    assert {event_id_for(a.id) for a in appts} == set(world.live_events("ann"))


def test_empty_full_listing_deletes_nothing(world: SyncWorld) -> None:
    appts = linked_world(world, 8)
    # Google suddenly answers an empty calendar for the same calendar id (a full listing is forced by an
    # expired token): as if the wrong account or a broken proxy answered.
    other = world.emu.add_calendar(world.emails["ann"], "Empty")
    world.set_prefs("ann", calendar_id=other)
    state = SyncState.load(world.studio.store, "ann")
    state.calendar = {"calendar_id": other}
    state.save(world.studio.store)
    r = world.sync()
    u = r.users[0]
    # Held by the mass-deletion guard whatever their number (8 is under its count limit): a person decides.
    assert u.status == "error" and u.cause == "deletions_held" and "nothing was deleted" in (u.error or "")
    assert u.held is not None and u.held["side"] == "google" and u.held["deletions"] == 8
    assert len(world.appts("ann")) == 8
    assert all(world.studio.appointments.get(a.id).google_event_id for a in appts)


def test_expired_sync_token_full_listing_reconciles_without_wipe_or_duplicates(world: SyncWorld) -> None:
    a, b, c = linked_world(world, 3)
    g = world.add_event("ann", "Google one", soon(6))
    world.sync_ok()
    world.emu.invalidate_sync_tokens(world.emails["ann"])
    world.delete_event("ann", event_id_for(a.id))  # deleted while the token was invalid
    world.update_event("ann", g["id"], summary="Google one, changed")
    world.add_event("ann", "Google two", soon(7))
    r = world.sync_ok()
    titles = sorted(x.title for x in world.appts("ann"))
    assert titles == ["Google one, changed", "Google two", "Session 1", "Session 2"]
    assert r.users[0].counts["pulled_deleted"] == 1
    assert len(world.live_events("ann")) == 4
    assert not world.sync_ok().users[0].changed


def test_lost_links_and_reauthentication_never_duplicate(world: SyncWorld) -> None:
    appts = linked_world(world, 3)
    world.add_event("ann", "Google one", soon(6))
    world.sync_ok()
    # the status records are lost (restored backup): appointments without links, sync state gone
    lost = world.appts("ann")
    for x in lost:
        x.google_event_id = x.google_etag = None
        x.synced_revision = 0
    world.studio.appointments.save_many("ann", lost, mark_pending=True)
    world.studio.reset_sync_state("ann")
    world.sync_ok()
    assert len(world.appts("ann")) == 4 and len(world.live_events("ann")) == 4
    # Remove My Google Account, then authenticate again and pick the same calendar
    world.studio.google.remove("ann")
    world.authenticate("ann", world.emails["ann"])
    world.set_prefs(
        "ann",
        calendar_id=world.emails["ann"],
        account_email=world.emails["ann"],
        populate_google=True,
        populate_studio=True,
    )
    world.sync_ok()
    world.sync_ok()
    assert len(world.appts("ann")) == 4 and len(world.live_events("ann")) == 4
    assert all(world.studio.appointments.get(a.id).google_event_id == event_id_for(a.id) for a in appts)


def test_calendar_switch_recreates_links_in_the_new_calendar(world: SyncWorld) -> None:
    appts = linked_world(world, 3)
    other = world.emu.add_calendar(world.emails["ann"], "Work")
    world.set_prefs("ann", calendar_id=other)
    world.sync_ok()
    assert len(world.appts("ann")) == 3
    new_cal = {e["id"] for e in world.emu.events(world.emails["ann"], other)}
    assert new_cal == {event_id_for(a.id) for a in appts}


def test_edit_during_sync_is_kept(world: SyncWorld) -> None:
    """A person edits an appointment while the run talks to Google: the edit is neither lost nor marked synced."""
    (a,) = linked_world(world, 1)
    world.studio.appointments.edit(a.id, title="v2")

    def edit_midway(event) -> None:
        pass

    # simulate the race at the commit: edit right after the run read the appointment
    from studiosync.core.sync import calendar_sync

    original = calendar_sync.CalendarSync.push

    def push_then_edit(self, ops):
        world.studio.appointments.edit(a.id, title="v3")
        return original(self, ops)

    calendar_sync.CalendarSync.push = push_then_edit
    try:
        world.sync_ok()
    finally:
        calendar_sync.CalendarSync.push = original
    stored = world.studio.appointments.get(a.id)
    assert stored.title == "v3" and stored.dirty
    assert a.id in world.studio.appointments.pending_ids("ann")
    world.sync_ok()
    assert world.live_events("ann")[event_id_for(a.id)]["summary"] == "v3"
    assert not world.studio.appointments.get(a.id).dirty


def test_one_change_rewrites_one_bucket_file(world: SyncWorld) -> None:
    appts = linked_world(world, 40)
    world.sync_ok()
    time.sleep(0.01)
    files = [world.studio.store.root / f"{n}.json" for n in layout.all_appointment_files("ann")]
    before = {p: p.stat().st_mtime_ns for p in files if p.exists()}
    world.studio.appointments.edit(appts[7].id, start=soon(30), end=soon(30) + timedelta(hours=2))
    world.sync_ok()
    changed = [p for p in before if p.stat().st_mtime_ns != before[p]]
    assert changed == [world.studio.store.root / f"{layout.appointment_file_for('ann', appts[7].id)}.json"]
    assert os.path.exists(changed[0])


def test_crash_before_the_token_is_saved_reruns_idempotently(world: SyncWorld, monkeypatch) -> None:
    """Statuses are saved before the token: a run that dies in between replays the same Google changes,
    which are then recognised (etag) and change nothing."""
    world.add_user("ann")
    world.sync_ok()
    for i in range(3):
        world.add_event("ann", f"G{i}", soon(i + 1))
    real_save = SyncState.save

    def dying_save(self, store):
        raise OSError("power cut")

    monkeypatch.setattr(SyncState, "save", dying_save)
    r = world.sync()
    assert r.users[0].status == "error"
    monkeypatch.setattr(SyncState, "save", real_save)
    assert len(world.appts("ann")) == 3  # the appointments were saved before the token
    r = world.sync_ok()
    assert len(world.appts("ann")) == 3
    assert r.users[0].counts["pulled_created"] == 0 and r.users[0].counts["pulled_updated"] == 0
