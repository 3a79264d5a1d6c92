"""The appointment book, partitioned per user and hash bucket (see core.store.layout).

Every change bumps the appointment's `revision` and records its id in the user's small pending file, in
the same transaction, so the sync processor finds studio changes by reading one tiny file instead of the
book. A deleted appointment that is linked to a Google event stays as a tombstone until the deletion
reached Google.

The bucket files and the pending file are separate files, each written atomically, one after the other.
`BookTransaction` writes them in the order that keeps "every unsynced change is pending" true at every
instant, whatever moment a crash picks: new pending entries first, then the appointments, then the
removal of entries whose change has synced. A crash can leave only a pending entry too many, which the
next sync finds unchanged and drops ("a stale pending entry"); never a change without its entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import fields, replace
from datetime import UTC, date, datetime
from typing import Any

from studiosync.core.errors import InputError, NotFoundError, StoreError
from studiosync.core.model import STATUSES, Appointment, content_snapshot, to_doc
from studiosync.core.store import layout
from studiosync.core.store.store import Store, StrTable, Transaction
from studiosync.core.studio import event_kinds
from studiosync.core.studio.timeparse import check_span, from_text, stamp, to_text
from studiosync.core.studio.users import GOOGLE, Users

APPOINTMENTS = layout.APPOINTMENTS_TABLE  # in each bucket file
PENDING = layout.PENDING_TABLE  # in the user's pending file
TRACE_LIMIT = 30
_UNSET: Any = object()


def to_record(appt: Appointment) -> dict[str, Any]:
    doc = to_doc(appt)
    doc["start"] = to_text(appt.start)
    doc["end"] = to_text(appt.end)
    return doc


_FIELDS = frozenset(f.name for f in fields(Appointment))


def from_record(doc: dict[str, Any]) -> Appointment:
    # Same as from_doc(Appointment, doc), without recomputing the field names (hot: listings build thousands).
    appt = Appointment(**{k: v for k, v in doc.items() if k in _FIELDS})
    appt.start = from_text(doc["start"])
    appt.end = from_text(doc["end"])
    # Never share a mutable part with the stored (cached) document.
    appt.trace = [dict(entry) for entry in appt.trace]
    if isinstance(appt.synced, dict):
        appt.synced = dict(appt.synced)
    return appt


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


class Appointments:
    def __init__(self, store: Store, users: Users) -> None:
        self._store = store
        self._users = users

    # -- reading -------------------------------------------------------------------------------------
    def list(self, login: str | None = None, *, include_deleted: bool = False) -> list[Appointment]:
        logins = [self._users.get(login).login] if login else [u.login for u in self._users.list()]
        found: list[Appointment] = []
        for who in logins:
            for name in layout.all_appointment_files(who):
                # from_record copies what it keeps, so the rows need no defensive copy first.
                for appt in self._store.map_rows(name, APPOINTMENTS, from_record):
                    # `user` check: files are keyed by a hash of the login, never trust it blindly.
                    if (include_deleted or not appt.deleted) and appt.user == who:
                        found.append(appt)
        found.sort(key=lambda a: (_sort_key(a.start), a.id))
        return found

    def owner_of(self, appointment_id: str) -> str:
        if layout.looks_like_appointment_id(appointment_id):
            prefix = appointment_id[: layout.USER_KEY_LEN]
            for user in self._users.list():
                if layout.user_key(user.login) == prefix:
                    name = layout.appointment_file_for(user.login, appointment_id)
                    if self._store.get(name, APPOINTMENTS, appointment_id) is not None:
                        return user.login
        raise NotFoundError(f"no appointment {appointment_id!r}")

    def find(self, appointment_id: str, *, include_deleted: bool = False) -> Appointment | None:
        try:
            login = self.owner_of(appointment_id)
        except NotFoundError:
            return None
        doc = self._store.get(
            layout.appointment_file_for(login, appointment_id), APPOINTMENTS, appointment_id
        )
        if doc is None or (doc.get("deleted") and not include_deleted):
            return None
        return from_record(doc)

    def get(self, appointment_id: str) -> Appointment:
        appt = self.find(appointment_id)
        if appt is None:
            raise NotFoundError(f"no appointment {appointment_id!r}")
        return appt

    def drop_pending_if_never_synced(self, login: str) -> int:
        """Forget the pending entries of a user who has never enabled Google sync (a resource, or staff
        not set up yet); returns how many. Their changes predate sync, so a first run would only clear
        them (Populate Google sends the whole book without them), yet every edit rewrites the file.
        Decided under the studio file's lock too, so a user enabling sync right now keeps every later
        change."""
        pending = layout.pending_file(login)
        if not self._store.exists(pending):
            return 0
        with self._store.transaction(layout.STUDIO, pending) as tx:
            prefs = tx.table(layout.STUDIO, GOOGLE).get(doc_id=login)
            if prefs is not None and prefs.get("enabled_at"):
                return 0
            table = tx.table(pending, PENDING)
            dropped = len(table)
            if dropped:
                table.truncate()
            return dropped

    def pending_ids(self, login: str) -> list[str]:
        """Ids of this user's appointments changed in the studio since they last synced (one small file)."""
        return self._store.ids(layout.pending_file(login), PENDING)

    def get_many(self, login: str, ids: Iterable[str]) -> dict[str, Appointment]:
        found: dict[str, Appointment] = {}
        for appointment_id in ids:
            doc = self._store.get(
                layout.appointment_file_for(login, appointment_id), APPOINTMENTS, appointment_id
            )
            if doc is not None:
                found[appointment_id] = from_record(doc)
        return found

    # -- studio edits --------------------------------------------------------------------------------
    def add(
        self,
        login: str,
        *,
        title: str,
        start: datetime | date,
        end: datetime | date,
        status: str = "confirmed",
        notes: str = "",
    ) -> Appointment:
        user = self._users.get(login)
        title = _check_title(title)
        _check_status(status)
        start, end, all_day = check_span(start, end)
        now = stamp()
        appt = Appointment(
            id=layout.new_appointment_id(user.login),
            user=user.login,
            title=title,
            start=start,
            end=end,
            all_day=all_day,
            status=status,  # type: ignore[arg-type]
            notes=notes or "",
            created=now,
            updated=now,
        )
        add_trace(appt, "created", "in the studio")
        self.save_many(user.login, [appt], mark_pending=True)
        return appt

    def add_many(self, login: str, items: Iterable[dict[str, Any]]) -> list[Appointment]:
        """Add many appointments in one transaction per bucket file (imports, benchmarks, demo)."""
        user = self._users.get(login)
        now = stamp()
        created: list[Appointment] = []
        for item in items:
            start, end, all_day = check_span(item["start"], item["end"])
            _check_status(item.get("status", "confirmed"))
            created.append(
                Appointment(
                    id=layout.new_appointment_id(user.login),
                    user=user.login,
                    title=_check_title(item["title"]),
                    start=start,
                    end=end,
                    all_day=all_day,
                    status=item.get("status", "confirmed"),
                    notes=item.get("notes", ""),
                    created=now,
                    updated=now,
                )
            )
        self.save_many(user.login, created, mark_pending=True)
        return created

    def edit(
        self,
        appointment_id: str,
        *,
        title: str | None = None,
        start: datetime | date | None = None,
        end: datetime | date | None = None,
        status: str | None = None,
        notes: str | None = None,
    ) -> Appointment:
        login = self.owner_of(appointment_id)
        name = layout.appointment_file_for(login, appointment_id)
        with book_transaction(self._store, login, [name]) as book:
            appt = self._load(book, name, appointment_id)
            refused = event_kinds.edit_refusal(appt)
            if refused is not None:
                raise InputError(refused)  # what Google would refuse, refused before anything changes
            new_start = start if start is not None else appt.start
            new_end = end if end is not None else appt.end
            if (
                start is not None
                and end is None
                and isinstance(start, datetime) == isinstance(appt.start, datetime)
            ):
                new_end = new_start + (appt.end - appt.start)  # moving keeps the duration
            new_start, new_end, all_day = check_span(new_start, new_end)
            refused = event_kinds.edit_refusal(appt, start=new_start, end=new_end)
            if refused is not None:
                raise InputError(refused)
            changed = replace(
                appt,
                title=_check_title(title) if title is not None else appt.title,
                start=new_start,
                end=new_end,
                all_day=all_day,
                status=_check_status(status) if status is not None else appt.status,
                notes=notes if notes is not None else appt.notes,
                trace=list(appt.trace),
            )
            if _content(changed) == _content(appt):
                return appt
            if changed.synced is None and appt.google_event_id and not appt.dirty:
                # Synced by an older version, which kept no base: clean, its content is exactly what was
                # synced, so it is the base the next run compares this edit with (core.sync.synced).
                changed.synced = content_snapshot(appt)
            changed.revision = appt.revision + 1
            changed.updated = stamp()
            add_trace(changed, "changed", "in the studio")
            self._write(book, name, [changed], mark_pending=True)
        return changed

    def delete(self, appointment_id: str) -> Appointment:
        login = self.owner_of(appointment_id)
        name = layout.appointment_file_for(login, appointment_id)
        syncing = self._users.google_prefs(login).enabled
        with book_transaction(self._store, login, [name]) as book:
            appt = self._load(book, name, appointment_id)
            refused = event_kinds.delete_refusal(appt)
            if refused is not None:
                raise InputError(refused)
            if event_kinds.studio_only_delete(appt):
                # Not an appointment (a working location, a birthday): only the studio's copy goes.
                book.appointments(name).delete(appointment_id)
                book.unmark([appointment_id])
                return appt
            # An unlinked change of a syncing user may have reached Google in a run that crashed before
            # saving the link: its tombstone lets the next sync delete that event under its derived id.
            if appt.google_event_id or (syncing and appt.dirty):
                # Keep a tombstone until the deletion reached Google.
                appt.deleted = True
                appt.revision += 1
                appt.updated = stamp()
                add_trace(appt, "deleted", "in the studio")
                self._write(book, name, [appt], mark_pending=True)
            else:
                book.appointments(name).delete(appointment_id)
                book.unmark([appointment_id])
        return appt

    def count(self, login: str) -> int:
        return sum(self._store.count(n, APPOINTMENTS) for n in layout.all_appointment_files(login))

    # -- bulk writes (sync processor) ----------------------------------------------------------------
    def save_many(
        self,
        login: str,
        appts: Iterable[Appointment],
        *,
        mark_pending: bool = False,
        clear_pending: bool = False,
    ) -> None:
        """Write appointments of one user, one transaction over the bucket files they live in."""
        by_file: dict[str, list[Appointment]] = {}
        for appt in appts:
            by_file.setdefault(layout.appointment_file_for(login, appt.id), []).append(appt)
        if not by_file:
            return
        with book_transaction(self._store, login, by_file) as book:
            for name, items in by_file.items():
                self._write(book, name, items, mark_pending=mark_pending, clear_pending=clear_pending)

    def purge(self, login: str, ids: Iterable[str]) -> None:
        """Forget appointments entirely (tombstones whose deletion synced)."""
        by_file: dict[str, list[str]] = {}
        for appointment_id in ids:
            by_file.setdefault(layout.appointment_file_for(login, appointment_id), []).append(appointment_id)
        if not by_file:
            return
        with book_transaction(self._store, login, by_file) as book:
            for name, items in by_file.items():
                book.appointments(name).delete(*items)
                book.unmark(items)

    def clear_pending(self, login: str, ids: Iterable[str]) -> None:
        ids = list(ids)
        if not ids:
            return
        with book_transaction(self._store, login, []) as book:
            book.unmark(ids)

    def _load(self, book: BookTransaction, name: str, appointment_id: str) -> Appointment:
        doc = book.appointments(name).get(doc_id=appointment_id)
        if doc is None or doc.get("deleted"):
            raise NotFoundError(f"no appointment {appointment_id!r}")
        return from_record(dict(doc))

    def _write(
        self,
        book: BookTransaction,
        name: str,
        appts: list[Appointment],
        *,
        mark_pending: bool = False,
        clear_pending: bool = False,
    ) -> None:
        book.appointments(name).put_many({a.id: to_record(a) for a in appts})
        if mark_pending:
            book.mark({a.id: a.revision for a in appts})
        elif clear_pending:
            book.unmark(a.id for a in appts)


def _content(appt: Appointment) -> tuple[Any, ...]:
    return (appt.title, to_text(appt.start), to_text(appt.end), appt.all_day, appt.status, appt.notes)


def _sort_key(value: datetime | date) -> float:
    # Instants in time; an all-day date sorts at the start of its day in UTC.
    if isinstance(value, datetime):
        return value.timestamp()
    return datetime(value.year, value.month, value.day, tzinfo=UTC).timestamp()


def _check_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise InputError("an appointment needs a title")
    if len(title) > 500:
        raise InputError("an appointment title is at most 500 characters")
    return title


def _check_status(status: str) -> str:
    if status not in STATUSES:
        raise InputError(f"status must be confirmed or tentative, not {status!r}")
    return status
