"""Pending ids: one small file per user, changed in the same transaction as the appointments, in the order
that never leaves an unsynced change without its pending entry, whatever write a crash interrupts."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from studiosync.core.store import layout
from studiosync.core.store.files import StoreFile
from studiosync.core.store.store import Store
from studiosync.core.studio.studio import Studio
from studiosync.core.sync.commit import Clear, Purge, Write, commit
from studiosync.core.sync.state import SyncState, run_history

T0 = datetime(2027, 5, 3, 9, 0, tzinfo=UTC)


def _add(studio: Studio, title: str, hours: int = 0):
    start = T0 + timedelta(hours=hours)
    return studio.appointments.add("ann", title=title, start=start, end=start + timedelta(hours=1))


def _synced(studio: Studio, appt, event_id: str | None = None):
    """What the sync writes after pushing `appt`: linked, synced_revision = revision, pending cleared."""
    done = replace(appt, synced_revision=appt.revision, google_event_id=event_id or f"ev{appt.id[-6:]}")
    commit(studio, "ann", [Write(done, appt.revision)])
    return studio.appointments.get(appt.id)


def _loaded(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Store files read from disk from now on."""
    seen: list[str] = []
    original = StoreFile._load

    def load(self: StoreFile, generation: int) -> None:
        seen.append(self.path.as_posix().split("/store/", 1)[1])
        original(self, generation)

    monkeypatch.setattr(StoreFile, "_load", load)
    return seen


def _writes(monkeypatch: pytest.MonkeyPatch, crash_at: int | None = None) -> list[str]:
    """Store files written from now on, in order; the `crash_at`-th write (from 1) raises instead."""
    written: list[str] = []
    original = StoreFile.commit

    def write(self: StoreFile) -> None:
        if self.dirty:
            if crash_at is not None and len(written) + 1 == crash_at:
                raise KeyboardInterrupt("killed")
            written.append(self.path.parent.name + "/" + self.path.name)
        original(self)

    monkeypatch.setattr(StoreFile, "commit", write)
    return written


def unsynced_without_pending(home: Path) -> list[str]:
    """The invariant, checked by a fresh Studio: every change the sync has not sent is pending."""
    studio = Studio.open(home)
    pending = set(studio.appointments.pending_ids("ann"))
    return [
        a.id
        for a in studio.appointments.list("ann", include_deleted=True)
        if (a.dirty or a.deleted) and a.id not in pending
    ]


def test_pending_ids_live_in_one_small_file(studio: Studio, home: Path, monkeypatch) -> None:
    studio.users.add("ann", "Ann")
    appts = [_add(studio, f"a{i}", i) for i in range(40)]
    for appt in appts[:30]:
        _synced(studio, appt)
    edited = studio.appointments.edit(appts[3].id, title="changed")
    deleted = studio.appointments.delete(appts[4].id)  # linked: a tombstone, pending until Google hears
    gone = studio.appointments.delete(appts[35].id)  # never synced: simply gone
    expected = {a.id for a in appts[30:]} - {gone.id} | {edited.id, deleted.id}
    assert set(studio.appointments.pending_ids("ann")) == expected

    pending_path = home / "store" / f"{layout.pending_file('ann')}.json"
    doc = json.loads(pending_path.read_bytes())
    assert doc == {
        "pending": {
            i: {"revision": studio.appointments.find(i, include_deleted=True).revision} for i in expected
        }
    }
    for path in (home / "store" / "appts").rglob("*.json"):
        assert set(json.loads(path.read_bytes())) <= {"appointments"}  # no pending table in a bucket

    # A fresh process finds them by reading that one file, whatever the size of the book.
    loaded = _loaded(monkeypatch)
    assert set(Studio.open(home).appointments.pending_ids("ann")) == expected
    assert [p for p in loaded if not p.endswith("studio.json")] == [f"pending/{layout.user_key('ann')}.json"]


def test_an_edit_writes_its_pending_entry_first_and_a_sync_forgets_it_last(
    studio: Studio, monkeypatch: pytest.MonkeyPatch
) -> None:
    studio.users.add("ann", "Ann")
    appt = _synced(studio, _add(studio, "x"))
    key = layout.user_key("ann")
    bucket = layout.appointment_file_for("ann", appt.id).split("/", 1)[1]
    with monkeypatch.context() as patch:
        order = _writes(patch)
        edited = studio.appointments.edit(appt.id, title="y")
    assert order == [f"pending/{key}.json", f"{bucket}.json"]
    with monkeypatch.context() as patch:
        order = _writes(patch)
        _synced(studio, edited)
    assert order == [f"{bucket}.json", f"pending/{key}.json"]


def _scenarios() -> dict[str, Callable[[Studio, list], None]]:
    def edit(studio: Studio, appts: list) -> None:
        studio.appointments.edit(appts[0].id, title="edited")

    def add(studio: Studio, appts: list) -> None:
        studio.appointments.add_many(
            "ann", [{"title": f"n{i}", "start": T0, "end": T0 + timedelta(hours=1)} for i in range(5)]
        )

    def delete_linked(studio: Studio, appts: list) -> None:
        studio.appointments.delete(appts[1].id)

    def delete_unlinked(studio: Studio, appts: list) -> None:
        studio.appointments.delete(appts[-1].id)

    def sync_pushed(studio: Studio, appts: list) -> None:
        dirty = [a for a in studio.appointments.list("ann") if a.dirty]
        commit(studio, "ann", [Write(replace(a, synced_revision=a.revision), a.revision) for a in dirty])

    def sync_mixed(studio: Studio, appts: list) -> None:
        # the sync read appts[1] synced; the studio edits it meanwhile: that one is merged and stays
        # pending, while the pushed ones are written synced and leave the pending file
        read = studio.appointments.get(appts[1].id)
        studio.appointments.edit(read.id, title="edited during the run")
        dirty = [a for a in studio.appointments.list("ann") if a.dirty and a.id != read.id]
        writes = [Write(replace(a, synced_revision=a.revision), a.revision) for a in dirty]
        writes.append(Write(replace(read, google_etag="new"), read.revision))
        commit(studio, "ann", writes)

    def sync_purged(studio: Studio, appts: list) -> None:
        gone = studio.appointments.delete(appts[2].id)
        stale = appts[3]  # synced; give it a stale pending entry for the Clear to drop
        studio.appointments.save_many("ann", [studio.appointments.get(stale.id)], mark_pending=True)
        commit(
            studio, "ann", purges=[Purge(gone.id, gone.revision)], clears=[Clear(stale.id, stale.revision)]
        )

    def save_clear(studio: Studio, appts: list) -> None:
        dirty = [replace(a, synced_revision=a.revision) for a in studio.appointments.list("ann") if a.dirty]
        studio.appointments.save_many("ann", dirty, clear_pending=True)

    found = (edit, add, delete_linked, delete_unlinked, sync_pushed, sync_mixed, sync_purged, save_clear)
    return {f.__name__: f for f in found}


@pytest.mark.parametrize("scenario", list(_scenarios()))
@pytest.mark.parametrize("crash_at", [1, 2, 3, 4])
def test_a_crash_at_any_write_never_leaves_a_change_without_its_pending_entry(
    home: Path, monkeypatch: pytest.MonkeyPatch, scenario: str, crash_at: int
) -> None:
    studio = Studio.open(home)
    studio.users.add("ann", "Ann")
    appts = [_add(studio, f"a{i}", i) for i in range(8)]
    for appt in appts[:4]:
        _synced(studio, appt)
    studio.appointments.edit(appts[0].id, title="pending edit")  # one unsynced change among synced ones
    assert unsynced_without_pending(home) == []
    with monkeypatch.context() as patch:
        _writes(patch, crash_at)
        with contextlib.suppress(KeyboardInterrupt):  # the simulated kill
            _scenarios()[scenario](Studio.open(home), appts)
    assert unsynced_without_pending(home) == []


def test_flush_chooses_which_file_a_crash_can_leave_written(tmp_path: Path, monkeypatch) -> None:
    from studiosync.core.paths import DataDir

    store = Store(DataDir(tmp_path / "d").ensure())
    with monkeypatch.context() as patch:
        order = _writes(patch)
        with store.transaction("a", "b") as tx:
            tx.table("b", "t").put("1", {"v": 1})
            tx.flush("b")
            tx.table("a", "t").put("1", {"v": 1})
            tx.table("b", "t").put("2", {"v": 2})  # after the flush: written again at the end
    assert order == ["store/b.json", "store/a.json", "store/b.json"]
    assert store.table_rows("b", "t") == {"1": {"v": 1}, "2": {"v": 2}}


# -- sync state reset --------------------------------------------------------------------------------------
def _state_with_history(studio: Studio) -> SyncState:
    state = SyncState.load(studio.store, "ann")
    state.calendar = {"calendar_id": "ann@example.com", "sync_token": "tok"}
    state.people = {"sync_token": "ptok"}
    state.populate = {"google_done": "yesterday"}
    state.series = {"m1": {"window_end": "x", "instances": {}}}
    state.add_run({"run_id": "r1", "status": "error", "counts": {}, "warnings": ["boom"]})
    state.add_run({"run_id": "r2", "status": "ok", "counts": {"pushed_created": 2}})
    state.save(studio.store)
    return state


def test_reset_sync_state_keeps_the_run_history(studio: Studio) -> None:
    studio.users.add("ann", "Ann")
    _state_with_history(studio)
    studio.reset_sync_state("ann")
    state = SyncState.load(studio.store, "ann")
    assert (state.calendar, state.people, state.populate, state.series) == ({}, {}, {}, {})
    assert [r["run_id"] for r in state.runs] == ["r1", "r2"]
    assert [r["run_id"] for r in run_history(Studio.open(studio.datadir.root).store, "ann")] == ["r1", "r2"]


def test_removing_a_user_forgets_everything(studio: Studio) -> None:
    studio.users.add("ann", "Ann")
    _add(studio, "x")
    _state_with_history(studio)
    studio.remove_user("ann")
    assert run_history(studio.store, "ann") == []
    assert studio.appointments.pending_ids("ann") == []
    studio.users.add("ann", "Ann again")
    assert studio.appointments.list("ann") == [] and SyncState.load(studio.store, "ann").runs == []
