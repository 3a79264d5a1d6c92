"""Schema version and migrations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from studiosync.core.errors import StoreError
from studiosync.core.paths import DataDir
from studiosync.core.store import schema
from studiosync.core.store.layout import STUDIO
from studiosync.core.store.schema import META_TABLE, SCHEMA_VERSION, migrate, schema_version
from studiosync.core.store.store import Store
from studiosync.core.studio.studio import Studio


def test_a_new_data_dir_is_stamped_with_the_current_version(home: Path) -> None:
    Studio.open(home)
    doc = json.loads((home / "store" / "studio.json").read_bytes())
    assert doc[META_TABLE]["schema"] == {"version": SCHEMA_VERSION}


def test_opening_a_current_dir_writes_nothing(home: Path) -> None:
    Studio.open(home)
    path = home / "store" / "studio.json"
    before = path.stat()
    Studio.open(home)
    after = path.stat()
    assert (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns)


def test_migrations_run_in_order_from_zero(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(DataDir(tmp_path / "d").ensure())
    with store.transaction(STUDIO) as tx:  # data written before versions existed: no _meta at all
        tx.table(STUDIO, "users").put("ann", {"login": "ann", "name": "Ann"})
    assert schema_version(store) == 0
    ran: list[int] = []

    def step(n: int):
        def migration(tx) -> None:
            ran.append(n)
            users = tx.table(STUDIO, "users")
            doc = dict(users.get(doc_id="ann"))
            doc.setdefault("steps", []).append(n)
            users.put("ann", doc)

        return migration

    monkeypatch.setattr(schema, "SCHEMA_VERSION", 3)
    monkeypatch.setattr(schema, "MIGRATIONS", {0: step(0), 1: step(1), 2: step(2)})
    assert migrate(store) == 0
    assert ran == [0, 1, 2]
    fresh = Store(store.datadir)
    assert fresh.get(STUDIO, META_TABLE, "schema") == {"version": 3}
    assert fresh.get(STUDIO, "users", "ann")["steps"] == [0, 1, 2]
    assert migrate(fresh) == 3 and ran == [0, 1, 2]  # nothing runs twice


def test_a_failing_migration_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(DataDir(tmp_path / "d").ensure())
    with store.transaction(STUDIO) as tx:
        tx.table(STUDIO, "users").put("ann", {"login": "ann"})
    before = (store.root / "studio.json").read_bytes()

    def broken(tx) -> None:
        tx.table(STUDIO, "users").put("ann", {"half": "done"})
        raise RuntimeError("migration bug")

    monkeypatch.setattr(schema, "MIGRATIONS", {0: broken})
    with pytest.raises(RuntimeError):
        migrate(store)
    assert (store.root / "studio.json").read_bytes() == before
    assert schema_version(store) == 0


def _stamp(home: Path, version: object) -> bytes:
    Studio.open(home)
    path = home / "store" / "studio.json"
    doc = json.loads(path.read_bytes())
    doc[META_TABLE]["schema"]["version"] = version
    path.write_bytes(json.dumps(doc).encode())
    return path.read_bytes()


def test_a_newer_schema_is_refused_untouched(home: Path) -> None:
    before = _stamp(home, SCHEMA_VERSION + 1)
    with pytest.raises(StoreError, match="newer studiosync") as info:
        Studio.open(home)
    assert info.value.fix and "upgrade" in info.value.fix
    assert (home / "store" / "studio.json").read_bytes() == before


def test_cli_refuses_a_newer_schema_with_exit_1(home: Path, cli) -> None:
    before = _stamp(home, SCHEMA_VERSION + 5)
    result = cli("users", "list", "--json")
    assert result.code == 1
    assert result.out == ""
    assert result.err_lines[0].startswith("studiosync: error: ") and "newer studiosync" in result.err_lines[0]
    assert f"schema {SCHEMA_VERSION + 5}" in result.err
    assert (home / "store" / "studio.json").read_bytes() == before


@pytest.mark.parametrize("bad", ["2", None, -1, True, 1.5])
def test_a_garbled_schema_version_is_a_clear_store_error(home: Path, bad: object) -> None:
    before = _stamp(home, bad)
    with pytest.raises(StoreError, match="studio.json is corrupt"):
        Studio.open(home)
    assert (home / "store" / "studio.json").read_bytes() == before
