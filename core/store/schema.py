"""Schema version and migrations.

The version lives in the `studio` file (`_meta` table). Opening a data dir written by an older
studiosync runs the missing migrations under the studio file's lock; a newer one is refused rather
than misread.
"""

from __future__ import annotations

from collections.abc import Callable

from core.errors import StoreError
from core.store.layout import STUDIO
from core.store.store import Store, Transaction

SCHEMA_VERSION = 1
META_TABLE = "_meta"


def _v0_to_v1(tx: Transaction) -> None:
    # First schema: nothing to convert, just the version stamp (set by the caller).
    pass


MIGRATIONS: dict[int, Callable[[Transaction], None]] = {0: _v0_to_v1}


def schema_version(store: Store) -> int:
    row = store.get(STUDIO, META_TABLE, "schema")
    if not row:
        return 0
    version = row.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise StoreError(
            f"store file {store.file(STUDIO).path} is corrupt (bad schema version {version!r}); "
            "it was left untouched",
            fix="restore it from the backups folder of the data directory",
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
