"""Schema version and migrations.

The version lives in the `studio` file (`_meta` table). Opening a data dir written by an older
studiosync runs the missing migrations under the studio file's lock; a newer one is refused rather
than misread.

A migration that changes other files than `studio` cannot be one atomic write: it changes file after
file, while holding the studio lock (every studiosync process migrates, under that lock, before it
touches anything else), and the version is stamped only at the very end. So each migration must be
re-runnable from any point a crash can leave: copy into the new places first, remove from the old ones
after, with steps that are idempotent (put the same document again, delete what is there).

- 1 -> 2: the pending ids leave the bucket files for one small file per user (`pending/<key>`), and
  appointments move from 16 to layout.BUCKETS buckets per user.
"""

from __future__ import annotations

from collections.abc import Callable

from studiosync.core.errors import StoreError
from studiosync.core.store import layout
from studiosync.core.store.layout import STUDIO
from studiosync.core.store.store import Store, Transaction

SCHEMA_VERSION = 2
META_TABLE = "_meta"


def _v0_to_v1(tx: Transaction) -> None:
    # First schema: nothing to convert, just the version stamp (set by the caller).
    pass


def _v1_to_v2(tx: Transaction) -> None:
    """Pending ids out of the bucket files; appointments into layout.BUCKETS buckets."""
    store = tx.store
    for key in _user_keys(store):
        files = store.names(f"appts/{key}/")
        collect_pending(store, key, files)
        for name in files:
            rebucket_file(store, key, name)


MIGRATIONS: dict[int, Callable[[Transaction], None]] = {0: _v0_to_v1, 1: _v1_to_v2}


def _user_keys(store: Store) -> list[str]:
    return sorted({name.split("/")[1] for name in store.names("appts/") if name.count("/") == 2})


def collect_pending(store: Store, key: str, files: list[str]) -> int:
    """Copy the `pending` tables of a user's bucket files into the user's pending file (schema 1 -> 2).

    Only adds (the same rows again on a rerun): the bucket files keep theirs until `rebucket_file` has
    moved each file's appointments, so an interrupted migration never loses a pending id.
    """
    rows: dict[str, dict] = {}
    for name in files:
        rows.update(store.table_rows(name, layout.PENDING_TABLE))
    if rows:
        target = layout.pending_file_of_key(key)
        with store.transaction(target) as tx:
            tx.table(target, layout.PENDING_TABLE).put_many(rows)
    return len(rows)


def rebucket_file(store: Store, key: str, name: str) -> int:
    """Move the appointments of one bucket file that belong in another bucket under the current layout,
    then drop the file's old `pending` table. Returns how many moved.

    Two transactions, in this order: the appointments are written to their new files, then removed from
    this one. A crash between them leaves copies in both places, and the rerun copies them again (the
    same documents) before removing them: nothing lost, no duplicate left. Also right for any change of
    layout.BUCKETS: an appointment already in its bucket stays, whatever file it was in before.
    """
    rows = store.table_rows(name, layout.APPOINTMENTS_TABLE)
    moves: dict[str, dict[str, dict]] = {}
    for appointment_id, doc in rows.items():
        target = layout.bucket_file(key, layout.bucket_of(appointment_id))
        if target != name:
            moves.setdefault(target, {})[appointment_id] = doc
    if moves:
        with store.transaction(*moves) as tx:
            for target, docs in moves.items():
                tx.table(target, layout.APPOINTMENTS_TABLE).put_many(docs)
    moved = [appointment_id for docs in moves.values() for appointment_id in docs]
    with store.read(name) as db:
        has_pending = layout.PENDING_TABLE in db.tables()
    if moved or has_pending:
        with store.transaction(name) as tx:
            tx.table(name, layout.APPOINTMENTS_TABLE).delete(*moved)
            tx.db(name).drop_table(layout.PENDING_TABLE)
    return len(moved)


def schema_version(store: Store) -> int:
    row = store.get(STUDIO, META_TABLE, "schema")
    if not row:
        return 0
    version = row.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise StoreError(
            f"store file {store.file(STUDIO).path} is corrupt (bad schema version {version!r}); "
            "it was left untouched",
            fix="studiosync backup restore store/studio.json (the newest good backup of it)",
        )
    return version


def migrate(store: Store) -> int:
    """Bring the store up to SCHEMA_VERSION; returns the version found before."""
    found = schema_version(store)
    if found == SCHEMA_VERSION:
        return found
    _refuse_newer(store, found)
    with store.transaction(STUDIO) as tx:
        version = schema_version(store)  # again, under the lock: another process may have migrated
        _refuse_newer(store, version)
        if version == SCHEMA_VERSION:
            return found
        while version < SCHEMA_VERSION:
            MIGRATIONS[version](tx)
            version += 1
        tx.table(STUDIO, META_TABLE).put("schema", {"version": version})
    return found


def _refuse_newer(store: Store, found: int) -> None:
    if found > SCHEMA_VERSION:
        raise StoreError(
            f"the data in {store.root} was written by a newer studiosync (schema {found}, "
            f"this version knows {SCHEMA_VERSION}); it was left untouched",
            fix="upgrade studiosync on this computer",
        )
