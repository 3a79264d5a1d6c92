"""Schema 1 -> 2: pending ids out of the bucket files, 16 -> layout.BUCKETS buckets; crash-safe and re-runnable.

The schema-1 data directory is written here by hand, file by file, as schema 1 laid it out: 16 buckets per
user, each bucket file holding an `appointments` table and a `pending` table.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from studiosync.core.model.appointments import Appointment
from studiosync.core.store import layout, schema
from studiosync.core.store.files import StoreFile
from studiosync.core.store.schema import META_TABLE
from studiosync.core.studio.appointments import to_record
from studiosync.core.studio.studio import Studio

T0 = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)
V1_BUCKETS = 16


def _v1_bucket(appointment_id: str) -> int:
    return int(hashlib.sha1(appointment_id.encode("utf-8")).hexdigest()[:4], 16) % V1_BUCKETS


def _appointment(login: str, i: int, *, dirty: bool, deleted: bool = False) -> Appointment:
    start = T0 + timedelta(hours=i)
    linked = deleted or not dirty or i % 3 == 0
    return Appointment(
        id=layout.new_appointment_id(login),
        user=login,
        title=f"{login} {i}",
        start=start,
        end=start + timedelta(hours=1),
        revision=3 if dirty else 2,
        synced_revision=2,
        deleted=deleted,
        google_event_id=f"ev{i}" if linked else None,
        trace=[{"time": "2026-11-01T10:00:00+00:00", "action": "created", "detail": "", "run_id": None}],
    )


def _write_json(path: Path, doc: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc))


def write_v1(home: Path, sizes: dict[str, int]) -> tuple[dict[str, dict[str, dict]], dict[str, set[str]]]:
    """A schema-1 data dir; returns each user's appointment records and pending ids."""
    studio = Studio.open(home)
    for login in sizes:
        studio.users.add(login, login.title())
    studio_path = home / "store" / "studio.json"
    doc = json.loads(studio_path.read_bytes())
    doc[META_TABLE]["schema"] = {"version": 1}
    studio_path.write_text(json.dumps(doc))
    for leftover in ("appts", "pending"):
        shutil.rmtree(home / "store" / leftover, ignore_errors=True)

    books: dict[str, dict[str, dict]] = {}
    pending: dict[str, set[str]] = {}
    for login, n in sizes.items():
        key = layout.user_key(login)
        files: dict[int, dict] = {}
        books[login], pending[login] = {}, set()
        for i in range(n):
            appt = _appointment(login, i, dirty=i % 4 == 0, deleted=i % 10 == 5)
            record = to_record(appt)
            books[login][appt.id] = record
            bucket = files.setdefault(_v1_bucket(appt.id), {"appointments": {}})
            bucket["appointments"][appt.id] = record
            if appt.revision > appt.synced_revision or appt.deleted:
                bucket.setdefault("pending", {})[appt.id] = {"revision": appt.revision}
                pending[login].add(appt.id)
        # a stale entry (its appointment is gone): migrated as it is, the next sync drops it
        stale = layout.new_appointment_id(login)
        files.setdefault(_v1_bucket(stale), {"appointments": {}}).setdefault("pending", {})[stale] = {
            "revision": 1
        }
        pending[login].add(stale)
        for number, content in files.items():
            _write_json(home / "store" / "appts" / key / f"{number:02d}.json", content)
    return books, pending


def check_migrated(home: Path, books: dict[str, dict[str, dict]], pending: dict[str, set[str]]) -> None:
    studio = Studio.open(home)
    assert schema.schema_version(studio.store) == schema.SCHEMA_VERSION == 2
    for login, records in books.items():
        found = {a.id: to_record(a) for a in studio.appointments.list(login, include_deleted=True)}
        assert found == records  # every appointment, unchanged
        assert set(studio.appointments.pending_ids(login)) == pending[login]
        assert studio.appointments.count(login) == len(records)
    # On disk: each appointment exactly once, in its bucket under the new layout; no pending table left.
    seen: Counter[str] = Counter()
    for path in (home / "store" / "appts").rglob("*.json"):
        doc = json.loads(path.read_bytes())
        assert "pending" not in doc, path
        for appointment_id in doc.get("appointments", {}):
            seen[appointment_id] += 1
            assert path.stem == f"{layout.bucket_of(appointment_id):02d}"
    assert seen == Counter({i: 1 for records in books.values() for i in records})


@pytest.fixture
def v1(tmp_path: Path) -> tuple[Path, dict, dict]:
    home = tmp_path / "v1"
    books, pending = write_v1(home, {"ann": 160, "bob": 25})
    return home, books, pending


def test_a_schema_1_dir_opens_with_everything_in_place(v1, tmp_path: Path) -> None:
    home, books, pending = v1
    check_migrated(home, books, pending)
    # the pending ids now live in one small file per user
    for login in books:
        doc = json.loads((home / "store" / f"{layout.pending_file(login)}.json").read_bytes())
        assert set(doc["pending"]) == pending[login]
    # and the migrated studio works as usual
    studio = Studio.open(home)
    some = next(a for a in studio.appointments.list("bob") if not a.deleted)
    studio.appointments.edit(some.id, title="after the migration")
    assert some.id in studio.appointments.pending_ids("bob")


def _commits(monkeypatch: pytest.MonkeyPatch, fail_at: int | None = None) -> list[str]:
    """Record every file write (and make the `fail_at`-th one, counted from 1, crash the migration)."""
    written: list[str] = []
    original = StoreFile.commit

    def commit(self: StoreFile) -> None:
        if self.dirty:
            if fail_at is not None and len(written) + 1 == fail_at:
                raise RuntimeError("killed mid-migration")
            written.append(self.path.as_posix())
        original(self)

    monkeypatch.setattr(StoreFile, "commit", commit)
    return written


def test_a_migration_interrupted_anywhere_reruns_without_loss_or_duplicates(
    v1, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home, books, pending = v1
    pristine = tmp_path / "pristine"
    shutil.copytree(home, pristine)
    with monkeypatch.context() as patch:
        clean_run = _commits(patch)
        Studio.open(home)
    total = len(clean_run)
    assert clean_run[-1].endswith("/studio.json")  # the version is stamped last
    # crash points: the first writes (pending files), the moment copies exist in both places (just before
    # a source bucket's removal write), the middle, and the version stamp itself
    old_names = {f"{n:02d}.json" for n in range(V1_BUCKETS)}

    def old(path: str) -> bool:
        return "/appts/" in path and path.rsplit("/", 1)[1] in old_names

    before_removal = [
        i + 1
        for i, path in enumerate(clean_run)
        if old(path) and "/appts/" in clean_run[i - 1] and not old(clean_run[i - 1])
    ]
    points = sorted({1, 2, 3, before_removal[0], before_removal[-1], total // 2, total - 1, total})
    for fail_at in points:
        shutil.rmtree(home)
        shutil.copytree(pristine, home)
        with monkeypatch.context() as patch:
            _commits(patch, fail_at)
            with pytest.raises(RuntimeError, match="killed"):
                Studio.open(home)
        assert json.loads((home / "store" / "studio.json").read_bytes())[META_TABLE]["schema"] == {
            "version": 1
        }
        # the rerun is killed too, half-way through what it had left to do: a third run still completes
        probe = tmp_path / "probe"
        shutil.rmtree(probe, ignore_errors=True)
        shutil.copytree(home, probe)
        with monkeypatch.context() as patch:
            left = len(_commits(patch))
            Studio.open(probe)
        with monkeypatch.context() as patch:
            _commits(patch, fail_at=left // 2 + 1)
            with pytest.raises(RuntimeError, match="killed"):
                Studio.open(home)
        check_migrated(home, books, pending)


def test_a_migration_runs_once_under_the_studio_lock(v1, monkeypatch: pytest.MonkeyPatch) -> None:
    home, books, pending = v1
    files = list((home / "store" / "appts").rglob("*.json"))
    calls: list[str] = []
    original = schema.rebucket_file

    def counting(store, key, name):
        assert store.file(layout.STUDIO).in_transaction  # every step runs while the studio lock is held
        calls.append(name)
        return original(store, key, name)

    monkeypatch.setattr(schema, "rebucket_file", counting)
    Studio.open(home)
    assert len(calls) == len(files)  # each schema-1 bucket file once
    Studio.open(home)
    assert len(calls) == len(files)  # a second open migrates nothing
    check_migrated(home, books, pending)
