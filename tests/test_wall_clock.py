"""No screen and no doctor check reads today's date: the same suites pass with the wall clock a year ahead.

The snapshot suite pins the product's one clock (core.clock) at 2026-12-01 10:00. A path that reads the
wall clock instead -- as the doctor's studio checks once did, which broke CI the day after the snapshots
were taken -- shows a different age, a different weekday or a different verdict, and a snapshot fails.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import SHIFT_ENV

ROOT = Path(__file__).resolve().parent.parent


def test_shift_moves_the_wall_clock_of_a_run(tmp_path: Path) -> None:
    """The mechanism itself: under the variable, a test in the child run sees the wall clock a year on."""
    probe = tmp_path / "test_probe.py"
    real = datetime.now(UTC)
    probe.write_text(
        "from datetime import UTC, datetime\n"
        "from studiosync.core import clock\n"
        "def test_probe():\n"
        f"    assert datetime.now(UTC).year == {(real + timedelta(days=365)).year}\n"
        f"    assert clock.now() > datetime.fromisoformat('{(real + timedelta(days=364)).isoformat()}')\n"
    )
    done = _pytest([str(probe), "--rootdir", str(ROOT), "-p", "tests.conftest"], days=365)
    assert done.returncode == 0, done.stdout[-3000:]


@pytest.mark.slow
def test_snapshots_and_doctor_pass_with_the_wall_clock_a_year_ahead() -> None:
    # Two workers: this one test re-runs two suites, the longest single test of the whole run.
    done = _pytest(["-n", "2", "tests/tui/test_snapshots.py", "tests/doctor"], days=365)
    assert done.returncode == 0, done.stdout[-6000:]
    assert " passed" in done.stdout and "failed" not in done.stdout


def _pytest(args: list[str], *, days: int) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, SHIFT_ENV: str(days)}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
