"""Benchmark: how far behind does ``follow_logs`` run behind a busy writer in another process?

A separate writer PROCESS logs ~1,000 lines/s for ~5 s (each line carries its send time) through
core.logs, with a small max_bytes so the file rotates several times; this process follows the log
and measures the lag between write time and read time.

    /work/venv/bin/python bench/logs.py [--seconds 5] [--rate 1000] [--poll 0.2 0.05]
"""

from __future__ import annotations

import argparse
import multiprocessing
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from studiosync.core import logs  # noqa: E402


def writer(log_dir: str, rate: int, seconds: float, max_bytes: int, start_at: float) -> None:
    logs.configure(Path(log_dir), process="bench-writer", max_bytes=max_bytes, backups=50)
    total = int(rate * seconds)
    while time.time() < start_at:
        time.sleep(0.001)
    t0 = time.monotonic()
    for seq in range(total):
        delay = t0 + seq / rate - time.monotonic()
        if delay > 0:  # paced, not bursty: each line goes out at its own scheduled moment
            time.sleep(delay)
        logs.event("info", "bench line", seq=seq, sent=time.time(), pad="x" * 80)


def run(poll: float, rate: int, seconds: float, max_bytes: int) -> dict[str, float]:
    log_dir = Path(tempfile.mkdtemp(prefix="studiosync-bench-"))
    total = int(rate * seconds)
    start_at = time.time() + 1.0  # let the spawned interpreter import before the clock starts
    proc = multiprocessing.get_context("spawn").Process(
        target=writer, args=(str(log_dir), rate, seconds, max_bytes, start_at)
    )
    stop = threading.Event()
    follow = logs.follow_logs(log_dir, poll=poll, stop=stop)  # started before the file exists
    proc.start()
    lags: list[float] = []
    seqs: set[int] = set()
    duplicates = 0
    deadline = start_at + seconds + 10
    for rec in follow:
        now = time.time()
        if rec is not None:
            seq = rec.fields["seq"]
            duplicates += seq in seqs
            seqs.add(seq)
            lags.append((now - rec.fields["sent"]) * 1000)
        if len(seqs) >= total or now > deadline:
            stop.set()
    proc.join()
    rotations = len(list(log_dir.glob("studiosync.log.*")))
    shutil.rmtree(log_dir, ignore_errors=True)
    q = statistics.quantiles(lags, n=100) if len(lags) > 1 else [0.0] * 99
    return {
        "poll_ms": poll * 1000,
        "written": total,
        "seen": len(seqs),
        "dups": duplicates,
        "rotations": rotations,
        "p50": q[49],
        "p95": q[94],
        "max": max(lags, default=0.0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rate", type=int, default=1000)
    parser.add_argument("--poll", type=float, nargs="+", default=[0.2, 0.05])
    parser.add_argument("--max-bytes", type=int, default=250_000)
    args = parser.parse_args()
    header = f"{'poll ms':>8} {'written':>8} {'seen':>6} {'dups':>5} {'rotations':>9} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}"
    print(f"writer: separate process, {args.rate} lines/s for {args.seconds:g} s, max_bytes={args.max_bytes}")
    print(header)
    print("-" * len(header))
    for poll in args.poll:
        r = run(poll, args.rate, args.seconds, args.max_bytes)
        print(
            f"{r['poll_ms']:>8.0f} {r['written']:>8} {r['seen']:>6} {r['dups']:>5} {r['rotations']:>9}"
            f" {r['p50']:>8.1f} {r['p95']:>8.1f} {r['max']:>8.1f}"
        )


if __name__ == "__main__":
    main()
