"""Several processes writing one data directory at once: nothing lost, nothing corrupt."""

from __future__ import annotations

import json
import random
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from studiosync.core.store import layout
from studiosync.core.store.store import Store
from studiosync.core.studio.appointments import APPOINTMENTS, PENDING
from studiosync.core.studio.studio import Studio

from tests.helpers.procs import run_forked

BASE = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
ROUNDS = 3  # per shell in the CLI test: each round is three `studiosync` processes


def _writer(home: Path, tag: str, adds: int, edit_every: int):
    def work(emit) -> None:
        studio = Studio.open(home)
        rnd = random.Random(tag)
        own: list[str] = []
        for i in range(adds):
            start = BASE + timedelta(hours=rnd.randrange(5000))
            appt = studio.appointments.add(
                "ann", title=f"{tag}-{i}", start=start, end=start + timedelta(hours=1)
            )
            own.append(appt.id)
            emit(f"A {appt.id} {appt.title}")
            if i % edit_every == edit_every - 1:
                target = rnd.choice(own)
                edited = studio.appointments.edit(target, title=f"{tag}-edit-{i}")
                emit(f"E {edited.id} {edited.revision} {edited.title}")

    return work


@pytest.mark.slow
def test_three_processes_adding_and_editing_in_the_same_files_lose_nothing(home: Path) -> None:
    studio = Studio.open(home)
    studio.users.add("ann", "Ann")
    outputs = run_forked([_writer(home, tag, 200, 4) for tag in ("p1", "p2", "p3")])

    expected_titles: dict[str, str] = {}
    expected_revision: dict[str, int] = {}
    for lines in outputs:
        assert sum(1 for line in lines if line.startswith("A ")) == 200
        for line in lines:
            kind, appt_id, rest = line.split(" ", 2)
            if kind == "A":
                expected_titles[appt_id] = rest
                expected_revision[appt_id] = 1
            else:  # each process edits only its own appointments, so its last word on one is final
                revision, title = rest.split(" ", 1)
                expected_titles[appt_id] = title
                expected_revision[appt_id] = int(revision)
    assert len(expected_titles) == 600

    # The long-lived Studio opened before the writers sees everything they did (and so does a fresh one).
    for viewer in (studio, Studio.open(home)):
        book = {a.id: a for a in viewer.appointments.list("ann")}
        assert set(book) == set(expected_titles)
        assert {i: a.title for i, a in book.items()} == expected_titles
        assert {i: a.revision for i, a in book.items()} == expected_revision
    # Bookkeeping stayed consistent too: every change is pending for sync, at its latest revision.
    assert sorted(studio.appointments.pending_ids("ann")) == sorted(expected_titles)
    store = Store(studio.datadir)
    appts = {}
    for name in layout.all_appointment_files("ann"):
        appts.update(store.table_rows(name, APPOINTMENTS))
    pending = store.table_rows(layout.pending_file("ann"), PENDING)
    assert {i: p["revision"] for i, p in pending.items()} == {i: a["revision"] for i, a in appts.items()}
    for path in (home / "store").rglob("*.json"):
        json.loads(path.read_bytes())  # every file whole


def _bump_same_appointment(home: Path, appt_id: str, tag: str, times: int):
    def work(emit) -> None:
        studio = Studio.open(home)
        for i in range(times):
            studio.appointments.edit(appt_id, title=f"{tag}-{i}")
        emit("done")

    return work


def _append_to_notes(home: Path, appt_id: str, tag: str, times: int):
    """Read-modify-write of one field under the store's transaction (what an 'append note' service does)."""

    def work(emit) -> None:
        studio = Studio.open(home)
        name = layout.appointment_file_for("ann", appt_id)
        for i in range(times):
            with studio.store.transaction(name) as tx:
                table = tx.table(name, APPOINTMENTS)
                doc = dict(table.get(doc_id=appt_id))
                doc["notes"] += f"{tag}{i};"
                table.put(appt_id, doc)
        emit("done")

    return work


@pytest.mark.slow
def test_two_processes_editing_one_appointment_never_lose_an_update(home: Path) -> None:
    studio = Studio.open(home)
    studio.users.add("ann", "Ann")
    appt = studio.appointments.add("ann", title="shared", start=BASE, end=BASE + timedelta(hours=1))
    neighbour = studio.appointments.add("ann", title="n", start=BASE, end=BASE + timedelta(hours=1))

    run_forked([_bump_same_appointment(home, appt.id, tag, 100) for tag in ("a", "b")])
    after = studio.appointments.get(appt.id)
    assert after.revision == 1 + 200  # every edit bumped the revision read under the lock
    assert after.title in {"a-99", "b-99"}

    run_forked([_append_to_notes(home, appt.id, tag, 100) for tag in ("x", "y")])
    notes = studio.appointments.get(appt.id).notes
    assert Counter(token[0] for token in notes.split(";") if token) == {"x": 100, "y": 100}
    for tag in "xy":  # and each writer's appends stayed in its own order
        own = [int(t[1:]) for t in notes.split(";") if t.startswith(tag)]
        assert own == list(range(100))
    assert studio.appointments.get(neighbour.id).title == "n"


@pytest.mark.slow
def test_concurrent_cli_processes_on_one_data_dir(home: Path, run_studiosync) -> None:
    """The real installed script, three shells at once: users (the small hot studio file) and appointments."""
    assert run_studiosync("users", "add", "ann", "--name", "Ann").returncode == 0
    first = run_studiosync(
        "appointments",
        "add",
        "ann",
        "--title",
        "shared",
        "--start",
        "2027-01-01T09:00",
        "--end",
        "2027-01-01T10:00",
    )
    shared = first.stdout.strip()
    results: dict[int, list[str]] = {}
    errors: list[str] = []

    def shell(k: int) -> None:
        ids = []
        for i in range(ROUNDS):
            r = run_studiosync("users", "add", f"u{k}x{i}", "--name", f"User {k} {i}")
            if r.returncode:
                errors.append(r.stderr)
            r = run_studiosync(
                "appointments",
                "add",
                "ann",
                "--title",
                f"cli-{k}-{i}",
                "--start",
                f"2027-02-{i + 1:02d}T09:00",
                "--end",
                f"2027-02-{i + 1:02d}T10:00",
            )
            if r.returncode:
                errors.append(r.stderr)
            ids.append(r.stdout.strip())
            r = run_studiosync("appointments", "edit", shared, "--title", f"by-{k}-{i}")
            if r.returncode:
                errors.append(r.stderr)
        results[k] = ids

    threads = [threading.Thread(target=shell, args=(k,)) for k in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    listing = run_studiosync("appointments", "list", "ann", "--json")
    assert listing.returncode == 0, listing.stderr
    docs = {d["id"]: d for d in json.loads(listing.stdout)}
    for k, ids in results.items():
        assert [docs[i]["title"] for i in ids] == [f"cli-{k}-{i}" for i in range(ROUNDS)]
    assert len(docs) == 1 + 3 * ROUNDS
    assert docs[shared]["revision"] == 1 + 3 * ROUNDS
    users = json.loads(run_studiosync("users", "list", "--json").stdout)
    assert sorted(u["login"] for u in users) == sorted(
        ["ann"] + [f"u{k}x{i}" for k in range(3) for i in range(ROUNDS)]
    )
