"""Start-up benchmark: the CLI and the console against the bare frameworks, measured side by side.

    .venv/bin/python bench/startup.py [--runs 21] [--paint-runs 7]

Prints one table (not a test: timings depend on the machine). Every row is a fresh process; the rows are
measured in alternation (one run of each per round, the starting row rotating) so a busy machine slows
them alike, and each row reports its median. Targets (issue 16):

- `studiosync users list`  within 2x   of `python -c "import tinydb"`
- `studiosync --help`      within 1.5x of `python -c pass` + argparse (a parser built and parsed)
- console first paint      within 2x   of a bare Textual app with Header + DataTable + Footer
  (process start to the first painted screen, 80x24 headless, the same method as bench/console.py;
  the console runs with its embedded job scheduler on, as IT starts it)

Every row runs in the same interpreter, set up as a fresh `pip install` leaves it: a throw-away venv
whose site-packages point at this venv's dependencies and at the package in its installed layout
(scripts/installed-layout), with a `studiosync` console script like pip's. An editable install would add
its import hook (about 20 ms of pathlib, re, importlib.util) to every process, the bare ones included.
Child processes may write bytecode (PYTHONDONTWRITEBYTECODE is dropped and every row runs once before
timing), as they do after a pip install: otherwise each run would recompile every module it imports.

To see where the time goes: `python -X importtime -m studiosync users list 2>&1 | sort -t'|' -k2 -n`.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYOUT = ROOT / "scripts" / "installed-layout"
CONSOLE_SCRIPT = """#!{python}
import re
import sys
from studiosync.tui.cli import main
if __name__ == "__main__":
    sys.argv[0] = re.sub(r"(-script\\.pyw|\\.exe)?$", "", sys.argv[0])
    sys.exit(main())
"""

def first_paint_scripts() -> tuple[str, str]:
    """bench/console.py's first-paint children: (the bare Textual app, the console with its scheduler on).
    Both print the seconds from BENCH_T0 to Textual's Ready event first on their last line."""
    sys.path.insert(0, str(ROOT / "bench"))
    from console import BARE_PAINT, FIRST_PAINT  # type: ignore[import-not-found]

    assert "embedded_scheduler=True" in FIRST_PAINT, "bench/console.py's FIRST_PAINT changed: update this"
    return BARE_PAINT, FIRST_PAINT


@dataclass
class Row:
    label: str
    argv: list[str]
    reports_paint: bool = False  # the child prints its own start -> first paint time
    times: list[float] = field(default_factory=list)  # wall clock (first paint: as the child reports it)
    cpu: list[float] = field(default_factory=list)  # the child's user + system CPU time

    def run_once(self, env: dict[str, str]) -> None:
        env = dict(env, BENCH_T0=repr(time.time()))
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(self.argv, env=env, capture_output=True, text=True, timeout=120)
        elapsed = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)  # one child at a time: the growth is its own
        if done.returncode != 0:
            raise SystemExit(f"{self.label} failed ({done.returncode}): {done.stderr.strip()[-500:]}")
        painted = float(done.stdout.strip().splitlines()[-1].split()[0]) if self.reports_paint else 0.0
        self.times.append(painted if self.reports_paint else elapsed)
        self.cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)


def installed_venv(where: Path) -> tuple[str, list[str]]:
    """(python, studiosync command) of a venv that sees the package as a regular install would."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True)
    python = where / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    deps = subprocess.run(
        [sys.executable, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # Plain path lines: the dependencies' own .pth files (the editable hook among them) are not run.
    (Path(purelib) / "studiosync-bench.pth").write_text(f"{LAYOUT}\n{deps}\n", encoding="utf-8")
    script = where / "bin" / "studiosync"
    script.write_text(CONSOLE_SCRIPT.format(python=python), encoding="utf-8")
    script.chmod(0o755)
    return str(python), [str(script)]


def make_studio(home: Path, users: int) -> None:
    from studiosync.core.studio.studio import Studio

    studio = Studio.open(home)
    studio.users.add("pat", "Pat Owner", admin=True)
    for n in range(users - 1):
        studio.users.add(f"user{n:03d}", f"Staff Member {n:03d}")


def measure(rows: list[Row], runs: int, env: dict[str, str]) -> None:
    for row in rows:
        row.run_once(env)  # warm-up: bytecode written, files in the page cache
        row.times.clear()
        row.cpu.clear()
    for i in range(runs):
        for k in range(len(rows)):
            rows[(i + k) % len(rows)].run_once(env)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21, help="runs of each CLI row")
    parser.add_argument("--paint-runs", type=int, default=7, help="runs of each first-paint row")
    parser.add_argument("--users", type=int, default=20)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    with tempfile.TemporaryDirectory(prefix="studiosync-startup-") as tmp:
        home = Path(tmp) / "home"
        make_studio(home, args.users)
        py, studiosync = installed_venv(Path(tmp) / "venv")
        bare = Row("python -c pass", [py, "-c", "pass"])
        argp = Row(
            "python + argparse", [py, "-c", "import argparse; argparse.ArgumentParser().parse_args([])"]
        )
        helps = Row("studiosync --help", [*studiosync, "--help"])
        tinydb = Row('python -c "import tinydb"', [py, "-c", "import tinydb"])
        users = Row("studiosync users list", [*studiosync, "--home", str(home), "users", "list"])
        # From files, not `-c`: Textual looks up the source file of every App class.
        bare_paint, console_paint = first_paint_scripts()
        (Path(tmp) / "bare_paint.py").write_text(bare_paint, encoding="utf-8")
        (Path(tmp) / "console_paint.py").write_text(console_paint, encoding="utf-8")
        textual = Row("bare Textual app, first paint", [py, str(Path(tmp) / "bare_paint.py")], reports_paint=True)
        console = Row(
            "console, first paint (scheduler on)",
            [py, str(Path(tmp) / "console_paint.py"), str(home), "pat"],
            reports_paint=True,
        )
        print(f"measuring: {args.runs} runs of each CLI row, {args.paint_runs} of each first paint ...")
        measure([bare, argp, helps, tinydb, users], args.runs, env)
        measure([textual, console], args.paint_runs, env)
        table = [
            (bare, None, None),
            (argp, None, None),
            (helps, argp, 1.5),
            (tinydb, None, None),
            (users, tinydb, 2.0),
            (textual, None, None),
            (console, textual, 2.0),
        ]
        width = max(len(r.label) for r, _, _ in table)
        print(f"{'':{width}}  wall: median    min  ratio   cpu: median  ratio  target (on the wall median)")
        for row, base, target in table:
            ratio = f"{row.median / base.median:5.2f}x" if base else ""
            cpu_ratio = f"{row.cpu_median / base.cpu_median:5.2f}x" if base and not row.reports_paint else ""
            cpu = "" if row.reports_paint else f"{row.cpu_median:6.3f}s"
            verdict = ("ok" if row.median <= target * base.median else "MISSED") if base and target else ""
            goal = f"<= {target:g}x {verdict}" if target else ""
            print(
                f"{row.label:{width}}  {row.median:12.3f}s {min(row.times):6.3f}s {ratio:>6}  "
                f"{cpu:>11} {cpu_ratio:>6}  {goal}"
            )
        print("(cpu: the child's user + system time, steadier than the wall clock on a busy machine; the")
        print(" first-paint rows time from spawn to the first painted screen, so only their wall clock counts)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
