"""Crash safety: a writer killed with SIGKILL at random moments never loses an acknowledged write.

A forked child adds and edits appointments through the services as fast as it can and prints each id (and
revision) only after the call returned, i.e. after the commit. The parent waits for a few acknowledged
writes (so a loaded machine, which gives the child little CPU, still lets it write), then kills it a random
0-50 ms later, more than 100 times, on the same data directory (so the files grow), and checks after every kill that the
store loads and holds everything the child acknowledged.
"""

from __future__ import annotations

import os
import random
import signal
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from studiosync.core.store import layout
from studiosync.core.studio.studio import Studio

from tests.helpers.files import bad_modes

KILLS = 105
BASE = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


def _child(home: Path, wfd: int, seed: int, known: list[str]) -> None:
    """Runs in the forked process; never returns."""
    try:
        studio = Studio.open(home)
        rnd = random.Random(seed)
        own: list[str] = []
        os.write(wfd, b"R\n")
        n = 0
        while True:
            n += 1
            roll = rnd.random()
            start = BASE + timedelta(hours=rnd.randrange(20000))
            if roll < 0.4 or not (own or known):
                appt = studio.appointments.add(
                    "ann", title=f"s{seed}-{n}", start=start, end=start + timedelta(hours=1)
                )
                own.append(appt.id)
                line = f"A {appt.id}"
            elif roll < 0.9:
                target = rnd.choice(own) if own and rnd.random() < 0.5 else rnd.choice(known or own)
                appt = studio.appointments.edit(target, title=f"e{seed}-{n}")
                line = f"E {appt.id} {appt.revision} {appt.title}"
            else:
                items = [
                    {"title": f"m{seed}-{n}-{i}", "start": start, "end": start + timedelta(minutes=30)}
                    for i in range(25)
                ]
                added = studio.appointments.add_many("ann", items)
                own.extend(a.id for a in added)
                line = "M " + " ".join(a.id for a in added)
            os.write(wfd, (line + "\n").encode())
    except BaseException:  # noqa: BLE001 - report, then die without running pytest's cleanup
        import traceback

        os.write(wfd, ("X " + traceback.format_exc().replace("\n", " | ") + "\n").encode())
    finally:
        os._exit(0)


def _run_once(home: Path, seed: int, known: list[str], acks: int, delay: float) -> list[str]:
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        os.close(rfd)
        _child(home, wfd, seed, known)
    os.close(wfd)
    try:
        buf = b""
        while buf.count(b"\n") < 1 + acks:  # "R", then `acks` acknowledged writes
            chunk = os.read(rfd, 65536)
            if not chunk:
                break
            buf += chunk
        time.sleep(delay)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        while chunk := os.read(rfd, 65536):
            buf += chunk
    finally:
        os.close(rfd)
    return buf.decode().splitlines()


@pytest.mark.slow
def test_sigkilled_writer_never_loses_an_acknowledged_write(home: Path) -> None:
    studio = Studio.open(home)
    studio.users.add("ann", "Ann")
    studio.users.add("bob", "Bob")
    start = BASE
    bob_appt = studio.appointments.add("bob", title="untouched", start=start, end=start + timedelta(hours=1))
    seed_appt = studio.appointments.add("ann", title="seed", start=start, end=start + timedelta(hours=1))

    rnd = random.Random(20261125)
    added: set[str] = {seed_appt.id}
    edited: dict[str, tuple[int, str]] = {}
    total_lines = 0
    interrupted_commits = 0
    for kill in range(KILLS):
        round_started = time.time_ns()
        lines = _run_once(home, kill, sorted(added), rnd.randint(3, 5), rnd.uniform(0.0, 0.05))
        assert lines and lines[0] == "R", lines[:2]
        this_round: set[str] = set()
        for line in lines[1:]:
            kind, _, rest = line.partition(" ")
            assert kind != "X", f"child failed: {rest}"
            if kind == "A":
                this_round.add(rest)
            elif kind == "M":
                this_round.update(rest.split())
            elif kind == "E":
                appt_id, revision, title = rest.split(" ", 2)
                if int(revision) >= edited.get(appt_id, (0, ""))[0]:
                    edited[appt_id] = (int(revision), title)
                this_round.add(appt_id)
            total_lines += 1
        added |= this_round
        # Evidence that kills land inside commits: a temp file written during this round is left behind.
        if any(t.stat().st_mtime_ns >= round_started for t in (home / "store").rglob(".*.tmp")):
            interrupted_commits += 1
        # The long-lived Studio of this (parent) process must see the child's writes: no stale cache.
        found = studio.appointments.get_many("ann", this_round)
        missing = this_round - set(found)
        assert not missing, f"kill {kill}: acknowledged appointments lost: {sorted(missing)[:3]}"
        for appt_id in this_round & set(edited):
            revision, title = edited[appt_id]
            assert found[appt_id].revision >= revision, f"kill {kill}: edit of {appt_id} lost"
            if found[appt_id].revision == revision:
                assert found[appt_id].title == title

    assert total_lines > KILLS * 2, "the child hardly wrote anything: kills did not land during writes"
    print(f"{KILLS} kills, {total_lines} acknowledged writes, {interrupted_commits} kills inside a commit")
    assert interrupted_commits >= 3, "no kill landed between temp file and rename: the test proves little"
    # A fresh Studio (as a new process would) loads every file and finds every acknowledged write.
    fresh = Studio.open(home)
    book = {a.id: a for a in fresh.appointments.list("ann")}
    assert added <= set(book)
    for appt_id, (revision, title) in edited.items():
        assert book[appt_id].revision >= revision
        if book[appt_id].revision == revision:
            assert book[appt_id].title == title
    assert [a.title for a in fresh.appointments.list("bob")] == ["untouched"]
    assert fresh.appointments.get(bob_appt.id).revision == 1
    # Killed writers leave at most one temp file per store file, and everything stays private. A temp file
    # may stand beside no file at all: a kill during the very first write of a bucket (nothing in it was
    # acknowledged, so the checks above hold); it must still be the temp of one of ann's store files.
    root = home / "store"
    temps = list(root.rglob(".*.tmp"))
    ann_files = {root / f"{name}.json" for name in layout.all_appointment_files("ann")}
    ann_files.add(root / f"{layout.pending_file('ann')}.json")
    for tmp in temps:
        assert tmp.with_name(tmp.name[1 : -len(".tmp")]) in ann_files, tmp
    assert len(temps) <= len(ann_files)
    assert bad_modes(home) == []
