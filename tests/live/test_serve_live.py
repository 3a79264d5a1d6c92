"""Live sync in real processes: `studiosync serve` daemons against the emulator over HTTP. A computer that
is not the job's never pushes or pulls; two daemons on the job's computer never both push, and the second
takes over when the first is killed; kill -9 in the middle of a push, then a restart: no duplicates, nothing
lost."""

from __future__ import annotations

import json
import signal
from pathlib import Path

from studiosync.core.jobs.service import Jobs
from studiosync.core.studio.studio import Studio

from tests.jobs.conftest import Daemon
from tests.live.conftest import runs, titles, wait_for
from tests.sync.helpers import SyncWorld, soon


def _log_lines(home: Path) -> list[dict]:
    lines = []
    for path in sorted((home / "logs").glob("studiosync.log*")):
        for raw in path.read_text(errors="replace").splitlines():
            try:
                lines.append(json.loads(raw))
            except ValueError:
                continue
    return lines


def _watching(home: Path, daemon: Daemon) -> bool:
    """The daemon's live sync thread leads and watches studio changes."""
    return any(
        line.get("pid") == daemon.proc.pid and "live sync watching studio changes" in line.get("message", "")
        for line in _log_lines(home)
    )


def _at_least(found: list[dict], n: int) -> list[dict] | None:
    return found if len(found) >= n else None


def _no_run_owed(synced: SyncWorld) -> None:
    """A full run right after enabling: a daemon starting now owes none, so what it pushes is live sync's."""
    assert Jobs(synced.studio).run("google-sync").status == "ok"


def test_only_the_jobs_computer_pushes_and_one_daemon_there_at_a_time(
    synced: SyncWorld, daemons, home: Path
) -> None:
    _no_run_owed(synced)
    beta = daemons("beta")  # not the job's computer
    beta.wait_ready()
    synced.add_appt("ann", "Made while only beta runs", soon(2))
    first = daemons("alpha")
    first.wait_ready()
    wait_for(lambda: "Made while only beta runs" in titles(synced, "ann"), 20, "alpha to push the change")
    second = daemons("alpha")  # a second process on the job's computer (as a console would be)
    second.wait_ready()

    synced.add_appt("bob", "Second change", soon(3))
    wait_for(lambda: "Second change" in titles(synced, "bob"), 20, "the second push")
    pushes = wait_for(lambda: _at_least(runs(home, "push"), 2), 10, "two push records")
    assert {(r["computer"], r["pid"]) for r in pushes} == {("alpha", first.proc.pid)}
    assert not any(
        line.get("pid") == beta.proc.pid and line.get("job") == "google-sync" for line in _log_lines(home)
    )

    # The leader dies without a word: the other alpha process takes over live sync.
    first.proc.send_signal(signal.SIGKILL)
    first.proc.wait(10)
    wait_for(lambda: _watching(home, second), 20, "the second alpha daemon to take over")
    synced.add_appt("ann", "After the takeover", soon(4))
    wait_for(lambda: "After the takeover" in titles(synced, "ann"), 20, "the push by the second daemon")
    pushes = wait_for(lambda: _at_least(runs(home, "push"), 3), 10, "the second daemon's push record")
    pids = {r["pid"] for r in pushes}
    assert pids == {first.proc.pid, second.proc.pid} and beta.proc.pid not in pids
    assert all(len(synced.events(u)) == len(titles(synced, u)) for u in ("ann", "bob"))  # no duplicates


def test_kill_9_in_the_middle_of_a_push_then_restart_no_duplicates(
    synced: SyncWorld, daemons, home: Path
) -> None:
    _no_run_owed(synced)
    daemon = daemons("alpha")
    daemon.wait_ready()
    wait_for(lambda: _watching(home, daemon), 20, "live sync to watch")
    # Google takes its time with the next batch: the push is in flight when the daemon is killed.
    synced.emu.inject_fault("latency", 1, seconds=3, path="/batch")
    synced.emu.reset_counts()
    for i in range(5):
        synced.add_appt("ann", f"Family shoot {i}", soon(2 + i))
    wait_for(
        lambda: synced.emu.request_counts("ann@example.com")["batch"] >= 1, 20, "the push's batch to arrive"
    )
    daemon.proc.send_signal(signal.SIGKILL)
    daemon.proc.wait(10)
    # Google still carries out what it received: the events exist, the studio never heard back.
    wait_for(lambda: len(titles(synced, "ann")) == 5, 20, "Google to finish the batch")
    studio = Studio.open(home)
    assert len(studio.appointments.pending_ids("ann")) == 5

    again = daemons("alpha")
    again.wait_ready()
    wait_for(
        lambda: Studio.open(home).appointments.pending_ids("ann") == [], 30, "the restarted daemon's push"
    )
    events = synced.events("ann")
    assert len(events) == 5 and len({e["id"] for e in events}) == 5  # nothing twice
    appts = Studio.open(home).appointments.list("ann")
    assert sorted(a.title for a in appts) == sorted(e["summary"] for e in events)  # nothing lost
    assert all(not a.dirty and a.google_event_id in {e["id"] for e in events} for a in appts)
