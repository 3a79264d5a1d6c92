"""How the appointment book is stored: the record format of an appointment (`to_record` / `from_record`),
its trace (`add_trace`), and `BookTransaction`, one change to some bucket files of one user and to that
user's pending file.

The bucket files and the pending file are separate files, each written atomically, one after the other.
`BookTransaction` writes them in the order that keeps "every unsynced change is pending" true at every
instant, whatever moment a crash picks: new pending entries first, then the appointments, then the
removal of entries whose change has synced. A crash can leave only a pending entry too many, which the
next sync finds unchanged and drops ("a stale pending entry"); never a change without its entry.

Must never decide what an edit may change (core.studio.appointments does) and never write the pending
file after the buckets it announces.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import fields
from datetime import datetime
from pathlib import Path
from typing import Any

from studiosync.core.errors import StoreError
from studiosync.core.model import to_doc
from studiosync.core.model.appointments import Appointment
from studiosync.core.store import layout, records
from studiosync.core.store.records import CorruptRecord
from studiosync.core.store.store import Store, StrTable, Transaction
from studiosync.core.studio.timeparse import from_text, stamp, to_text

APPOINTMENTS = layout.APPOINTMENTS_TABLE  # in each bucket file
PENDING = layout.PENDING_TABLE  # in the user's pending file
TRACE_LIMIT = 30


def to_record(appt: Appointment) -> dict[str, Any]:
    doc = to_doc(appt)
    doc["start"] = to_text(appt.start)
    doc["end"] = to_text(appt.end)
    return doc


_FIELDS = frozenset(f.name for f in fields(Appointment))


def from_record(doc: dict[str, Any], path: Path | None = None) -> Appointment:
    """The appointment of a stored document; CorruptRecord (naming `path` and the record) if it does not
    have the shape of one (core.store.records)."""
    why = records.problem(Appointment, doc, times=False)  # times are parsed just below, once
    if why is not None:
        raise CorruptRecord(path or Path("?"), APPOINTMENTS, _record_id(doc), why)
    # Same as from_doc(Appointment, doc), without recomputing the field names (hot: listings build thousands).
    appt = Appointment(**{k: v for k, v in doc.items() if k in _FIELDS})
    for name in ("start", "end"):
        try:
            value = from_text(doc[name])
        except ValueError:
            value = None
        if value is None or (isinstance(value, datetime) and value.tzinfo is None):
            why = f"field {name!r} {doc[name][:40]!r} is not an ISO date or date-time with its UTC offset"
            raise CorruptRecord(path or Path("?"), APPOINTMENTS, _record_id(doc), why)
        setattr(appt, name, value)
    # Never share a mutable part with the stored (cached) document.
    appt.trace = [dict(entry) for entry in appt.trace]
    if isinstance(appt.synced, dict):
        appt.synced = dict(appt.synced)
    return appt


def _record_id(doc: Any) -> str:
    return str(doc.get("id")) if isinstance(doc, dict) else "?"


def add_trace(appt: Appointment, action: str, detail: str = "", run_id: str | None = None) -> None:
    appt.trace.append({"time": stamp(), "action": action, "detail": detail, "run_id": run_id})
    del appt.trace[:-TRACE_LIMIT]


class BookTransaction:
    """A change to some bucket files of one user and to that user's pending entries, as one transaction.

    Every file involved is locked for the whole block (in name order). Pending changes are collected with
    `mark` / `unmark` (the last word on an id wins) and applied when the block ends without error:
    new or raised entries are written first, then the bucket files, then the removals.
    """

    def __init__(self, tx: Transaction, buckets: tuple[str, ...], pending: str) -> None:
        self.tx = tx
        self._buckets = buckets
        self._pending = pending
        self._intent: dict[str, int | None] = {}  # id -> revision to record, or None to forget

    def appointments(self, name: str) -> StrTable:
        """The appointments table of one of this transaction's bucket files."""
        if name not in self._buckets:
            raise StoreError(f"internal error: {name!r} is not part of this book transaction")
        return self.tx.table(name, APPOINTMENTS)

    def mark(self, revisions: Mapping[str, int]) -> None:
        """These appointments changed in the studio (at these revisions): the sync must look at them."""
        self._intent.update(revisions)

    def unmark(self, ids: Iterable[str]) -> None:
        """These appointments need no sync any more (synced, purged...)."""
        self._intent.update(dict.fromkeys(ids))

    def finish(self) -> None:
        table = self.tx.table(self._pending, PENDING)
        marks = {}
        for appointment_id, revision in self._intent.items():
            if revision is None:
                continue
            row = table.get(doc_id=appointment_id)
            if row is None or row.get("revision") != revision:
                marks[appointment_id] = {"revision": revision}
        if marks:
            table.put_many(marks)
            self.tx.flush(self._pending)  # before the changes they announce
        self.tx.flush(*self._buckets)
        gone = [i for i, revision in self._intent.items() if revision is None]
        if gone:
            table.delete(*gone)  # written last, by the transaction's end: after the synced versions


@contextmanager
def book_transaction(store: Store, login: str, buckets: Iterable[str]) -> Iterator[BookTransaction]:
    """Lock these bucket files of `login` and the user's pending file; see BookTransaction."""
    names = tuple(dict.fromkeys(buckets))
    pending = layout.pending_file(login)
    with store.transaction(*names, pending) as tx:
        book = BookTransaction(tx, names, pending)
        yield book
        book.finish()
