"""SIGKILL `studiosync sync` mid-run (mid-batch, thanks to injected latency): the next run completes with
no duplicates and nothing lost, on either side."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from datetime import timedelta

import pytest
from studiosync.core.sync.mapping import event_id_for

from ..conftest import studiosync_executable
from .helpers import SyncWorld, soon


def _wait_for(predicate, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not reached")
        time.sleep(0.01)


@pytest.mark.parametrize("kill_after_batches", [1, 3])
def test_sigkill_mid_batch_then_rerun(world: SyncWorld, kill_after_batches: int) -> None:
    world.add_user("ann")
    email = world.emails["ann"]
    base = soon(1)
    studio_appts = world.studio.appointments.add_many(
        "ann",
        [
            {
                "title": f"S{i}",
                "start": base + timedelta(hours=i),
                "end": base + timedelta(hours=i, minutes=30),
            }
            for i in range(240)
        ],
    )
    google = [world.add_event("ann", f"G{i}", base + timedelta(days=1, hours=i)) for i in range(20)]
    # Every batch answers slowly, so the kill lands while one is in flight.
    world.emu.inject_fault("latency", 100, seconds=0.15, path="/batch")
    world.emu.reset_counts()
    proc = subprocess.Popen(
        [studiosync_executable(), "--home", str(world.home), "sync"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "OAUTHLIB_INSECURE_TRANSPORT": "1"},
    )
    try:
        _wait_for(lambda: world.emu.request_counts(email)["batch"] >= kill_after_batches)
        time.sleep(0.05)  # inside the slow batch
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    time.sleep(0.3)  # let the emulator finish the batch the dead client was waiting for
    world.emu.clear_faults()
    live_before = len(world.live_events("ann"))
    linked_before = sum(1 for a in world.appts("ann") if a.google_event_id)
    # the run really was cut short, and Google holds events of ours the studio never linked
    assert live_before < 260
    assert live_before - linked_before >= 50 * kill_after_batches

    world.sync_ok()
    world.sync_ok()
    live = world.live_events("ann")
    appts = world.appts("ann")
    # nothing lost, nothing duplicated, both sides agree
    assert len(live) == 260 and len(appts) == 260
    assert {event_id_for(a.id) for a in studio_appts} <= set(live)
    assert {a.google_event_id for a in appts} == set(live)
    assert sorted(a.title for a in appts) == sorted(e["summary"] for e in live.values())
    assert {g["summary"] for g in google} <= {a.title for a in appts}
    assert not world.studio.appointments.pending_ids("ann")
