"""The sync finds studio changes in the user's small pending file: a run reads that file and the buckets of
the changed appointments, never the whole book; stale entries a crash may leave are dropped."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from studiosync.core.store import layout
from studiosync.core.store.files import StoreFile
from studiosync.core.studio.appointments import book_transaction
from studiosync.core.studio.studio import Studio
from studiosync.core.sync.processor import run_sync

from .helpers import SyncWorld, soon


def _loaded(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    original = StoreFile._load

    def load(self: StoreFile, generation: int) -> None:
        seen.append(self.path.as_posix().split("/store/", 1)[1][: -len(".json")])
        original(self, generation)

    monkeypatch.setattr(StoreFile, "_load", load)
    return seen


def test_a_fresh_process_reads_only_the_buckets_of_the_changes(
    world: SyncWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.add_user("ann")
    base = soon(1)
    appts = world.studio.appointments.add_many(
        "ann",
        [
            {"title": f"S{i}", "start": base + timedelta(hours=i), "end": base + timedelta(hours=i + 1)}
            for i in range(300)
        ],
    )
    world.sync_ok()
    world.sync_ok()  # settle the echo
    assert world.studio.appointments.pending_ids("ann") == []
    books = {n for n in layout.all_appointment_files("ann") if world.studio.store.exists(n)}
    assert len(books) > 100  # the book is spread over many buckets

    # no change: a cron-started `studiosync sync` reads no bucket at all
    loaded = _loaded(monkeypatch)
    result = run_sync(Studio.open(world.home), options=world.options)
    assert result.users[0].status == "ok" and not result.users[0].changed
    assert not [n for n in loaded if n.startswith("appts/")]
    assert layout.pending_file("ann") in loaded

    # three changes: it reads their buckets, and no other
    changed = appts[10:13]
    for appt in changed:
        world.studio.appointments.edit(appt.id, title=f"{appt.title} (changed)")
    loaded.clear()
    result = run_sync(Studio.open(world.home), options=world.options)
    assert result.users[0].pushed == 3
    assert {n for n in loaded if n.startswith("appts/")} == {
        layout.appointment_file_for("ann", a.id) for a in changed
    }
    assert world.studio.appointments.pending_ids("ann") == []
    assert {e["summary"] for e in world.live_events("ann").values()} >= {
        f"{a.title} (changed)" for a in changed
    }


def test_stale_pending_entries_are_dropped_by_the_next_run(world: SyncWorld) -> None:
    world.add_user("ann")
    kept = world.add_appt("ann", "kept", soon(1))
    world.sync_ok()
    # What a crash between the two files can leave: entries for an appointment that was deleted, and for
    # one whose synced version was written but whose entry was not yet forgotten.
    ghost = layout.new_appointment_id("ann")
    with book_transaction(world.studio.store, "ann", []) as book:
        book.mark({ghost: 3, kept.id: world.studio.appointments.get(kept.id).revision})
    assert set(world.studio.appointments.pending_ids("ann")) == {ghost, kept.id}
    time.sleep(0.01)
    result = world.sync_ok()
    assert result.users[0].pushed == 0
    assert world.studio.appointments.pending_ids("ann") == []
    assert len(world.live_events("ann")) == 1
