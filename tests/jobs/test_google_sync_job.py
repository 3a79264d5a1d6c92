"""The Google Sync Processor as a Control Center job: a `studiosync serve` subprocess syncs a studio with
the Google emulator on its schedule, and the run history shows each run with its per-user results."""

from __future__ import annotations

import json
from pathlib import Path

from tests.jobs.conftest import history, run_cli, wait_for
from tests.sync.helpers import SyncWorld, soon


def _titles(world: SyncWorld, login: str) -> set[str]:
    return {e.get("summary") for e in world.live_events(login).values()}


def _full_runs(home: Path) -> list[dict]:
    """The scheduled runs that finished ok, oldest last (live sync's push/pull passes aside)."""
    return [r for r in history(home, "google-sync") if r["status"] == "ok" and r.get("kind") == "scheduled"]


def test_daemon_runs_the_google_sync_processor_on_schedule(home: Path, world: SyncWorld, daemons) -> None:
    world.add_user("ann")
    world.add_appt("ann", "Portrait session", soon(2))
    daemon = daemons("alpha")
    daemon.wait_ready()

    enabled = run_cli(
        home, "jobs", "set", "google-sync", "--enable", "--schedule", "10s", "--computer", "alpha"
    )
    assert enabled.returncode == 0, enabled.stderr
    assert enabled.stderr == ""  # alpha is alive and ann has sync enabled: nothing to warn about

    # Enabling makes the run owed now; then every 10 s.
    wait_for(lambda: "Portrait session" in _titles(world, "ann"), 15, "the appointment to reach Google")
    first = wait_for(lambda: _full_runs(home), 10, "run record")[-1]
    assert (first["computer"], first["process"], first["trigger"]) == ("alpha", "daemon", "schedule")
    [ann] = first["users"]
    assert ann["login"] == "ann" and ann["status"] == "ok" and ann["counts"]["pushed_created"] == 1

    world.add_appt("ann", "Wedding consult", soon(3))  # live sync pushes it, or the next run does
    wait_for(lambda: "Wedding consult" in _titles(world, "ann"), 20, "the next push")
    wait_for(lambda: len(_full_runs(home)) >= 2, 20, "2 scheduled runs")

    job = {j["name"]: j for j in json.loads(run_cli(home, "jobs", "list", "--json").stdout)}["google-sync"]
    assert job["enabled"] and job["last_status"] == "ok" and job["computer_alive"]
    log = (home / "logs" / "studiosync.log").read_text()
    lines = [json.loads(line) for line in log.splitlines()]
    run_lines = [line for line in lines if line.get("run_id") == first["id"]]
    # Every line of the run carries the job and the run id; the processor's lines carry the user too.
    assert run_lines and all(
        line["job"] == "google-sync" and line["process"] == "daemon" for line in run_lines
    )
    assert any(line.get("user") == "ann" for line in run_lines)
