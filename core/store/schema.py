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
    return int(row["version"]) if row else 0


def migrate(store: Store) -> int:
    """Bring the store up to SCHEMA_VERSION; returns the version found before."""
    found = schema_version(store)
    if found == SCHEMA_VERSION:
        return found
    if found > SCHEMA_VERSION:
        raise StoreError(
            f"the data in {store.root} was written by a newer studiosync (schema {found}, "
            f"this version knows {SCHEMA_VERSION})",
            fix="upgrade studiosync on this computer",
        )
    with store.transaction(STUDIO) as tx:
        version = schema_version(store)
        while version < SCHEMA_VERSION:
            MIGRATIONS[version](tx)
            version += 1
        tx.table(STUDIO, META_TABLE).put("schema", {"version": version})
    return found
