"""Store benchmark: a studio with 50,000 appointments over 20 users.

    python bench/store.py [--users 20] [--appointments 50000] [--home DIR] [--buckets N]

Prints one table. Targets (2-core machine): one appointment edit < 50 ms median, listing one user's
appointments < 100 ms. Not a test: timings depend on the machine and its disk (every commit fsyncs).
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from studiosync.core.store import layout
from studiosync.core.studio.studio import Studio

T0 = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)


def _items(n: int, rnd: random.Random, tag: str) -> list[dict]:
    out = []
    for i in range(n):
        start = T0 + timedelta(minutes=30 * rnd.randrange(40000))
        out.append(
            {
                "title": f"{tag} session {i}",
                "start": start,
                "end": start + timedelta(hours=1),
                "notes": "x" * 40,
            }
        )
    return out


def _times(fn: Callable[[], object], repeat: int) -> list[float]:
    found = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        found.append((time.perf_counter() - t) * 1000)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--appointments", type=int, default=50_000)
    parser.add_argument("--home", help="data directory to create (default: a temporary one)")
    parser.add_argument("--buckets", type=int, default=None, help="try another layout.BUCKETS (experiment)")
    args = parser.parse_args()
    if args.buckets:
        layout.BUCKETS = args.buckets
    tmp = None
    if args.home:
        home = Path(args.home)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="studiosync-bench-")
        home = Path(tmp.name) / "home"
    rnd = random.Random(42)
    rows: list[tuple[str, list[float], str]] = []

    studio = Studio.open(home)
    logins = [f"user{i:02d}" for i in range(args.users)]
    per_user = args.appointments // args.users
    t = time.perf_counter()
    for login in logins:
        studio.users.add(login, login.title())
        studio.appointments.add_many(login, _items(per_user, rnd, login))
    seed_s = time.perf_counter() - t
    total = sum(studio.appointments.count(login) for login in logins)
    size = sum(p.stat().st_size for p in (home / "store").rglob("*.json"))
    print(
        f"seeded {total:,} appointments for {len(logins)} users in {seed_s:.1f} s; store {size / 1e6:.1f} MB"
    )
    # Make every file "old", as in a studio that was not written in the last second.
    time.sleep(1.1)

    # Load everything: a fresh process (interpreter + imports + Studio + read all), and a fresh Studio here.
    # With --buckets, child processes must use the same layout.
    pre = f"from studiosync.core.store import layout;layout.BUCKETS={args.buckets};" if args.buckets else ""
    code = (
        "import sys,time;t=time.perf_counter();" + pre + "from studiosync.core.studio.studio import Studio;"
        "n=len(Studio.open(sys.argv[1]).appointments.list());print(n,(time.perf_counter()-t)*1000)"
    )
    proc_ms, inner_ms = [], []
    for _ in range(3):
        t = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", code, str(home)], capture_output=True, text=True, check=True
        )
        proc_ms.append((time.perf_counter() - t) * 1000)
        n, ms = out.stdout.split()
        assert int(n) == total
        inner_ms.append(float(ms))
    rows.append((f"load all {total:,}: fresh process, wall", proc_ms, ""))
    rows.append(("load all: fresh process, after interpreter start", inner_ms, ""))
    rows.append(
        (
            "load all: fresh Studio in this process",
            _times(lambda: Studio.open(home).appointments.list(), 3),
            "",
        )
    )

    # Listing one user's appointments.
    who = logins[len(logins) // 2]
    rows.append(
        (
            f"list one user ({per_user:,}): fresh Studio",
            _times(lambda: Studio.open(home).appointments.list(who), 10),
            "< 100",
        )
    )
    warm = Studio.open(home)
    warm.appointments.list(who)
    rows.append(("list one user: warm Studio", _times(lambda: warm.appointments.list(who), 20), "< 100"))

    # One edit (median of 50) with a long-lived Studio; the edit commits (fsync) before returning.
    ids = [a.id for a in warm.appointments.list(who)]
    targets = rnd.sample(ids, 50)
    counter = iter(range(10**9))
    rows.append(
        (
            "edit one appointment: long-lived Studio",
            _times(
                lambda: warm.appointments.edit(targets[next(counter) % 50], title=f"edited {next(counter)}"),
                50,
            ),
            "< 50",
        )
    )
    rows.append(
        (
            "edit one appointment: fresh Studio each",
            _times(
                lambda: Studio.open(home).appointments.edit(rnd.choice(ids), title=f"fresh {next(counter)}"),
                20,
            ),
            "< 50",
        )
    )
    cli_path = Path(sys.executable).with_name("studiosync")
    cli = [str(cli_path)]
    if pre:
        cli = [sys.executable, "-c", pre + "import sys;from studiosync.tui.cli import main;sys.exit(main())"]
    if cli_path.exists():
        rows.append(
            (
                "`studiosync appointments edit` (process wall)",
                _times(
                    lambda: subprocess.run(
                        [
                            *cli,
                            "--home",
                            str(home),
                            "appointments",
                            "edit",
                            rnd.choice(ids),
                            "--title",
                            "cli",
                        ],
                        check=True,
                        capture_output=True,
                    ),
                    5,
                ),
                "",
            )
        )

    # Adding 1,000 appointments in one transaction.
    extra = [_items(1000, rnd, f"batch{k}") for k in range(3)]
    batches = iter(extra)
    rows.append(
        (
            "add_many 1,000 appointments (one user)",
            _times(lambda: warm.appointments.add_many(who, next(batches)), 3),
            "",
        )
    )

    width = max(len(r[0]) for r in rows)
    print(f"\n{'operation'.ljust(width)}  {'median ms':>9}  {'min':>7}  {'max':>7}  {'runs':>4}  target")
    for name, values, target in rows:
        med = statistics.median(values)
        verdict = ""
        if target:
            verdict = f"{target} ms " + ("ok" if med < float(target.split()[-1]) else "MISSED")
        print(
            f"{name.ljust(width)}  {med:9.1f}  {min(values):7.1f}  {max(values):7.1f}  {len(values):4d}  {verdict}"
        )
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
