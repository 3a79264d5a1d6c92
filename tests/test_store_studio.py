"""The store as the services use it: reloads, hot files, partition keys, copies."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from studiosync.core.errors import InputError
from studiosync.core.model.clients import Client
from studiosync.core.store import layout
from studiosync.core.studio.studio import Studio

from tests.helpers.files import changed, snapshot, store_files
from tests.helpers.procs import run_forked

T0 = datetime(2027, 5, 3, 9, 0, tzinfo=UTC)


def _add(studio: Studio, login: str, title: str, hours: int = 0):
    start = T0 + timedelta(hours=hours)
    return studio.appointments.add(login, title=title, start=start, end=start + timedelta(hours=1))


def test_long_lived_studio_sees_changes_made_by_another_process(
    studio: Studio, home: Path, run_studiosync
) -> None:
    studio.users.add("ann", "Ann")
    appt = _add(studio, "ann", "first")
    # Warm every cache this Studio has.
    assert [u.login for u in studio.users.list()] == ["ann"]
    assert [a.title for a in studio.appointments.list("ann")] == ["first"]
    assert studio.prefs.timezone == "UTC"

    assert run_studiosync("users", "add", "bob", "--name", "Bob").returncode == 0
    assert run_studiosync("appointments", "edit", appt.id, "--title", "edited elsewhere").returncode == 0
    added = run_studiosync(
        "appointments",
        "add",
        "ann",
        "--title",
        "second",
        "--start",
        "2027-05-04T09:00",
        "--end",
        "2027-05-04T10:00",
    )
    assert added.returncode == 0, added.stderr
    assert run_studiosync("prefs", "timezone", "Europe/Berlin").returncode == 0

    assert [u.login for u in studio.users.list()] == ["ann", "bob"]
    assert studio.appointments.get(appt.id).title == "edited elsewhere"
    assert studio.appointments.get(appt.id).revision == 2
    assert sorted(a.title for a in studio.appointments.list("ann")) == ["edited elsewhere", "second"]
    assert studio.prefs.timezone == "Europe/Berlin"

    assert run_studiosync("appointments", "delete", added.stdout.strip()).returncode == 0
    assert [a.title for a in studio.appointments.list("ann")] == ["edited elsewhere"]
    # ...and its own writes after that merge with theirs instead of overwriting them.
    _add(studio, "ann", "third", 48)
    studio.users.add("cat", "Cat")
    fresh = Studio.open(home)
    assert sorted(a.title for a in fresh.appointments.list("ann")) == ["edited elsewhere", "third"]
    assert [u.login for u in fresh.users.list()] == ["ann", "bob", "cat"]


def test_stale_caches_in_many_processes_cannot_overwrite_each_other(studio: Studio, home: Path) -> None:
    """Each child inherits this process's warm caches (fork), then all write the same files."""
    studio.users.add("ann", "Ann")
    for i in range(20):
        _add(studio, "ann", f"seed-{i}", i)
    studio.appointments.list("ann")  # warm

    def child(tag: str):
        def work(emit) -> None:
            for i in range(15):
                emit(_add(studio, "ann", f"{tag}-{i}", i).id)  # the inherited, stale Studio
            studio.users.add(f"user-{tag}", tag)
            studio.groups.add(f"group-{tag}")

        return work

    outputs = run_forked([child("a"), child("b"), child("c")])
    ids = {i for lines in outputs for i in lines}
    assert len(ids) == 45
    book = {a.id for a in studio.appointments.list("ann")}
    assert ids <= book and len(book) == 65
    assert len(studio.users.list()) == 4
    assert sorted(g.name for g in studio.groups.list()) == ["group-a", "group-b", "group-c"]


def test_one_edit_rewrites_one_small_bucket_file(studio: Studio, home: Path) -> None:
    studio.users.add("ann", "Ann")
    studio.users.add("bob", "Bob")
    appts = studio.appointments.add_many(
        "ann", [{"title": f"a{i}", "start": T0, "end": T0 + timedelta(hours=1)} for i in range(200)]
    )
    studio.appointments.add_many(
        "bob", [{"title": f"b{i}", "start": T0, "end": T0 + timedelta(hours=1)} for i in range(50)]
    )
    files = store_files(home / "store")
    ann_files = {f"{layout.appointment_file_for('ann', a.id)}.json" for a in appts}
    assert ann_files <= set(files) and len(ann_files) > 8  # one user's book is spread over buckets
    target = appts[123]
    before = snapshot(home)
    studio.appointments.edit(target.id, title="moved")
    touched = {p for p in changed(before, snapshot(home)) if not p.startswith("locks/")}
    expected = layout.appointment_file_for("ann", target.id) + ".json"
    pending = f"store/{layout.pending_file('ann')}.json"
    assert touched == {f"store/{expected}", pending}  # the bucket, and the pending entry (revision 2)
    # ...and that file holds a small share of the user's book, not all of it.
    size = (home / "store" / expected).stat().st_size
    total = sum((home / "store" / f).stat().st_size for f in files if f.startswith("appts/"))
    assert size < total / 16

    before = snapshot(home)
    studio.appointments.delete(appts[7].id)
    touched = {p for p in changed(before, snapshot(home)) if not p.startswith("locks/")}
    assert touched == {f"store/{layout.appointment_file_for('ann', appts[7].id)}.json", pending}


def test_logins_that_share_a_storage_key_are_refused(studio: Studio) -> None:
    # sha1("u20b") and sha1("u24c3") start with the same six hex digits: they would share files.
    assert layout.user_key("u20b") == layout.user_key("u24c3")
    studio.users.add("u20b", "First")
    with pytest.raises(InputError, match="same storage key"):
        studio.users.add("u24c3", "Second")
    assert [u.login for u in studio.users.list()] == ["u20b"]


def test_listing_checks_the_owner_not_just_the_file(studio: Studio) -> None:
    """Even if two users' files collided (data from before the check), a listing shows only the owner's."""
    studio.users.add("u20b", "First")
    appt = _add(studio, "u20b", "mine")
    with studio.store.transaction(layout.STUDIO) as tx:  # bypass the check, as old data might
        tx.table(layout.STUDIO, "users").put("u24c3", {"login": "u24c3", "name": "Second"})
    assert [a.title for a in studio.appointments.list("u20b")] == ["mine"]
    assert studio.appointments.list("u24c3") == []
    assert studio.appointments.get(appt.id).user == "u20b"


def test_returned_objects_do_not_alias_the_cache(studio: Studio, home: Path) -> None:
    """Changing what a service returned (then not saving it) must not leak into a later write."""
    studio.users.add("ann", "Ann")
    appt = _add(studio, "ann", "x")
    got = studio.appointments.get(appt.id)
    got.trace.append({"time": "now", "action": "bogus", "detail": "", "run_id": None})
    got.trace[0]["action"] = "bogus"
    listed = studio.appointments.list("ann")[0]
    listed.trace.clear()
    deleted = studio.appointments.delete(appt.id)
    deleted.trace.append({"action": "bogus"})
    studio.clients.save_many([Client(id="c1", name="Cy", emails=["cy@example.com"])])
    client = studio.clients.list()[0]
    client.emails.append("evil@example.com")
    studio.clients.save_many([Client(id="c2", name="Di")])
    fresh = Studio.open(home)
    assert [c.emails for c in fresh.clients.list()] == [["cy@example.com"], []]
    assert fresh.appointments.list("ann") == []


def test_a_store_written_by_an_older_process_layout_still_loads(studio: Studio, home: Path) -> None:
    """Files written by the pre-fix code (per-pid temp names, umask-mode dirs) are read fine."""
    studio.users.add("ann", "Ann")
    leftover = home / "store" / f".studio.json.{os.getpid()}.123.tmp"
    leftover.write_text("{garbage")
    assert [u.login for u in Studio.open(home).users.list()] == ["ann"]
    assert studio.store.names() == ["studio"]


def test_a_fresh_process_reads_what_this_one_wrote(studio: Studio, home: Path) -> None:
    studio.users.add("ann", "Ann")
    ids = {_add(studio, "ann", f"t{i}", i).id for i in range(5)}
    code = (
        "import sys; from studiosync.core.studio.studio import Studio; "
        "print(' '.join(a.id for a in Studio.open(sys.argv[1]).appointments.list('ann')))"
    )
    out = subprocess.run([sys.executable, "-c", code, str(home)], capture_output=True, text=True, check=True)
    assert set(out.stdout.split()) == ids


def _race_after_first_read(monkeypatch: pytest.MonkeyPatch, target: object, method: str, other_write) -> list:
    """Make `other_write` (another process's Studio, in a thread) run right after target's first read."""
    real = getattr(type(target), method)
    threads: list = []

    def patched(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        result = real(self, *args, **kwargs)
        if self is target and not threads:
            t = threading.Thread(target=other_write)
            threads.append(t)
            t.start()
            t.join(timeout=0.5)  # blocks if the caller holds the lock, as it should
        return result

    monkeypatch.setattr(type(target), method, patched)
    return threads


def test_prefs_changes_are_read_modify_write_under_the_lock(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bug fixed: set_timezone read the preferences before taking the lock and wrote all of them back, so a
    change made meanwhile by another process (here: the escalation setting) was silently undone."""
    mine, theirs = Studio.open(home), Studio.open(home)
    threads = _race_after_first_read(
        monkeypatch, mine.prefs, "get", lambda: theirs.prefs.set_escalation(True, 7)
    )
    mine.prefs.set_timezone("Asia/Tokyo")
    threads[0].join(timeout=10)
    prefs = Studio.open(home).prefs.get()
    assert (prefs.timezone, prefs.escalate_after) == ("Asia/Tokyo", 7)


def test_renaming_a_group_removed_meanwhile_does_not_resurrect_it(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine, theirs = Studio.open(home), Studio.open(home)
    mine.groups.add("Old")
    threads = _race_after_first_read(monkeypatch, mine.groups, "get", lambda: theirs.groups.remove("Old"))
    with pytest.raises(InputError, match="no client group"):
        mine.groups.rename("Old", "New")
    threads[0].join(timeout=10)
    assert Studio.open(home).groups.list() == []


def test_google_tab_updates_do_not_undo_each_other(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mine, theirs = Studio.open(home), Studio.open(home)
    mine.users.add("ann", "Ann")

    def sync_records_its_run() -> None:
        theirs.users.update_google_prefs(
            "ann", lambda p: setattr(p, "last_sync", "2027-01-01T00:00:00+00:00")
        )

    threads = _race_after_first_read(monkeypatch, mine.users, "google_prefs", sync_records_its_run)
    mine.users.update_google_prefs("ann", lambda p: setattr(p, "detailed_logs", True))
    threads[0].join(timeout=10)
    prefs = Studio.open(home).users.google_prefs("ann")
    assert (prefs.detailed_logs, prefs.last_sync) == (True, "2027-01-01T00:00:00+00:00")
    with pytest.raises(InputError, match="no user"):
        mine.users.update_google_prefs("ghost", lambda p: None)
