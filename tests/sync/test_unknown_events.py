"""Our events the studio has no record of (a restored backup, another data folder on the same calendar)
are never deleted; an insert whose link a crash lost is deleted with its tombstone, not resurrected."""

from __future__ import annotations

import shutil

import pytest
from studiosync.core.sync import mapping

from .helpers import SyncWorld, soon


def _unrecorded_insert(world: SyncWorld, login: str, appt) -> dict:  # noqa: ANN001 - Appointment
    """The event an insert created on Google before a crash lost its link (exactly what a push sends)."""
    body = mapping.event_body(appt, world.studio.prefs.timezone, event_id=mapping.event_id_for(appt.id))
    return world.emu.add_event(world.emails[login], world.calendar(login), body)


@pytest.mark.parametrize("two_way", [True, False])
def test_deleting_an_appointment_whose_link_a_crash_lost_deletes_its_event(
    world: SyncWorld, two_way: bool
) -> None:
    world.add_user("ann", two_way=two_way)
    world.sync_ok()
    listed = world.add_appt("ann", "Listed next run", soon(2))
    gone_before = world.add_appt("ann", "Listed before", soon(3))
    _unrecorded_insert(world, "ann", gone_before)
    world.sync_ok()  # links "Listed before" from the listing; pushes "Listed next run"
    unseen = world.add_appt("ann", "Never listed", soon(4))
    _unrecorded_insert(world, "ann", unseen)
    world.sync_ok()  # the listing shows it: linked
    # Now the cases without a link: an insert that reached Google, then the studio deleted it.
    lost = world.add_appt("ann", "Lost link", soon(5))
    _unrecorded_insert(world, "ann", lost)
    world.studio.appointments.delete(lost.id)
    r = world.sync_ok()
    assert lost.id not in {a.id for a in world.appts("ann", deleted=True)}  # tombstone purged
    live = {e["summary"] for e in world.live_events("ann").values()}
    assert live == {"Listed next run", "Listed before", "Never listed"}
    assert r.users[0].counts["pulled_updated"] == 0  # not "restored from Google"
    assert listed.id in {a.id for a in world.appts("ann")}


def test_after_restoring_a_backup_two_way_brings_the_newer_bookings_back(world: SyncWorld) -> None:
    world.add_user("ann")
    world.add_appt("ann", "Before the backup", soon(2))
    world.sync_ok()
    store = world.studio.datadir.store
    backup = store.with_name("store-backup")
    shutil.copytree(store, backup)
    newer = world.add_appt("ann", "Booked after the backup", soon(3))
    world.sync_ok()
    shutil.rmtree(store)
    shutil.copytree(backup, store)  # the IT person restores last night's backup

    r = world.sync()
    user = r.users[0]
    assert user.status == "warning" and any("restored from their Google events" in w for w in user.warnings)
    (restored,) = [a for a in world.appts("ann") if a.title == "Booked after the backup"]
    assert restored.id == newer.id and restored.google_event_id == mapping.event_id_for(newer.id)
    assert len(world.live_events("ann")) == 2  # nothing deleted, nothing duplicated
    assert not world.sync_ok().users[0].changed


def test_after_restoring_a_backup_one_way_leaves_them_on_google_and_fails(world: SyncWorld) -> None:
    world.add_user("ann", two_way=False)
    world.sync_ok()
    store = world.studio.datadir.store
    backup = store.with_name("store-backup")
    shutil.copytree(store, backup)
    world.add_appt("ann", "Booked after the backup", soon(3))
    world.sync_ok()
    shutil.rmtree(store)
    shutil.copytree(backup, store)

    r = world.sync()
    user = r.users[0]
    # Possibly the only copy of a booking: a person decides, so the run fails (exit 1) with cause and fix.
    assert user.status == "error" and user.cause == "unknown_events" and "left on Google untouched" in user.error
    assert "--two-way" in (user.fix or "")
    assert [e["summary"] for e in world.live_events("ann").values()] == ["Booked after the backup"]
    assert world.appts("ann") == []
