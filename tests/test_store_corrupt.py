"""A corrupt record is named, isolated and repairable (issue 11 point 6), and backups are private.

Each kind of damage (an appointment whose start is a number, a user whose name is a list, a Google tab
whose `enabled` is text, a file that is not JSON any more) gives one line naming the file and the record
(exit 1), while the other users' listings and syncs, and the doctor, keep working; the doctor's `store`
check names the file and the restore command, and `studiosync backup restore` puts the newest good copy
back (keeping the damaged one).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from studiosync.core.store import layout
from studiosync.core.store.backups import list_backups

from tests.helpers.files import bad_modes
from tests.sync.helpers import SyncWorld, soon


@pytest.fixture
def two(world: SyncWorld, cli) -> SyncWorld:
    """ann and bob syncing, one appointment each on both sides, and a backup of it all."""
    for login in ("ann", "bob"):
        world.add_user(login)
        world.add_appt(login, f"{login} session", soon(2))
    world.sync_ok()
    assert cli("jobs", "run", "backup").code == 0
    return world


def _edit_record(world: SyncWorld, file: str, table: str, doc_id: str, **fields: object) -> Path:
    """Damage one record on disk, the way a bad editor or a disk fault would (not through the store)."""
    path = world.studio.store.file(file).path
    data = json.loads(path.read_text())
    data[table][doc_id].update(fields)
    path.write_text(json.dumps(data))
    return path


def _shown(path: Path, home: Path) -> str:
    return "store/" + path.relative_to(home / "store").as_posix()


def _one_named_line(err: str, path: Path, record: str) -> None:
    (line,) = err.splitlines()
    assert line.startswith("studiosync: error: store file ") and str(path) in line, line
    assert f"record {record!r}" in line and "studiosync backup restore store/" in line, line


def test_corrupt_appointment_is_named_and_isolated_then_restored(two: SyncWorld, cli, home: Path) -> None:
    (ann,) = two.appts("ann")
    (bob,) = two.appts("bob")
    name = layout.appointment_file_for("ann", ann.id)
    path = _edit_record(two, name, layout.APPOINTMENTS_TABLE, ann.id, start=12345)

    r = cli("appointments", "list", "bob")
    assert (r.code, r.err) == (0, "") and bob.id in r.out
    r = cli("appointments", "list")  # everyone: bob's are listed, ann's bad one is named
    assert r.code == 1 and bob.id in r.out and ann.id not in r.out
    _one_named_line(r.err, path, ann.id)
    assert "field 'start' is a number" in r.err
    r = cli("appointments", "show", ann.id)
    assert r.code == 1
    _one_named_line(r.err, path, ann.id)

    r = cli("sync", "--json")
    doc = json.loads(r.out)
    status = {u["login"]: u for u in doc["users"]}
    assert r.code == 1 and status["bob"]["status"] == "ok"
    assert status["ann"]["status"] == "error" and str(path) in status["ann"]["error"]

    r = cli("doctor", "--json")  # the doctor still runs, and its store check names the file and the fix
    report = json.loads(r.out)
    store = next(c for c in report["checks"] if c["name"] == "store")
    assert r.code == 1 and store["status"] == "fail"
    assert _shown(path, home) in store["detail"] and repr(ann.id) in store["detail"]
    assert f"studiosync backup restore {_shown(path, home)}" in store["fix"]
    assert {v["login"] for v in report["verdicts"]} == {"ann", "bob"}

    damaged = path.read_bytes()
    r = cli("backup", "restore", _shown(path, home))
    assert r.code == 0, r.err
    assert "restored " + _shown(path, home) in r.out
    kept = next((home / "backups" / "replaced").rglob(path.name))
    assert kept.read_bytes() == damaged  # nothing is destroyed by a restore
    assert cli("appointments", "list").code == 0
    store = next(c for c in json.loads(cli("doctor", "--json").out)["checks"] if c["name"] == "store")
    assert store["status"] == "pass"
    assert bad_modes(home / "store") == [] and bad_modes(home / "backups") == []


def test_user_with_a_list_as_name(two: SyncWorld, cli, home: Path) -> None:
    path = _edit_record(two, layout.STUDIO, "users", "ann", name=["Ann", "B"])
    r = cli("users", "list")
    assert r.code == 1 and "bob" in r.out and "ann " not in r.out
    _one_named_line(r.err, path, "ann")
    assert "field 'name' is a list, expected text" in r.err
    r = cli("appointments", "list", "bob")
    assert (r.code, r.err) == (0, "")
    r = cli("sync", "bob", "--json")
    assert r.code == 0 and json.loads(r.out)["users"][0]["status"] == "ok"
    r = cli("users", "remove", "ann")
    assert r.code == 1
    _one_named_line(r.err, path, "ann")
    r = cli("doctor")
    assert r.code == 1 and "Store files" in r.out and "store/studio.json is corrupt" in r.out


def test_google_tab_with_text_for_enabled(two: SyncWorld, cli) -> None:
    path = _edit_record(two, layout.STUDIO, "google_prefs", "ann", enabled="yes")
    r = cli("google", "show", "ann")
    assert r.code == 1
    _one_named_line(r.err, path, "ann")
    assert "field 'enabled' is text, expected true or false" in r.err
    assert cli("google", "show", "bob").code == 0
    two.add_event("bob", "new on Google", soon(3))
    r = cli("sync", "--json")  # bob syncs; ann's tab is named (on stderr and as a failed user)
    users = json.loads(r.out)["users"]
    assert r.code == 1 and [(u["login"], u["status"]) for u in users] == [("bob", "ok"), ("ann", "error")]
    assert users[0]["counts"]["pulled_created"] == 1 and users[1]["cause"] == "store_corrupt"
    _one_named_line(r.err, path, "ann")
    assert cli("doctor").code == 1


def test_a_file_that_is_no_json_any_more_is_restored(two: SyncWorld, cli, home: Path) -> None:
    path = two.studio.store.file(layout.pending_file("bob")).path
    if not path.exists():  # synced: the pending file may be empty; any user file will do
        path = two.studio.store.file(layout.sync_state_file("bob")).path
    path.write_bytes(b"\x00garbage{")
    store = next(c for c in json.loads(cli("doctor", "--json").out)["checks"] if c["name"] == "store")
    assert store["status"] == "fail" and "is not valid JSON" in store["detail"]
    (ann,) = two.appts("ann")
    ann_file = two.studio.store.file(layout.appointment_file_for("ann", ann.id)).path
    ann_file.write_bytes(b"[1, 2")  # a whole bucket of ann's unreadable: everyone else still lists
    r = cli("appointments", "list")
    assert r.code == 1 and "bob session" in r.out and str(ann_file) in r.err and len(r.err_lines) == 1
    assert cli("backup", "restore", str(ann_file)).code == 0
    r = cli("backup", "list", str(path))
    assert r.code == 0 and "good" in r.out
    r = cli("backup", "restore", str(path))  # an absolute path is accepted too
    assert r.code == 0, r.err
    json.loads(path.read_text())
    assert cli("sync", "bob").code == 0


def test_a_broken_studio_file_is_named_everywhere_and_restorable(two: SyncWorld, cli, home: Path) -> None:
    path = home / "store" / "studio.json"
    path.write_bytes(b'{"users": {"ann": ')
    r = cli("users", "list")
    assert (
        r.code == 1 and str(path) in r.err_lines[0] and "studiosync backup restore store/studio.json" in r.err
    )
    r = cli("backup", "restore", "store/studio.json")  # works without opening the (unreadable) studio
    assert r.code == 0, r.err
    assert cli("users", "list").code == 0


def test_restore_refuses_a_name_outside_the_store_and_a_corrupt_copy(two: SyncWorld, cli, home: Path) -> None:
    for bad in ("/etc/passwd", "../secrets/x.json", "store/../../x", ""):
        r = cli("backup", "restore", bad)
        assert r.code == 2 and len(r.err_lines) == 1, (bad, r.err)
    r = cli("backup", "restore", "store/nothing-like-it.json")
    assert r.code == 1 and "no backup holds it" in r.err
    (backup,) = list_backups(home / "backups")
    copy = backup / "store" / "studio.json"
    data = json.loads(copy.read_text())
    data["users"]["bob"]["admin"] = "yes"
    copy.write_text(json.dumps(data))
    r = cli("backup", "restore", "store/studio.json")
    assert r.code == 1 and "copies are corrupt too" in r.err


def test_backups_are_private_whatever_the_umask(two: SyncWorld, cli, home: Path) -> None:
    old = os.umask(0o022)
    try:
        assert cli("jobs", "run", "backup").code == 0
    finally:
        os.umask(old)
    assert len(list_backups(home / "backups")) == 2
    assert bad_modes(home / "backups") == []


def test_a_scheduled_run_names_a_damaged_user_and_syncs_the_others(two: SyncWorld, cli, home: Path) -> None:
    """A scheduled run has no terminal: a user whose record is corrupt is an error in its run record and
    log (file, record, repair), never skipped in silence, and the other users still sync."""
    from studiosync.core import clock
    from studiosync.core.jobs.catalogue import Catalogue
    from studiosync.core.jobs.computers import this_computer
    from studiosync.core.jobs.runner import run_job

    two.add_user("cid")
    two.sync_ok("cid")
    studio_file = _edit_record(two, layout.STUDIO, "users", "ann", name=["Ann", "B"])
    cid_state = two.studio.store.file(layout.sync_state_file("cid")).path
    cid_state.write_bytes(b"\x00garbage{")
    two.add_event("bob", "new on Google", soon(3))

    Catalogue(two.studio.store).update("google-sync", enabled=True, computer=this_computer())
    record = run_job(two.studio, "google-sync", trigger="schedule", scheduled_for=clock.now(), process="daemon")
    assert record is not None and record.status == "error" and record.kind == "scheduled"
    users = {u["login"]: u for u in record.users}
    assert users["bob"]["status"] == "ok" and users["bob"]["counts"]["pulled_created"] == 1
    ann = users["ann"]
    assert ann["status"] == "error" and ann["cause"] == "store_corrupt"
    assert str(studio_file) in ann["error"] and "record 'ann' in table 'users'" in ann["error"]
    assert "studiosync store verify" in ann["fix"] and "studiosync backup restore store/studio.json" in ann["fix"]
    cid = users["cid"]
    assert cid["status"] == "error" and str(cid_state) in cid["error"] and "backup restore" in cid["fix"]
    assert "ann (store_corrupt)" in record.summary and "cid (store_corrupt)" in record.summary

    lines = [r for r in json.loads(cli("logs", "--json").out) if r.get("cause") == "store_corrupt"]
    assert {r["user"] for r in lines} == {"ann", "cid"} and all(r["level"] == "ERROR" for r in lines)

    r = cli("store", "verify")  # the command the fix names: both files, each with its repair
    assert r.code == 1 and "store/studio.json: corrupt" in r.out and _shown(cid_state, home) in r.out
    assert "studiosync backup restore store/studio.json" in r.out
    doc = json.loads(cli("store", "verify", "--json").out)
    assert {d["file"] for d in doc["corrupt"]} == {"store/studio.json", _shown(cid_state, home)}
    assert cli("backup", "restore", "store/studio.json").code == 0
    r = cli("store", "verify")
    assert r.code == 1 and "studio.json" not in r.out


def test_the_backup_job_never_copies_a_corrupt_file_as_good(two: SyncWorld, cli, home: Path) -> None:
    from studiosync.core.jobs.catalogue import Catalogue

    (good_backup,) = list_backups(home / "backups")
    (ann,) = two.appts("ann")
    ann_file = _edit_record(two, layout.appointment_file_for("ann", ann.id), layout.APPOINTMENTS_TABLE, ann.id, start=1)
    bob_state = two.studio.store.file(layout.sync_state_file("bob")).path
    bob_state.write_bytes(b"\x00garbage{")
    Catalogue(two.studio.store).update("backup", options={"keep": 1})  # pruning would drop the good backup

    r = cli("jobs", "run", "backup", "--json")
    run = json.loads(r.out)
    assert run["status"] == "warning", r.out
    for path in (ann_file, bob_state):
        assert _shown(path, home) in run["summary"]
    assert "studiosync store verify" in run["summary"] and "no old backup was removed" in run["summary"]

    backups = list_backups(home / "backups")
    assert backups[0] == good_backup and len(backups) == 2  # the last good copies were kept
    newest = backups[-1]
    assert not (newest / _shown(ann_file, home)).exists() and not (newest / _shown(bob_state, home)).exists()
    assert (newest / "store" / "studio.json").is_file()  # the good files are backed up
    manifest = json.loads((newest / "manifest.json").read_text())
    assert manifest["complete"] is False
    assert {c["file"] for c in manifest["corrupt"]} == {_shown(ann_file, home), _shown(bob_state, home)}

    listed = {d["backup"]: d for d in json.loads(cli("backup", "list", "--json").out)}
    assert listed[newest.name]["complete"] is False and listed[good_backup.name]["complete"] is True
    assert set(listed[newest.name]["corrupt"]) == set(manifest["corrupt"][i]["file"] for i in range(2))
    table = cli("backup", "list").out
    assert "COMPLETE" in table and "no, corrupt: store/" in table

    r = cli("backup", "restore", _shown(ann_file, home))  # from the older, good backup
    assert r.code == 0 and f"from backup {good_backup.name}" in r.out
