"""Google sync benchmark against the emulator (over real HTTP on loopback).

    /work/venv/bin/python bench/sync.py [--populate 1000] [--small 500] [--large 50000] [--users 200]

Prints one table. Not a timed test: seconds depend on the machine and its disk (every commit fsyncs).

(a) Populate Google with N appointments: Calendar HTTP requests (target <= 1 list + N/50 batches) and time.
(b) A run with no change: exactly 1 Calendar request per user (+1 People with contacts on) and no
    appointment file rewritten (mtimes checked). The user's small sync state file does get the run record.
(c) Local seconds of a run with 10 changes in a small vs a large book (target: within 2x).
(d) U users, no changes: seconds for one processor run (target < 10 s).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")

from studiosync.core.emulator import GoogleEmulator  # noqa: E402
from studiosync.core.store import layout  # noqa: E402
from studiosync.core.studio.studio import Studio  # noqa: E402
from studiosync.core.sync.processor import run_sync  # noqa: E402

from tests.sync.helpers import SyncWorld, fast_options  # noqa: E402

T0 = (datetime.now(UTC) + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
Row = tuple[str, str, str, str]


def items(n: int, tag: str, rnd: random.Random) -> list[dict[str, Any]]:
    out = []
    for i in range(n):
        start = T0 + timedelta(minutes=30 * rnd.randrange(20000))
        out.append(
            {"title": f"{tag} {i}", "start": start, "end": start + timedelta(hours=1), "notes": "x" * 40}
        )
    return out


def new_world(emu: GoogleEmulator, root: Path, name: str) -> SyncWorld:
    home = root / name
    home.mkdir(parents=True)
    world = SyncWorld.create(home, emu)
    world.options = fast_options()
    return world


def mtimes(world: SyncWorld, login: str) -> dict[Path, int]:
    paths = [world.studio.store.root / f"{n}.json" for n in layout.all_appointment_files(login)]
    return {p: p.stat().st_mtime_ns for p in paths if p.exists()}


def http(requests: dict[str, int], *kinds: str) -> int:
    return sum(requests.get(k, 0) for k in kinds)


def bench_populate(emu: GoogleEmulator, root: Path, n: int) -> list[Row]:
    world = new_world(emu, root, "populate")
    world.studio.users.add("ann", "Ann")
    world.studio.appointments.add_many("ann", items(n, "P", random.Random(1)))
    world.add_user("ann", populate_google=True)
    t = time.perf_counter()
    result = world.sync_ok()
    seconds = time.perf_counter() - t
    u = result.users[0]
    target = 1 + -(-n // 50)
    reqs = http(u.requests, "calendar", "batch")
    assert u.counts["pushed_created"] == n and len(world.live_events("ann")) == n
    assert not world.prefs("ann").populate_google
    rows = [
        (
            f"(a) populate {n:,} appointments",
            "Calendar HTTP requests",
            f"{reqs} ({u.requests})",
            f"<= {target}",
        ),
        ("", "seconds", f"{seconds:.2f}", ""),
    ]
    # (b) on the same user: settle the echo of the pushes, then a run with no change
    world.set_prefs("ann", contacts=True, client_group=world.studio.groups.add("G").id)
    world.sync_ok()
    world.sync_ok()
    time.sleep(1.1)  # past the store's racy-signature window, as between two scheduled runs
    before = mtimes(world, "ann")
    state_file = world.studio.store.root / f"{layout.sync_state_file('ann')}.json"
    state_before = state_file.stat().st_mtime_ns
    world.emu.reset_counts()
    t = time.perf_counter()
    result = world.sync_ok()
    seconds = time.perf_counter() - t
    u = result.users[0]
    server = world.counts("ann")
    rewritten = sum(1 for p, m in mtimes(world, "ann").items() if before.get(p) != m)
    rows += [
        (
            "(b) no-change run (contacts on)",
            "Calendar / People requests",
            f"{u.requests.get('calendar', 0)} / {u.requests.get('people', 0)}"
            f" (emulator saw {server['calendar']} / {server['people']})",
            "1 / 1",
        ),
        ("", "appointment files rewritten", str(rewritten), "0"),
        (
            "",
            "sync state file written",
            "yes (run record)" if state_file.stat().st_mtime_ns != state_before else "no",
            "",
        ),
        ("", "seconds", f"{seconds:.3f}", ""),
    ]
    return rows


def ten_changes(emu: GoogleEmulator, root: Path, size: int, rnd: random.Random) -> tuple[float, float]:
    """A book of `size` (already synced), then 10 edits: median seconds of the run that sends them; and the
    seconds of a no-change run by a fresh process (cold store cache, as a cron-started CLI)."""
    world = new_world(emu, root, f"book{size}")
    world.studio.users.add("ann", "Ann")
    world.studio.appointments.add_many("ann", items(size, "B", rnd))
    time.sleep(0.01)
    world.add_user("ann")  # enabled after the book exists: the old appointments stay in the studio
    world.sync_ok()  # one-time: clears the pending entries of the pre-existing book
    chosen = rnd.sample(world.studio.appointments.list("ann"), 10)
    samples = []
    for n in range(3):
        for appt in chosen:  # 10 studio changes (not timed)
            world.studio.appointments.edit(appt.id, title=f"{appt.title} (changed {n})")
        time.sleep(1.1)  # past the racy window: files are read from memory, as in a long-running process
        t = time.perf_counter()
        result = world.sync_ok()
        samples.append((time.perf_counter() - t, result.users[0]))
    seconds = statistics.median(s for s, _ in samples)
    # the first run creates them on Google (the book predates sync), the next ones update them
    assert all(u.pushed == 10 for _, u in samples), [u.one_line() for _, u in samples]
    world.sync_ok()  # settle the echo
    cold = Studio.open(world.home)  # a new Store: nothing cached, every file read from disk
    t = time.perf_counter()
    run_sync(cold, options=world.options)
    return seconds, time.perf_counter() - t


def bench_books(emu: GoogleEmulator, root: Path, small: int, large: int) -> list[Row]:
    rnd = random.Random(7)
    s, s_cold = ten_changes(emu, root, small, rnd)
    big, big_cold = ten_changes(emu, root, large, rnd)
    return [
        (f"(c) 10 changes, {small:,}-appointment book", "seconds (median of 3 runs)", f"{s:.3f}", ""),
        (f"    10 changes, {large:,}-appointment book", "seconds (median of 3 runs)", f"{big:.3f}", ""),
        ("", "ratio large / small", f"{big / s:.1f}x", "<= 2x"),
        (f"    no change, fresh process, {small:,} book", "seconds (cold store cache)", f"{s_cold:.3f}", ""),
        (
            f"    no change, fresh process, {large:,} book",
            "seconds (cold store cache)",
            f"{big_cold:.3f}",
            "",
        ),
    ]


def bench_users(emu: GoogleEmulator, root: Path, n: int) -> list[Row]:
    world = new_world(emu, root, "users")
    for i in range(n):
        world.add_user(f"u{i:03d}")
    first = time.perf_counter()
    world.sync_ok()
    first = time.perf_counter() - first
    world.sync_ok()
    time.sleep(1.1)
    emu.reset_counts()
    t = time.perf_counter()
    result = run_sync(world.studio, options=world.options)
    seconds = time.perf_counter() - t
    assert result.status == "ok" and len(result.users) == n
    calendar = emu.request_counts()["calendar"]
    return [
        (f"(d) {n} users, no changes", "seconds", f"{seconds:.2f}", "< 10"),
        ("", "Calendar requests (emulator)", str(calendar), str(n)),
        ("", "first run (token refresh, full listings)", f"{first:.2f}", ""),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--populate", type=int, default=1000)
    parser.add_argument("--small", type=int, default=500)
    parser.add_argument("--large", type=int, default=50000)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--buckets", type=int, default=None, help="try another layout.BUCKETS (experiment)")
    args = parser.parse_args()
    if args.buckets:
        layout.BUCKETS = args.buckets
    root = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    rows: list[Row] = []
    try:
        with GoogleEmulator() as emu:
            rows += bench_populate(emu, root, args.populate)
            rows += bench_books(emu, root, args.small, args.large)
            rows += bench_users(emu, root, args.users)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    headers = ("scenario", "measure", "result", "target")
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


if __name__ == "__main__":
    main()
