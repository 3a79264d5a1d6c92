"""Writing sync results into the appointment book without losing concurrent studio edits.

A run reads appointments, talks to Google for a while, then writes. Meanwhile someone may edit one of
those appointments in the console. Every write here therefore names the revision it was based on and is
applied inside one transaction over the bucket files involved:

- unchanged since we read it -> our version is written (and its pending entry cleared when it is synced);
- edited meanwhile -> the link bookkeeping (event id, etag, synced base) is taken over and the content is
  merged field by field (core.sync.merge, against the base the person's edit started from): what the run
  brought in a field the person left alone is kept, the person's edit stays in every field they touched
  (it is the later change), stays pending and goes to Google next run.

Each bucket file is written once per commit, however many appointments of it changed. Pending entries
live in the user's pending file and change in the same transaction (see `book_transaction` for the order
in which the files are written: a crash never leaves an unsynced change without its pending entry).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from studiosync.core.model.appointments import Appointment
from studiosync.core.store import layout
from studiosync.core.studio.appointments import TRACE_LIMIT, book_transaction, from_record, to_record
from studiosync.core.sync import merge, synced


@dataclass
class Write:
    """Write the run's version of an appointment: as is while the book still holds `base_revision`, else
    merged with the edit made meanwhile."""

    appt: Appointment
    base_revision: int | None  # None: a new appointment (from Google)


@dataclass
class Purge:
    """Remove an appointment and its pending entry from the book, only while it is still at `base_revision`
    (an edit made meanwhile keeps it)."""

    appointment_id: str
    base_revision: int


@dataclass
class Clear:
    """Drop a pending entry without syncing (e.g. changed before sync was enabled)."""

    appointment_id: str
    base_revision: int


@dataclass
class CommitResult:
    """What `commit` did: appointments written, merged with an edit made meanwhile, purged, skipped, and the
    book files it touched."""

    written: int = 0
    merged: int = 0  # edited meanwhile: bookkeeping merged, content kept
    purged: int = 0
    skipped: int = 0  # deleted meanwhile / nothing to do
    files: int = 0


def commit(
    studio: Any,
    login: str,
    writes: Iterable[Write] = (),
    purges: Iterable[Purge] = (),
    clears: Iterable[Clear] = (),
) -> CommitResult:
    by_file: dict[str, list[Write | Purge | Clear]] = {}
    for item in [*writes, *purges, *clears]:
        aid = item.appt.id if isinstance(item, Write) else item.appointment_id
        by_file.setdefault(layout.appointment_file_for(login, aid), []).append(item)
    result = CommitResult(files=len(by_file))
    if not by_file:
        return result
    with book_transaction(studio.store, login, by_file) as book:
        for name, items in by_file.items():
            appts = book.appointments(name)
            put: dict[str, dict[str, Any]] = {}
            put_pending: dict[str, int] = {}
            drop: list[str] = []
            drop_pending: list[str] = []
            for item in items:
                if isinstance(item, Write):
                    _apply_write(item, appts, put, put_pending, drop_pending, result)
                    continue
                doc = appts.get(doc_id=item.appointment_id)
                current_rev = int(doc.get("revision", 0)) if doc is not None else None
                if isinstance(item, Purge):
                    if doc is not None and current_rev == item.base_revision:
                        drop.append(item.appointment_id)
                        drop_pending.append(item.appointment_id)
                        result.purged += 1
                    else:
                        result.skipped += 1
                else:  # Clear
                    if doc is None or current_rev == item.base_revision:
                        drop_pending.append(item.appointment_id)
                    else:
                        result.skipped += 1
            if put:
                appts.put_many(put)
            if drop:
                appts.delete(*drop)
            book.mark(put_pending)
            book.unmark(drop_pending)  # after mark: as before, a drop wins over a put of the same id
    return result


def _apply_write(
    item: Write,
    appts: Any,
    put: dict[str, dict[str, Any]],
    put_pending: dict[str, int],
    drop_pending: list[str],
    result: CommitResult,
) -> None:
    ours = item.appt
    doc = appts.get(doc_id=ours.id)
    if item.base_revision is None or (doc is not None and int(doc.get("revision", 0)) == item.base_revision):
        put[ours.id] = to_record(ours)
        if ours.revision > ours.synced_revision:
            put_pending[ours.id] = ours.revision
        else:
            drop_pending.append(ours.id)
        result.written += 1
        return
    if doc is None:
        result.skipped += 1  # deleted in the studio meanwhile: never resurrect it
        return
    current = from_record(dict(doc))
    # Edited meanwhile: keep the edit (and its pending entry), take over what links it to Google, and
    # what the run brought in the fields the person left alone.
    if not current.deleted and not ours.deleted:
        _fold_in(current, ours)
    current.synced = ours.synced
    current.google_event_id = ours.google_event_id
    current.google_etag = ours.google_etag
    current.google_updated = ours.google_updated
    current.sync_error = ours.sync_error
    # Google's own facts about the event (type, free/busy, organizer) are not the person's to edit.
    current.google_event_type = ours.google_event_type
    current.busy = ours.busy
    current.organizer = ours.organizer
    current.guests_can_modify = ours.guests_can_modify
    current.synced_revision = min(ours.synced_revision, current.revision - 1)
    current.trace = (current.trace + [t for t in ours.trace if t not in current.trace])[-TRACE_LIMIT:]
    put[current.id] = to_record(current)
    put_pending[current.id] = current.revision
    result.merged += 1


def _fold_in(current: Appointment, ours: Appointment) -> None:
    """Three-way: the base the person's edit started from, their version, and the run's. A field only the run
    changed takes the run's value; any field the person changed keeps theirs (the later change)."""
    result = merge.merge(
        synced.base_values(current.synced),
        synced.appointment_values(current),
        synced.appointment_values(ours),
        studio_later=True,
    )
    if result.to_studio:
        synced.apply_values(current, result.values)
        current.revision += 1  # a new version of the content: still pending (the person's edit goes next)
