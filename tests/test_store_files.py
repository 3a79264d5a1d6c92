"""The store's building blocks: atomic files, reload signatures, transactions, abort/poison, copies."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import pytest
from studiosync.core.errors import StoreError
from studiosync.core.paths import DataDir
from studiosync.core.store import files as files_mod
from studiosync.core.store.files import StoreFile
from studiosync.core.store.store import Store

from tests.helpers.files import bad_modes


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(DataDir(tmp_path / "data").ensure())


def put(store: Store, name: str, doc_id: str, doc: dict) -> None:
    with store.transaction(name) as tx:
        tx.table(name, "t").put(doc_id, doc)


def other_store(store: Store) -> Store:
    """A second Store on the same directory: stands in for another process (own cache, own flock)."""
    return Store(store.datadir)


# -- atomic, private writes ---------------------------------------------------------------------------
def test_commit_writes_json_atomically_with_private_modes(store: Store) -> None:
    old_umask = os.umask(0)  # the store must not rely on a friendly umask
    try:
        put(store, "appts/abc/01", "a", {"n": 1})
    finally:
        os.umask(old_umask)
    path = store.root / "appts" / "abc" / "01.json"
    assert json.loads(path.read_bytes()) == {"t": {"a": {"n": 1}}}
    assert bad_modes(store.datadir.root) == []  # appts/ too, not just the leaf directory
    leftovers = [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_a_stale_temp_file_from_a_killed_writer_is_reused_not_accumulated(store: Store) -> None:
    put(store, "s", "a", {"n": 1})
    stale = store.root / ".s.json.tmp"
    stale.write_bytes(b"half a docu")
    os.chmod(stale, 0o644)
    put(store, "s", "b", {"n": 2})
    assert not stale.exists()
    assert sorted(p.name for p in store.root.iterdir()) == ["s.json"]
    assert (store.root / "s.json").stat().st_mode & 0o777 == 0o600


def test_failed_write_leaves_the_old_file_and_no_dirty_cache(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    put(store, "s", "a", {"n": 1})
    before = (store.root / "s.json").read_bytes()

    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files_mod.os, "fsync", broken_fsync)
    with (
        pytest.raises(StoreError, match="cannot write store file .*s.json.*No space left"),
        store.transaction("s") as tx,
    ):
        tx.table("s", "t").put("b", {"n": 2})
    monkeypatch.undo()
    assert (store.root / "s.json").read_bytes() == before
    assert [p.name for p in store.root.iterdir()] == ["s.json"]  # temp file removed
    assert store.get("s", "t", "b") is None  # the in-memory change was dropped
    put(store, "s", "c", {"n": 3})
    assert set(store.table_rows("s", "t")) == {"a", "c"}  # and is not written by the next transaction


def test_commit_failure_in_a_multi_file_transaction_drops_the_unwritten_files(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bug fixed: the files after the failing one kept their changes in memory, and the next transaction on
    them wrote those changes although the transaction that made them had failed."""
    put(store, "a", "x", {"v": 0})
    put(store, "b", "x", {"v": 0})
    real_replace = os.replace

    def replace_fails_for_a(src, dst):
        if str(dst).endswith("/a.json"):
            raise OSError(5, "Input/output error")
        return real_replace(src, dst)

    monkeypatch.setattr(files_mod.os, "replace", replace_fails_for_a)
    with pytest.raises(StoreError, match="a.json"), store.transaction("a", "b") as tx:
        tx.table("a", "t").put("x", {"v": 1})
        tx.table("b", "t").put("x", {"v": 1})
    monkeypatch.undo()
    put(store, "b", "y", {"v": 2})  # an unrelated later change to b
    assert store.get("b", "t", "x") == {"v": 0}
    assert store.get("a", "t", "x") == {"v": 0}


# -- change detection -----------------------------------------------------------------------------------
def test_another_store_sees_every_change(store: Store) -> None:
    other = other_store(store)
    put(store, "s", "a", {"n": 1})
    assert other.get("s", "t", "a") == {"n": 1}
    put(other, "s", "a", {"n": 2})
    assert store.get("s", "t", "a") == {"n": 2}
    os.unlink(store.root / "s.json")
    assert store.get("s", "t", "a") is None
    put(other, "s", "b", {"n": 3})
    assert store.table_rows("s", "t") == {"b": {"n": 3}}


def test_a_change_with_an_identical_stat_signature_is_still_seen(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bug fixed ("racy git"): a file rewritten within one mtime tick, with a reused inode and the same size,
    has the stat signature of the version already cached. The generation counter in the lock file tells
    them apart, so the change is not missed (for a writer that would be a lost update)."""
    monkeypatch.setattr(files_mod, "_signature", lambda st, generation: (0, 0, 0, generation))
    put(store, "s", "a", {"n": 1})
    assert store.get("s", "t", "a") == {"n": 1}
    put(other_store(store), "s", "a", {"n": 2})
    assert store.get("s", "t", "a") == {"n": 2}
    with store.transaction("s") as tx:  # a writer sees it too, and its update is not lost
        row = dict(tx.table("s", "t").get(doc_id="a"))
        tx.table("s", "t").put("a", {"n": row["n"] + 1})
    assert other_store(store).get("s", "t", "a") == {"n": 3}


def test_unchanged_files_are_served_from_memory(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    put(store, "s", "a", {"n": 1})
    loads = []
    real_load = StoreFile._load

    def counting_load(self: StoreFile, generation: int) -> None:
        loads.append(self.path)
        real_load(self, generation)

    monkeypatch.setattr(StoreFile, "_load", counting_load)
    for _ in range(5):
        assert store.get("s", "t", "a") == {"n": 1}
    assert loads == []  # our own commit left the cache current: no re-read
    put(other_store(store), "s", "a", {"n": 2})
    assert store.get("s", "t", "a") == {"n": 2}


def test_nested_reads_inside_a_transaction_see_its_own_changes(store: Store) -> None:
    """A refresh inside a transaction must not drop its own in-memory changes."""
    put(store, "s", "a", {"n": 1})
    with store.transaction("s") as tx:
        tx.table("s", "t").put("b", {"n": 2})
        assert store.get("s", "t", "b") == {"n": 2}
        with store.transaction("s") as inner:
            inner.table("s", "t").put("c", {"n": 3})
        assert set(store.table_rows("s", "t")) == {"a", "b", "c"}
    assert set(other_store(store).table_rows("s", "t")) == {"a", "b", "c"}


# -- aborts, nesting, poison ----------------------------------------------------------------------------
def test_exception_in_a_transaction_writes_nothing_and_forgets_the_change(store: Store) -> None:
    put(store, "s", "a", {"n": 1})
    before = (store.root / "s.json").read_bytes()
    with pytest.raises(RuntimeError), store.transaction("s") as tx:
        tx.table("s", "t").put("b", {"n": 2})
        raise RuntimeError("boom")
    assert (store.root / "s.json").read_bytes() == before
    assert store.get("s", "t", "b") is None
    put(store, "s", "c", {"n": 3})
    assert set(other_store(store).table_rows("s", "t")) == {"a", "c"}


def test_a_swallowed_nested_failure_fails_the_outer_transaction_before_any_write(store: Store) -> None:
    """Bug fixed: with files [a, b] and b poisoned, a was committed before b's poison was noticed."""
    put(store, "a", "x", {"v": 0})
    put(store, "b", "x", {"v": 0})
    with pytest.raises(StoreError, match="nested change"), store.transaction("a", "b") as tx:
        tx.table("a", "t").put("x", {"v": 1})
        try:
            with store.transaction("b") as inner:
                inner.table("b", "t").put("x", {"v": 1})
                raise ValueError("inner failure")
        except ValueError:
            pass  # the caller swallows it: the outer must still not write half a change
    fresh = other_store(store)
    assert fresh.get("a", "t", "x") == {"v": 0}
    assert fresh.get("b", "t", "x") == {"v": 0}
    assert store.get("a", "t", "x") == {"v": 0}  # and no cached leftovers
    put(store, "a", "y", {"v": 2})
    assert fresh.get("a", "t", "x") == {"v": 0}


def test_nested_failure_that_propagates_aborts_everything(store: Store) -> None:
    put(store, "a", "x", {"v": 0})
    with pytest.raises(ValueError), store.transaction("a") as tx:
        tx.table("a", "t").put("x", {"v": 1})
        with store.transaction("a") as inner:
            inner.table("a", "t").put("y", {"v": 1})
            raise ValueError
    assert store.table_rows("a", "t") == {"x": {"v": 0}}
    put(store, "a", "z", {"v": 3})  # the file is usable again
    assert set(other_store(store).table_rows("a", "t")) == {"x", "z"}


def test_write_through_a_read_only_view_is_refused_and_leaves_no_trace(store: Store) -> None:
    """Bug fixed: TinyDB changes the document in memory before calling write(); the refused change stayed in
    the cache and was written by the next transaction on that file."""
    put(store, "s", "a", {"n": 1})
    with pytest.raises(StoreError, match="outside a transaction"), store.read("s") as db:
        db.table("t").insert({"sneaky": True})
    put(store, "s", "b", {"n": 2})
    assert other_store(store).table_rows("s", "t") == {"a": {"n": 1}, "b": {"n": 2}}


def test_reads_hand_out_copies_not_the_cache(store: Store) -> None:
    """Bug fixed: get/table_rows copied only the top level, so changing a returned list (a client's emails,
    an appointment's trace) changed the cached document, and the next transaction wrote it."""
    put(store, "s", "a", {"emails": ["a@example.com"], "trace": [{"action": "created"}]})
    row = store.get("s", "t", "a")
    assert row is not None
    row["emails"].append("evil@example.com")
    row["trace"][0]["action"] = "tampered"
    rows = store.table_rows("s", "t")
    rows["a"]["emails"].clear()
    put(store, "s", "b", {})
    assert other_store(store).get("s", "t", "a") == {
        "emails": ["a@example.com"],
        "trace": [{"action": "created"}],
    }


def test_counts_and_ids_without_copies(store: Store) -> None:
    with store.transaction("s") as tx:
        tx.table("s", "t").put_many({f"k{i}": {"i": i} for i in range(5)})
    assert store.count("s", "t") == 5
    assert sorted(store.ids("s", "t")) == [f"k{i}" for i in range(5)]
    assert store.count("missing", "t") == 0 and store.ids("s", "nothing") == []


# -- corrupt files ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "content",
    [b"", b'{"t": {', b"[]", b'{"t": []}', b'{"t": {"a": 3}}', b"\xff\xfe"],
    ids=["empty", "truncated", "list", "table-not-object", "doc-not-object", "not-utf8"],
)
def test_a_corrupt_file_is_named_and_left_untouched(store: Store, content: bytes) -> None:
    path = store.root / "s.json"
    path.write_bytes(content)
    with pytest.raises(StoreError) as info:
        store.get("s", "t", "a")
    assert str(path) in str(info.value) and "corrupt" in str(info.value)
    assert info.value.fix
    with pytest.raises(StoreError), store.transaction("s") as tx:
        tx.table("s", "t").put("a", {})
    assert path.read_bytes() == content


# -- locking -------------------------------------------------------------------------------------------------
def test_transactions_lock_out_other_threads_and_store_objects(store: Store) -> None:
    other = other_store(store)
    put(store, "s", "n", {"v": 0})

    def bump(s: Store, times: int) -> None:
        for _ in range(times):
            with s.transaction("s") as tx:
                table = tx.table("s", "t")
                value = table.get(doc_id="n")["v"]
                time.sleep(0)  # invite a switch in the middle of read-modify-write
                table.put("n", {"v": value + 1})

    threads = [threading.Thread(target=bump, args=(s, 50)) for s in (store, store, other, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert other_store(store).get("s", "t", "n") == {"v": 200}


def test_lock_is_reentrant_and_released(store: Store) -> None:
    f = store.file("s")
    with f.locked():
        with f.locked():
            assert f.in_transaction
        assert f.in_transaction
    assert not f.in_transaction
    # released: another open file description can take it at once
    import fcntl

    fd = os.open(f.lock_path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        os.close(fd)


def test_commit_without_the_lock_is_refused(store: Store) -> None:
    f = store.file("s")
    f.set_data({"t": {}})
    with pytest.raises(StoreError, match="without its lock"):
        f.commit()
    assert not f.path.exists()


@pytest.mark.parametrize("name", ["", "../x", "a//b", ".hidden", "a/./b"])
def test_bad_file_names_are_refused(store: Store, name: str) -> None:
    with pytest.raises(StoreError, match="bad store file name"):
        store.file(name)


def test_plain_insert_gets_a_random_string_id_never_a_stale_counter(store: Store) -> None:
    """TinyDB's integer next-id cache would go stale across processes (and crashed on string ids)."""
    other = other_store(store)
    with store.transaction("s") as tx:
        first = tx.table("s", "t").insert({"n": 1})
    with other.transaction("s") as tx:
        second = tx.table("s", "t").insert({"n": 2})
    with store.transaction("s") as tx:
        third = tx.table("s", "t").insert({"n": 3})
    assert len({first, second, third}) == 3 and all(isinstance(i, str) for i in (first, second, third))
    assert len(other_store(store).table_rows("s", "t")) == 3


def test_stale_temps_are_removed_under_each_files_lock(store: Store) -> None:
    put(store, "s", "a", {"n": 1})
    put(store, "appts/abc/01", "a", {"n": 1})
    (store.root / ".s.json.tmp").write_text("{half")
    (store.root / "appts" / "abc" / ".01.json.4242.777.tmp").write_text("{half")  # older naming
    f = store.file("s")
    with f.locked():  # a live writer holds s: its temp file must wait
        removed: list[int] = []
        t = threading.Thread(target=lambda: removed.append(other_store(store).remove_stale_temps()))
        t.start()
        t.join(timeout=0.3)
        assert t.is_alive() and (store.root / ".s.json.tmp").exists()
    t.join(timeout=10)
    assert removed == [2]
    assert sorted(p.name for p in store.root.rglob("*") if p.is_file()) == ["01.json", "s.json"]
    assert store.get("s", "t", "a") == {"n": 1}
