"""The appointment book, partitioned per user and hash bucket (see core.store.layout).

Every change bumps the appointment's `revision` and records its id in the user's small pending file, in
the same transaction, so the sync processor finds studio changes by reading one tiny file instead of the
book. A deleted appointment that is linked to a Google event stays as a tombstone until the deletion
reached Google.

How a change reaches the files (records, the crash-safe order of bucket and pending writes) is
core.studio.book; this module holds the book's rules: who owns an appointment, what a studio edit may
change, how the sync's bulk writes land. Must never write a bucket file outside a BookTransaction, and
never change an appointment without bumping its revision and marking it pending.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import Any

from studiosync.core.errors import InputError, NotFoundError, StoreError
from studiosync.core.model.appointments import STATUSES, Appointment, content_snapshot
from studiosync.core.store import layout
from studiosync.core.store.records import CorruptRecord
from studiosync.core.store.store import Store
from studiosync.core.studio import event_kinds, validate
from studiosync.core.studio.book import (
    APPOINTMENTS,
    PENDING,
    TRACE_LIMIT,
    BookTransaction,
    add_trace,
    book_transaction,
    from_record,
    to_record,
)
from studiosync.core.studio.timeparse import check_span, stamp, to_text
from studiosync.core.studio.users import GOOGLE, Users

_UNSET: Any = object()

__all__ = [  # the book's storage lives in core.studio.book; callers may keep importing it from here
    "APPOINTMENTS",
    "PENDING",
    "TRACE_LIMIT",
    "Appointments",
    "BookTransaction",
    "add_trace",
    "book_transaction",
    "from_record",
    "to_record",
]


class Appointments:
    def __init__(self, store: Store, users: Users) -> None:
        self._store = store
        self._users = users

    # -- reading -------------------------------------------------------------------------------------
    def list(
        self, login: str | None = None, *, include_deleted: bool = False, skip_corrupt: bool = False
    ) -> list[Appointment]:
        """The book of one user (or everyone), in time order.

        A corrupt record raises CorruptRecord (the sync must never act on a partial book), unless
        `skip_corrupt`: then it is left out and noted in Store.problems (listings for people)."""
        logins = [self._users.get(login).login] if login else [u.login for u in self._users.list()]
        found: list[Appointment] = []
        for who in logins:
            for name in layout.all_appointment_files(who):
                path = self._store.file(name).path
                convert = (
                    partial(_lenient, path=path, note=self._store.note)
                    if skip_corrupt
                    else partial(from_record, path=path)
                )
                try:
                    # from_record copies what it keeps, so the rows need no defensive copy first.
                    rows = self._store.map_rows(name, APPOINTMENTS, convert)
                except StoreError as exc:
                    if not skip_corrupt:
                        raise
                    self._store.note(exc)  # a whole file unreadable: the other files still list
                    continue
                for appt in rows:
                    # `user` check: files are keyed by a hash of the login, never trust it blindly.
                    if appt is not None and (include_deleted or not appt.deleted) and appt.user == who:
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
        if doc is None or (doc.get("deleted") is True and not include_deleted):
            return None
        return from_record(doc, self._store.file(layout.appointment_file_for(login, appointment_id)).path)

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

    def pending_revisions(self, login: str) -> dict[str, int]:
        """Pending ids with the revision each was marked at (what live sync watches for)."""
        rows = self._store.table_rows(layout.pending_file(login), PENDING)
        return {aid: int(row.get("revision") or 0) for aid, row in rows.items()}

    def settle(self, login: str) -> None:
        """Wait until a change of this user's book in flight (any process) has finished. A change writes
        its pending entries before its appointments, so a reader woken by the pending file must let the
        writer finish before it reads the appointments."""
        with self._store.transaction(layout.pending_file(login)):
            pass

    def get_many(self, login: str, ids: Iterable[str]) -> dict[str, Appointment]:
        found: dict[str, Appointment] = {}
        for appointment_id in ids:
            name = layout.appointment_file_for(login, appointment_id)
            doc = self._store.get(name, APPOINTMENTS, appointment_id)
            if doc is not None:
                found[appointment_id] = from_record(doc, self._store.file(name).path)
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
        notes = validate.notes(notes or "")
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
            notes=notes,
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
                    notes=validate.notes(item.get("notes", "")),
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
        if notes is not None:
            notes = validate.notes(notes)
        with book_transaction(self._store, login, [name]) as book:
            appt = self._load(book, name, appointment_id)
            refused = event_kinds.edit_refusal(appt)
            if refused is not None:
                raise InputError(refused)  # what Google would refuse, refused before anything changes
            # A field sent back unchanged is not checked again: text pulled from Google is kept as given.
            if title is not None and title != appt.title:
                title = _check_title(title)
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
                title=title if title is not None else appt.title,
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
        if doc is None or doc.get("deleted") is True:
            raise NotFoundError(f"no appointment {appointment_id!r}")
        return from_record(dict(doc), self._store.file(name).path)

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


def _lenient(doc: dict[str, Any], *, path: Path, note: Callable[[CorruptRecord], None]) -> Appointment | None:
    try:
        return from_record(doc, path)
    except CorruptRecord as exc:
        note(exc)
        return None


def _content(appt: Appointment) -> tuple[Any, ...]:
    return (appt.title, to_text(appt.start), to_text(appt.end), appt.all_day, appt.status, appt.notes)


def _sort_key(value: datetime | date) -> float:
    # Instants in time; an all-day date sorts at the start of its day in UTC.
    if isinstance(value, datetime):
        return value.timestamp()
    return datetime(value.year, value.month, value.day, tzinfo=UTC).timestamp()


def _check_title(title: str) -> str:
    if not (title or "").strip():
        raise InputError("an appointment needs a title")
    return validate.single_line(title, "the title", max_len=validate.TITLE_MAX)


def _check_status(status: str) -> str:
    if status not in STATUSES:
        raise InputError(f"status must be confirmed or tentative, not {status!r}")
    return status
