"""The store: named TinyDB documents, each in its own small file, with transactions.

TinyDB costs O(table size) per write, so hot data is partitioned (appointments per user and hash bucket,
run history apart from settings) and every logical operation is one transaction: the files it touches are
locked (in name order, so two transactions never deadlock), reloaded if another process changed them,
changed in memory through TinyDB, and written once each, atomically, when the block ends without error.

Rules that keep this true:
- Open every file a transaction needs in ONE `transaction(*names)` call. Nesting is re-entrant, but a nested
  transaction that adds a file locks it out of name order (a deadlock risk between processes).
- Each file is written atomically; a transaction over several files writes them one after the other (in
  name order, unless `flush` wrote some earlier), so a crash between two of them leaves the first written
  and the second not. When that matters, choose the order with `Transaction.flush`: e.g. record "this
  appointment changed" before the change itself, and forget it only after the synced version is written.
- Readers (`get`, `table_rows`, `read`) need no lock: files are replaced atomically. `get` and `table_rows`
  hand out deep copies; `read()` gives TinyDB over the cached document itself, so treat it as read-only.
"""

from __future__ import annotations

import _thread  # the locks threading.RLock/Lock are, without importing threading (start-up)
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar

from studiosync.core.errors import StoreError
from studiosync.core.paths import DataDir
from studiosync.core.store import records
from studiosync.core.store.files import StoreFile
from studiosync.core.store.records import CorruptRecord
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document, Table

try:  # start-up: the C pickler alone, without pickle.py's imports (a few ms for every command)
    from _pickle import dumps as _dumps
    from _pickle import loads as _loads
except ImportError:  # pragma: no cover - a Python without the C accelerator
    from pickle import dumps as _dumps
    from pickle import loads as _loads

T = TypeVar("T")


class StrTable(Table):
    """Documents keyed by our own string ids (uuid hex, login...), so `get(doc_id=...)` is O(1)."""

    document_id_class = str  # type: ignore[assignment]

    def _get_next_id(self) -> str:  # type: ignore[override]
        # TinyDB's integer ids come from a per-object "next id" cache that another process can make stale
        # (and cannot be computed from string ids at all): a plain insert() gets a random id instead.
        import uuid  # start-up: only inserting a document without an id needs it

        return uuid.uuid4().hex

    def _update_table(self, updater: Callable[[dict[str, Any]], None]) -> None:
        """Every TinyDB write ends here: change the table where it lives, in O(changed documents).

        TinyDB copies the whole table twice per write to convert its ids to `document_id_class` and back;
        ours are strings already, so the copies change nothing but cost O(table size) on every edit.
        """
        tables = self._storage.read()
        if tables is None:
            tables = {}
        table = tables.get(self.name)
        if table is None:
            table = {}
            updater(table)
            tables[self.name] = table
        else:
            updater(table)
        self._storage.write(tables)
        self.clear_cache()

    def put(self, doc_id: str, doc: Mapping[str, Any]) -> None:
        """Insert or replace the document with this id."""
        if self.contains(doc_id=doc_id):
            self.update(_replace_with(doc), doc_ids=[doc_id])
        else:
            self.insert(Document(dict(doc), doc_id=doc_id))

    def put_many(self, docs: Mapping[str, Mapping[str, Any]]) -> None:
        """Insert or replace many documents with one pass over the table."""
        if not docs:
            return

        def updater(table: dict[str, Any]) -> None:
            for doc_id, doc in docs.items():
                table[doc_id] = dict(doc)

        self._update_table(updater)

    def delete(self, *doc_ids: str) -> None:
        present = [d for d in doc_ids if self.contains(doc_id=d)]
        if present:
            self.remove(doc_ids=present)


def _replace_with(doc: Mapping[str, Any]):
    def transform(current: dict[str, Any]) -> None:
        current.clear()
        current.update(doc)

    return transform


class _FileStorage(Storage):
    """TinyDB storage backed by a StoreFile's in-memory document."""

    def __init__(self, file: StoreFile, writable: bool) -> None:
        self._file = file
        self._writable = writable

    def read(self) -> dict[str, Any] | None:
        return self._file.data

    def write(self, data: dict[str, Any]) -> None:
        if not self._writable:
            # TinyDB changed the in-memory document before calling write(): drop it, or the change would
            # ride along with the next transaction on this file.
            self._file.invalidate()
            raise StoreError(f"internal error: write to {self._file.path} outside a transaction")
        self._file.set_data(data)


class StudioDB(TinyDB):
    table_class = StrTable

    def table(self, name: str, **kwargs: Any) -> StrTable:  # type: ignore[override]
        return super().table(name, **kwargs)  # type: ignore[return-value]


def _open_db(file: StoreFile, writable: bool) -> StudioDB:
    # A fresh TinyDB per use: its tables cache query results and next ids, which would go stale when
    # another process changes the file.
    return StudioDB(storage=_FileStorage, file=file, writable=writable)


class Transaction:
    def __init__(self, store: Store, names: tuple[str, ...]) -> None:
        self._store = store
        self._dbs = {name: _open_db(store.file(name), writable=True) for name in names}

    def db(self, name: str) -> StudioDB:
        try:
            return self._dbs[name]
        except KeyError:
            raise StoreError(f"internal error: {name!r} is not part of this transaction") from None

    def table(self, name: str, table: str) -> StrTable:
        return self.db(name).table(table)

    @property
    def store(self) -> Store:
        return self._store

    def flush(self, *names: str) -> None:
        """Write these files now, keeping every lock of the transaction until it ends.

        Sets the order in which a crash can leave the files: a flushed file is on disk before any file
        written at the end. Changes made to it after the flush are written at the end as usual. In a nested
        transaction the outermost one writes, so there a flush does nothing (its order is the outer one's).
        """
        for name in names:
            self.db(name)  # must be part of this transaction
            self._store.file(name).commit_if_outermost()


class Store:
    """All store files of one data directory."""

    def __init__(self, datadir: DataDir) -> None:
        self.datadir = datadir
        self._files: dict[str, StoreFile] = {}
        self._registry_lock = _thread.allocate_lock()
        # Corrupt records that listings skipped (core.store.records): the CLI names them and exits 1.
        self.problems: list[StoreError] = []

    # -- records of a known shape (core.store.records) -------------------------------------------------
    def record(self, cls: type[T], name: str, table: str, doc_id: str, doc: Any) -> T:
        """One stored document as a `cls`, or CorruptRecord naming the file and the record."""
        return records.load(cls, doc, path=self.file(name).path, table=table, doc_id=doc_id)

    def records(self, cls: type[T], name: str, table: str, rows: Mapping[str, Any]) -> list[T]:
        """Every document of `rows` that fits `cls`; a corrupt one is skipped and noted in `problems`,
        so one bad record never hides the others."""
        found: list[T] = []
        for doc_id, doc in rows.items():
            try:
                found.append(self.record(cls, name, table, doc_id, doc))
            except CorruptRecord as exc:
                self.note(exc)
        return found

    def note(self, problem: StoreError) -> None:
        """Remember a corrupt record (or file) a listing skipped (once)."""
        if all(str(p) != str(problem) for p in self.problems):
            self.problems.append(problem)

    @property
    def root(self) -> Path:
        return self.datadir.store

    def file(self, name: str) -> StoreFile:
        with self._registry_lock:
            found = self._files.get(name)
            if found is None:
                _check_name(name)
                found = StoreFile(
                    self.root / f"{name}.json",
                    self.datadir.locks / f"{name.replace('/', '~')}.lock",
                )
                self._files[name] = found
            return found

    @contextmanager
    def transaction(self, *names: str) -> Iterator[Transaction]:
        """Lock, refresh and open the named files; write each changed one once at the end."""
        ordered = tuple(sorted(set(names)))
        files = [self.file(n) for n in ordered]
        with ExitStack() as stack:
            for f in files:
                stack.enter_context(f.locked())
            for f in files:
                f.refresh()
            try:
                yield Transaction(self, ordered)
            except BaseException:
                for f in files:
                    f.abort()
                raise
            # A nested transaction failed and its error was swallowed: its half-made changes are still in
            # memory. Fail this whole level before writing anything (not half of its files).
            poisoned = [str(f.path) for f in files if f.poisoned]
            if poisoned:
                for f in files:
                    f.abort()
                raise StoreError(
                    f"internal error: a nested change to {', '.join(poisoned)} failed; nothing was written"
                )
            done = 0
            try:
                for f in files:
                    f.commit_if_outermost()
                    done += 1
            except BaseException:
                # The files not yet written still hold this transaction's changes in memory; a later
                # transaction must not write them by accident. (Files are written one by one: those
                # before the failure stay written; each file on its own is always whole.)
                for f in files[done:]:
                    f.abort()
                raise

    @contextmanager
    def read(self, name: str) -> Iterator[StudioDB]:
        """A consistent read-only view of one file."""
        f = self.file(name)
        with f.reading():
            yield _open_db(f, writable=f.in_transaction)

    def table_rows(self, name: str, table: str) -> dict[str, dict[str, Any]]:
        """Snapshot copy of a whole table, keyed by id.

        A deep copy: callers may change what they get (lists of emails, an appointment's trace...) without
        touching the cached document, which a later transaction would otherwise write.
        """
        f = self.file(name)
        with f.reading() as data:
            rows = data.get(table)
            return _deep_copy(rows) if rows else {}

    def get(self, name: str, table: str, doc_id: str) -> dict[str, Any] | None:
        """A deep copy of one document, or None."""
        f = self.file(name)
        with f.reading() as data:
            row = (data.get(table) or {}).get(doc_id)
            return _deep_copy(row) if row is not None else None

    def map_rows(self, name: str, table: str, convert: Callable[[dict[str, Any]], T]) -> list[T]:
        """`convert` applied to every document of a table, without copying the documents first.

        The fast path for big listings: `convert` sees the cached documents themselves, so it must build
        new objects and copy any list or dict it keeps (as appointments' `from_record` does).
        """
        f = self.file(name)
        with f.reading() as data:
            return [convert(doc) for doc in (data.get(table) or {}).values()]

    def count(self, name: str, table: str) -> int:
        f = self.file(name)
        with f.reading() as data:
            return len(data.get(table) or {})

    def ids(self, name: str, table: str) -> list[str]:
        f = self.file(name)
        with f.reading() as data:
            return list(data.get(table) or {})

    def remove_stale_temps(self) -> int:
        """Delete temp files left by writers that were killed mid-commit; returns how many.

        A temp file exists only while its writer holds the file's lock, so under that lock any temp file of
        that store file is garbage, however young. (Unlinking without the lock could remove a live writer's
        temp file just before its rename.)
        """
        removed = 0
        if not self.root.exists():
            return 0
        for tmp in sorted(self.root.rglob(".*.tmp")):
            base = tmp.name[1:].split(".json", 1)[0]  # ".NAME.json.tmp" or the older ".NAME.json.PID.TID.tmp"
            rel = tmp.parent.relative_to(self.root) / base
            try:
                f = self.file(rel.as_posix())
            except StoreError:
                continue
            with f.locked(), suppress(FileNotFoundError):
                tmp.unlink()
                removed += 1
        return removed

    def exists(self, name: str) -> bool:
        return (self.root / f"{name}.json").exists()

    def names(self, prefix: str = "") -> list[str]:
        """Names of the store files on disk under a prefix such as 'appts/ann/'."""
        base = self.root / prefix if prefix else self.root
        if not base.exists():
            return []
        found = []
        for path in base.rglob("*.json"):
            rel = path.relative_to(self.root).as_posix()
            found.append(rel[: -len(".json")])
        return sorted(found)


def _deep_copy(value: Any) -> Any:
    # Store documents are plain JSON values; a pickle round trip copies them several times faster than
    # copy.deepcopy (about 2 us per appointment).
    return _loads(_dumps(value, -1))


def _check_name(name: str) -> None:
    parts = name.split("/")
    if not name or any(p in ("", ".", "..") or p.startswith(".") for p in parts):
        raise StoreError(f"internal error: bad store file name {name!r}")
