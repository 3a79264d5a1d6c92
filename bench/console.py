"""Benchmark the console (prints numbers; not a test).

1. Process start to first paint: a fresh Python process opens a studio and runs the console headless
   with its scheduler on; the time from spawning it to the first painted screen.
   Measured side by side with a bare Textual app (Header + DataTable + Footer): the ratio (target 2x).
2. Users screen with 500 users: from pressing F3 to the table filled, and one filter keystroke.
3. Log pane under 1,000 lines/s: a writer thread appends structured lines for a few seconds while the
   Logs section follows the file; event-loop lag is measured by a ticker that should wake every 20 ms.
4. Browser console (`studiosync web` in headless Chromium): from opening the page to the login screen
   painted in the browser (target < 2 s), and the memory of each open browser session's console process
   (logged in, Google tab shown): RSS and PSS (its fair share of shared pages) in MiB.

    .venv/bin/python bench/console.py [--users 500] [--rate 1000] [--seconds 5] [--web-sessions 4]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")

# First paint = Textual's Ready event ("the DOM is ready and the first frame has been displayed"), for
# both apps. The console then also reports when the dashboard's table holds its rows (data read in a worker).
FIRST_PAINT = """
import os, sys, time
t0 = float(os.environ["BENCH_T0"])
from studiosync.core.studio.studio import Studio
from studiosync.tui.app import StudioSyncApp

import studiosync.tui.app

class Measured(StudioSyncApp):
    CSS_PATH = os.path.join(os.path.dirname(studiosync.tui.app.__file__), "app.tcss")
    painted = 0.0

    def on_ready(self):
        self.painted = time.time() - t0
        self.set_interval(0.005, self.filled)

    def filled(self):
        if any(t.row_count for t in self.screen.query("#health-table")):
            print(f"{self.painted:.3f} {time.time() - t0:.3f}", flush=True)
            self.exit()

# The scheduler is on, as in `studiosync console` (it starts right after the first paint).
Measured(Studio.open(sys.argv[1]), login=sys.argv[2], embedded_scheduler=True).run(headless=True, size=(80, 24))
"""

# The yardstick of issue 16: a bare Textual app with a header, a data table and a footer.
BARE_PAINT = """
import os, time
t0 = float(os.environ["BENCH_T0"])
from textual.app import App
from textual.widgets import DataTable, Footer, Header

class Bare(App):
    def compose(self):
        yield Header()
        yield DataTable()
        yield Footer()

    def on_ready(self):
        print(f"{time.time() - t0:.3f}", flush=True)
        self.exit()

Bare().run(headless=True, size=(80, 24))
"""


def _paint(code: str, *args: str) -> list[float]:
    # From a file, not `-c`: Textual looks up the source file of every App class.
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as script:
        script.write(code)
    env = dict(os.environ, BENCH_T0=repr(time.time()))
    try:
        out = subprocess.run(
            [sys.executable, script.name, *args], env=env, cwd=ROOT, capture_output=True, text=True, check=True
        )
    finally:
        os.unlink(script.name)
    return [float(x) for x in out.stdout.strip().splitlines()[-1].split()]


def first_paint(home: Path, runs: int = 7) -> tuple[list[float], list[float], list[float]]:
    """(console first paint, console dashboard filled, bare first paint), side by side (interleaved)."""
    console, filled, bare = [], [], []
    for _ in range(runs):
        bare.append(_paint(BARE_PAINT)[0])
        painted, rows = _paint(FIRST_PAINT, str(home), "pat")
        console.append(painted)
        filled.append(rows)
    return console, filled, bare


def make_studio(home: Path, users: int) -> None:
    from studiosync.core.studio.studio import Studio

    studio = Studio.open(home)
    studio.users.add("pat", "Pat Owner", admin=True)
    t = time.perf_counter()
    for n in range(users - 1):
        studio.users.add(f"user{n:04d}", f"Staff Member {n:04d}", kind="resource" if n % 25 == 0 else "staff")
    print(f"  (setup: {users} users added in {time.perf_counter() - t:.1f} s)")


async def users_screen(home: Path) -> tuple[float, float, int]:
    from studiosync.core.studio.studio import Studio
    from studiosync.tui.app import StudioSyncApp
    from studiosync.tui.widgets.field import Field
    from textual.widgets import DataTable

    app = StudioSyncApp(Studio.open(home), login="pat", embedded_scheduler=False, blink_cursor=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        t = time.perf_counter()
        await pilot.press("f3")
        table = None
        while True:
            await pilot.pause(0.005)
            found = app.screen.query("#users-table")
            table = found.first(DataTable) if found else None
            if table is not None and table.row_count >= 100:
                break
        shown = time.perf_counter() - t
        rows = table.row_count
        field = app.screen.query_one("#users-filter", Field)
        field.focus()
        await pilot.pause()
        t = time.perf_counter()
        await pilot.press("7")
        while table.row_count == rows:
            await pilot.pause(0.002)
        filtered = time.perf_counter() - t
    return shown, filtered, rows


async def log_pane(home: Path, rate: int, seconds: float) -> dict[str, float]:
    from studiosync.core.studio.studio import Studio
    from studiosync.tui.app import StudioSyncApp
    from studiosync.tui.widgets.log_pane import LogPane

    studio = Studio.open(home)
    log_dir = Path(studio.datadir.logs)
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / "studiosync.log"
    path.touch()
    app = StudioSyncApp(studio, login="pat", embedded_scheduler=False, blink_cursor=False)
    lags: list[float] = []
    total = int(rate * seconds)

    def writer() -> None:
        t0 = time.monotonic()
        with path.open("a", buffering=1) as fh:
            for seq in range(total):
                delay = t0 + seq / rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                fh.write(
                    json.dumps(
                        {
                            "time": datetime.now(UTC).isoformat(),
                            "level": "INFO",
                            "process": "bench",
                            "job": "google-sync",
                            "run_id": f"run{seq // 200:05d}",
                            "user": f"user{seq % 7}",
                            "message": f"bench line {seq} [b]not markup[/b]",
                        }
                    )
                    + "\n"
                )

    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("f9")
        await pilot.pause(0.3)
        pane = app.screen.query_one(LogPane)
        thread = threading.Thread(target=writer, daemon=True)
        thread.start()
        start = time.perf_counter()
        while thread.is_alive() or len(pane.records) < total:
            t = time.perf_counter()
            await asyncio.sleep(0.02)
            lags.append((time.perf_counter() - t - 0.02) * 1000)
            if time.perf_counter() - start > seconds + 10:
                break
        received = len(pane.records)
        elapsed = time.perf_counter() - start
        # Responsiveness with the pane full: a key press round trip.
        t = time.perf_counter()
        await pilot.press("p")
        key_ms = (time.perf_counter() - t) * 1000
    lags.sort()
    return {
        "lines": total,
        "received": received,
        "elapsed_s": elapsed,
        "lag_p50_ms": statistics.median(lags),
        "lag_p95_ms": lags[int(len(lags) * 0.95)],
        "lag_max_ms": lags[-1],
        "key_ms": key_ms,
    }


def web_figures(sessions: int, loads: int = 5) -> dict[str, list[float]] | None:
    from studiosync.core.studio.studio import Studio
    from studiosync.tui.web.browser import (
        WebServerProcess,
        XtermPage,
        find_chromium,
        log_records,
        start_chromium,
    )

    if find_chromium() is None:
        print("   skipped: no chromium/chromedriver (apt-get install chromium chromium-driver)")
        return None
    with tempfile.TemporaryDirectory(prefix="studiosync-bench-web-") as tmp:
        home = Path(tmp) / "home"
        studio = Studio.open(home)
        studio.users.add("pat", "Pat Owner", admin=True, password="bench password")
        for n in range(sessions):
            studio.users.add(f"staff{n}", f"Staff {n}", password="bench password")
        web = WebServerProcess(home, "--max-sessions", str(sessions + 2))
        drivers = [start_chromium(1200, 800) for _ in range(sessions)]
        try:
            page = XtermPage(drivers[0])
            paints = []
            for _ in range(loads):
                t = time.perf_counter()
                page.open(web.url)
                page.wait_for("Log in to the software")
                paints.append(time.perf_counter() - t)
            for n, driver in enumerate(drivers):
                other = XtermPage(driver)
                if n:
                    other.open(web.url)
                other.log_in(f"staff{n}", "bench password")
                other.wait_for("Enable Google Sync")
            opened = log_records(home, "web session opened")
            closed = {r["session"] for r in log_records(home, "web session closed")}
            pids = [r["pid"] for r in opened if r["session"] not in closed]
            rss = [_memory_mib(pid, "Rss") for pid in pids]
            pss = [_memory_mib(pid, "Pss") for pid in pids]
        finally:
            for driver in drivers:
                driver.quit()
            web.stop()
    return {"paint_s": paints, "rss_mib": rss, "pss_mib": pss}


def _memory_mib(pid: int, field: str) -> float:
    """A process's memory from /proc/PID/smaps_rollup (kB), in MiB."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--rate", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--paint-only", action="store_true", help="only the first-paint comparison")
    parser.add_argument("--web-sessions", type=int, default=4)
    args = parser.parse_args()
    if args.paint_only:
        args.users = 1
    with tempfile.TemporaryDirectory(prefix="studiosync-bench-") as tmp:
        home = Path(tmp) / "home"
        make_studio(home, args.users)
        if not args.paint_only:
            print(f"1. users screen with {args.users} users")
            shown, filtered, rows = asyncio.run(users_screen(home))
            print(
                f"   F3 -> {rows} rows shown: {shown * 1000:.0f} ms; one filter keystroke -> table refilled: "
                f"{filtered * 1000:.0f} ms"
            )

        print("2. process start -> first paint (80x24, headless, scheduler on; 7 runs, side by side)")
        paints, filled, bare = first_paint(home)
        ratio = statistics.median(paints) / statistics.median(bare)
        print(
            f"   console median {statistics.median(paints):.2f} s (min {min(paints):.2f}, max {max(paints):.2f}); "
            f"bare Textual app (Header + DataTable + Footer) median {statistics.median(bare):.2f} s; "
            f"ratio {ratio:.2f} (target within 2x)\n"
            f"   dashboard table filled: median {statistics.median(filled):.2f} s "
            f"({statistics.median(filled) / statistics.median(bare):.2f}x the bare app's first paint)"
        )

        if args.paint_only:
            return 0
        print(f"3. log pane following {args.rate} lines/s for {args.seconds:g} s")
        result = asyncio.run(log_pane(home, args.rate, args.seconds))
        print(
            f"   {result['received']}/{result['lines']} lines shown in {result['elapsed_s']:.1f} s; event-loop lag "
            f"p50 {result['lag_p50_ms']:.1f} ms, p95 {result['lag_p95_ms']:.1f} ms, max {result['lag_max_ms']:.1f} ms; "
            f"key press round trip {result['key_ms']:.0f} ms"
        )

    print(f"4. browser console (studiosync web, headless Chromium, {args.web_sessions} sessions)")
    web = web_figures(args.web_sessions)
    if web is not None:
        paints, rss, pss = web["paint_s"], web["rss_mib"], web["pss_mib"]
        print(
            f"   page opened -> login screen painted: median {statistics.median(paints):.2f} s, "
            f"min {min(paints):.2f} s, max {max(paints):.2f} s (target < 2 s)"
        )
        print(
            f"   memory per open session (console process, logged in, Google tab): RSS median "
            f"{statistics.median(rss):.0f} MiB (max {max(rss):.0f}), PSS median {statistics.median(pss):.0f} MiB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
