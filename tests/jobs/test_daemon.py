"""`studiosync serve` as a subprocess: live changes, computer selection, one run at a time with a console
on the same computer, clean SIGTERM/SIGINT. The test jobs come from tests/jobs/fakejobs.py."""

from __future__ import annotations

import asyncio
import json
import signal
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from studiosync.core import logs
from studiosync.core.jobs.scheduler import EmbeddedScheduler
from studiosync.core.jobs.service import Jobs
from studiosync.core.studio.studio import Studio

from tests.jobs.conftest import history, run_cli, wait_for
from tests.jobs.fakejobs import HOLD_ENV


def _ok(home: Path, job: str = "test-sleep") -> list[dict]:
    return [r for r in history(home, job) if r["status"] == "ok"]


def _anchor(home: Path, job: str) -> str:
    row = json.loads((home / "store" / "jobs.json").read_text())["jobs"][job]
    return datetime.fromisoformat(row["anchor"]).isoformat(timespec="milliseconds")


def _log_text(home: Path) -> str:
    return "".join(p.read_text(errors="replace") for p in sorted((home / "logs").glob("studiosync.log*")))


def test_changes_are_picked_up_live_and_other_computers_never_run_the_job(home: Path, daemons) -> None:
    Studio.open(home)
    daemon = daemons("alpha")
    daemon.wait_ready()

    # Assigned to a computer that is not this daemon's: accepted with a warning, never run here.
    set_beta = run_cli(
        home,
        "jobs",
        "set",
        "test-sleep",
        "--enable",
        "--schedule",
        "10s",
        "--computer",
        "beta",
        "--option",
        "ms=50",
    )
    assert set_beta.returncode == 0 and "not been seen" in set_beta.stderr
    anchor = _anchor(home, "test-sleep")
    time.sleep(3)  # longer than the daemon's 2 s settings poll
    assert history(home, "test-sleep") == []

    # Moved to alpha: the run owed since the job was enabled happens within seconds, no restart.
    assert run_cli(home, "jobs", "set", "test-sleep", "--computer", "alpha").returncode == 0
    first = wait_for(lambda: _ok(home), 8, "the first run on alpha")
    assert (first[0]["computer"], first[0]["process"], first[0]["trigger"]) == ("alpha", "daemon", "schedule")
    assert first[0]["scheduled_for"] == anchor

    # Disabled live: the daemon drops it from its scheduler (so the fire at anchor + 10 s never comes).
    assert run_cli(home, "jobs", "set", "test-sleep", "--disable").returncode == 0
    wait_for(
        lambda: "Test Sleep is no longer scheduled on alpha" in _log_text(home), 8, "the daemon to unschedule"
    )
    assert len(_ok(home)) == 1

    # Re-enabled with a new schedule: re-anchored, so it runs at once and then hourly.
    assert run_cli(home, "jobs", "set", "test-sleep", "--enable", "--schedule", "1h").returncode == 0
    anchor2 = _anchor(home, "test-sleep")
    wait_for(lambda: any(r["scheduled_for"] == anchor2 for r in _ok(home)), 8, "the run after re-enabling")
    listed = {j["name"]: j for j in json.loads(run_cli(home, "jobs", "list", "--json").stdout)}["test-sleep"]
    assert listed["computer_alive"] is True and listed["last_status"] == "ok"
    assert datetime.fromisoformat(listed["next_run"]) > datetime.now(
        datetime.fromisoformat(anchor2).tzinfo
    ) + timedelta(minutes=59)
    assert daemon.proc.poll() is None


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_the_daemon_cleanly(home: Path, daemons, fake_jobs: None, sig: signal.Signals) -> None:
    Studio.open(home)
    set_job = ["jobs", "set", "test-sleep", "--enable", "--schedule", "10s", "--computer", "alpha"]
    assert run_cli(home, *set_job, "--option", "ms=60000", "--option", "writes=1").returncode == 0
    daemon = daemons("alpha")
    wait_for(
        lambda: [r for r in history(home, "test-sleep") if r["status"] == "running"], 10, "the job to start"
    )
    time.sleep(0.3)  # in the middle of the job's store writes
    started = time.monotonic()
    daemon.proc.send_signal(sig)
    rc = daemon.proc.wait(10)
    took = time.monotonic() - started
    out, err = daemon.proc.communicate()
    assert rc == 0 and took < 10, err
    assert "stopped" in err

    # No half-written store: every file is whole JSON, no temp file is left, the studio opens.
    for path in (home / "store").rglob("*"):
        assert not path.name.endswith(".tmp"), path
        if path.suffix == ".json":
            json.loads(path.read_text())
    studio = Studio.open(home)
    record = Jobs(studio).history("test-sleep")[0]
    assert record.status == "warning" and record.summary.startswith("stopped early"), record
    assert record.finished is not None
    scratch = studio.store.get("test/scratch", "counter", "n")
    assert scratch is not None and scratch["n"] > 0  # it really was writing
    assert not Jobs(studio).get("test-sleep").computer_alive  # the daemon left the computers list


def test_console_and_daemon_on_one_computer_never_overlap(
    home: Path, daemons, fake_jobs: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STUDIOSYNC_COMPUTER", "alpha")
    hold = home.parent / "hold-the-first-run"
    hold.touch()  # the first run lasts until the manual run has been refused, however slow the machine
    monkeypatch.setenv(HOLD_ENV, str(hold))
    studio = Studio.open(home)
    jobs = Jobs(studio)
    jobs.update("test-sleep", enabled=True, schedule="10s", computer="alpha", options={"ms": 1500})

    # The console: an EmbeddedScheduler in an asyncio loop (as inside Textual), in a thread here,
    # logging to the same file as the daemon (as the console app configures it).
    logs.configure(studio.datadir.logs, process="console")
    loop = asyncio.new_event_loop()
    console = EmbeddedScheduler(Studio.open(home))
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    daemon = daemons("alpha")
    try:
        asyncio.run_coroutine_threadsafe(console.start(), loop).result(10)
        daemon.wait_ready()

        # A manual run while the scheduled one runs is refused and recorded, not queued.
        wait_for(lambda: [r for r in history(home, "test-sleep") if r["status"] == "running"], 10, "a run")
        manual = run_cli(home, "jobs", "run", "test-sleep")
        assert manual.returncode == 1 and "skipped" in manual.stdout, manual
        hold.unlink()

        # The run owed at start goes to whichever process looks first; the next fire time (anchor + 10 s)
        # comes to both at once.
        wait_for(lambda: len(_ok(home)) >= 2, 20, "two scheduled runs")
        wait_for(lambda: "done by" in _log_text(home), 5, "the other process to stand down")
    finally:
        clean = asyncio.run_coroutine_threadsafe(console.shutdown(), loop).result(15)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        logs.shutdown()
    assert clean

    runs = sorted(_ok(home), key=lambda r: r["started"])
    assert {r["process"] for r in runs} <= {"console", "daemon"}
    assert len({r["scheduled_for"] for r in runs}) == len(runs)  # each fire time ran once, in one process
    for earlier, later in zip(runs, runs[1:], strict=False):
        assert earlier["finished"] <= later["started"], (earlier, later)
    skipped = [r for r in history(home, "test-sleep") if r["status"] == "skipped"]
    assert [r["trigger"] for r in skipped] == ["manual"]
    assert "still running" in skipped[0]["summary"]
