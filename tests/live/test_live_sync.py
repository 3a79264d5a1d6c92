"""Live sync in one process (the thread a console or `studiosync serve` runs), against the emulator over
HTTP: push on save from another process, a burst held behind the run lock goes in one pass, a scheduled
run waits for a live pass instead of skipping, the fast pull costs one request per user per round, a
failing user is left alone, live=off stops it."""

from __future__ import annotations

import json
import subprocess
import threading
from pathlib import Path

import pytest
from studiosync.core.jobs import runner
from studiosync.core.jobs.history import RunRecord
from studiosync.core.jobs.runlock import run_lock
from studiosync.core.jobs.scheduler import HeadlessScheduler
from studiosync.core.jobs.service import Jobs
from studiosync.core.store import layout
from studiosync.core.studio.studio import Studio

from tests.conftest import studiosync_executable
from tests.live.conftest import runs, titles, wait_for
from tests.sync.helpers import SyncWorld, soon


def test_a_cli_edit_in_another_process_is_pushed_on_save(synced: SyncWorld, live, home: Path) -> None:
    sync = live()
    added = subprocess.run(
        [studiosync_executable(), "--home", str(home), "appointments", "add", "ann", "--title", "Booked at the desk",
         "--start", soon(2).isoformat(), "--end", soon(2, hour=11).isoformat()],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    wait_for(lambda: "Booked at the desk" in titles(synced, "ann"), 15, "the appointment on Google")
    [record] = wait_for(lambda: runs(home, "push"), 10, "the push record")
    assert (record["trigger"], record["status"], record["process"]) == ("live", "ok", "test")
    [ann] = record["users"]
    assert ann["login"] == "ann" and ann["counts"]["pushed_created"] == 1
    appt = Studio.open(home).appointments.get(added.stdout.strip())
    assert not appt.dirty and appt.google_event_id
    assert sync.passes >= 1 and not runs(home, "scheduled")  # no full run was involved

    status = subprocess.run(
        [studiosync_executable(), "--home", str(home), "status", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    users = {u["login"]: u for u in json.loads(status.stdout)["users"]}
    assert users["ann"]["last_push"] and users["ann"]["pending"] == 0 and users["bob"]["last_push"] is None


def test_a_burst_behind_the_run_lock_goes_in_one_pass(synced: SyncWorld, live, home: Path) -> None:
    studio = synced.studio
    sync = live()
    # A scheduled run holds the job's run lock: live sync must not push meanwhile.
    with run_lock(studio.datadir.locks, "google-sync", {"pid": 1, "kind": "scheduled"}):
        for i in range(50):
            synced.add_appt("ann", f"Mini session {i}", soon(1 + i % 7, hour=8 + i % 10))
        wait_for(lambda: sync.busy >= 1, 15, "live sync to find the run lock busy")
        assert titles(synced, "ann") == set() and sync.passes == 0
    wait_for(lambda: len(titles(synced, "ann")) == 50, 20, "the 50 appointments on Google")
    [record] = wait_for(lambda: runs(home, "push"), 10, "the push record")
    assert record["users"][0]["counts"]["pushed_created"] == 50
    assert sync.passes == 1 and len(synced.events("ann")) == 50  # one pass, no duplicates
    assert studio.appointments.pending_ids("ann") == []


def test_a_scheduled_run_waits_for_a_live_pass_instead_of_skipping(
    synced: SyncWorld, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    studio = synced.studio
    waiting = threading.Event()
    real_sleep = runner.time.sleep

    def sleep(seconds: float) -> None:
        waiting.set()  # the run met the pass's lock and waits for it
        real_sleep(seconds)

    monkeypatch.setattr(runner.time, "sleep", sleep)
    done: list[RunRecord] = []
    with run_lock(studio.datadir.locks, "google-sync", {"pid": 1, "kind": "pull"}):
        thread = threading.Thread(target=lambda: done.append(Jobs(studio).run("google-sync")), daemon=True)
        thread.start()
        assert waiting.wait(15), "the run never met the live pass's lock"
        assert not done
    thread.join(60)
    [record] = done
    assert record.status == "ok" and record.kind == "manual", record


def test_the_fast_pull_brings_google_edits_at_one_request_per_user_per_round(
    synced: SyncWorld, live, home: Path
) -> None:
    pulls: list[RunRecord] = []
    counting = threading.Event()
    first_counted: list[int] = []

    def heard(record: RunRecord) -> None:  # on the live sync thread, between two passes
        if record.kind != "pull":
            return
        pulls.append(record)
        if counting.is_set() and not first_counted:
            synced.emu.reset_counts()  # every request from here on belongs to the rounds that follow
            first_counted.append(len(pulls))

    sync = live(pull_every=0.5, listener=heard)
    synced.add_event("bob", "Rescheduled by the client", soon(3))
    wait_for(
        lambda: any(a.title == "Rescheduled by the client" for a in synced.appts("bob")),
        15,
        "the Google edit",
    )
    wait_for(lambda: [r for r in pulls if r.users], 10, "the pull record listing bob")

    # Idle: each round is one events.list per user and writes nothing of theirs.
    state_files = [synced.studio.store.file(layout.sync_state_file(u)) for u in ("ann", "bob")]
    before_files = [f.disk_version() for f in state_files]
    counting.set()
    wait_for(lambda: first_counted and len(pulls) >= first_counted[0] + 3, 20, "three idle pull rounds")
    sync.stop()
    rounds = len(pulls) - first_counted[0]
    for login in ("ann", "bob"):
        seen = synced.emu.request_counts(f"{login}@example.com")
        assert (seen["calendar"], seen["batch"], seen["people"]) == (rounds, 0, 0), (rounds, seen)
    assert [f.disk_version() for f in state_files] == before_files
    quiet = [r for r in runs(home, "pull") if r["summary"].endswith("nothing new")]
    # Quiet rounds do not flood the history: they merge into one record, listing nobody.
    assert quiet[0]["users"] == [] and quiet[0]["repeats"] >= rounds
    assert len([r for r in runs(home, "pull") if r["started"] >= quiet[0]["started"]]) == 1


def test_a_failing_user_is_left_alone_while_the_others_sync(synced: SyncWorld, live, home: Path) -> None:
    pulls: list[RunRecord] = []
    synced.emu.revoke_grant("ann@example.com")
    live(pull_every=0.5, listener=lambda r: pulls.append(r) if r.kind == "pull" else None)
    failed = wait_for(lambda: [r for r in pulls if r.status == "error"], 15, "ann's failed pull")[0]
    assert [u["login"] for u in failed.users] == ["ann"] and failed.users[0]["cause"] == "grant_revoked"
    tried = synced.emu.request_counts("ann@example.com")
    start = len(pulls)
    wait_for(lambda: len(pulls) >= start + 2, 15, "two more rounds")
    assert synced.emu.request_counts("ann@example.com") == tried  # held: not tried every round
    synced.add_event("bob", "Still syncing", soon(2))
    wait_for(lambda: any(a.title == "Still syncing" for a in synced.appts("bob")), 15, "bob's pull")
    # Live failures leave the Google tab and the emails to the full runs.
    assert synced.prefs("ann").consecutive_failures == 0


def test_live_off_stops_live_sync_and_on_starts_it(synced: SyncWorld, home: Path) -> None:
    scheduler = HeadlessScheduler(Studio.open(home))
    scheduler.start()
    try:
        wait_for(lambda: scheduler.core.live is not None, 10, "live sync to start with the job")
        Jobs(synced.studio).update("google-sync", options={"live": "off"})
        wait_for(lambda: scheduler.core.live is None, 10, "live sync to stop")
        job = {j.name: j for j in Jobs(synced.studio).list()}["google-sync"]
        assert (job.live, job.pull_every) == (False, 60)
        Jobs(synced.studio).update("google-sync", options={"live": "on", "pull_every": "30s"})
        wait_for(lambda: scheduler.core.live is not None, 10, "live sync to start again")
    finally:
        scheduler.shutdown()
