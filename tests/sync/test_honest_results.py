"""Honest results (issue 11 point 3): a user whose studio changes could not all be sent, or whose Google
changes could not all be applied, fails the run -- `sync` exits 1, `google show` has last_error with cause
and fix, `status` says failing -- and the next good run sends what was left and clears it."""

from __future__ import annotations

import json

from studiosync.core.sync.mapping import event_id_for
from studiosync.core.sync.state import SyncState

from tests.conftest import CliRunner

from .helpers import SyncWorld, soon


def pending_changes(world: SyncWorld, cli: CliRunner) -> list:
    """ann with 3 linked appointments, then 3 new, 2 edited and 1 deleted in the studio (6 pushes)."""
    world.add_user("ann")
    old = [world.add_appt("ann", f"Old {i}", soon(1, hour=9 + i)) for i in range(3)]
    assert cli("sync").code == 0
    new = [world.add_appt("ann", f"New {i}", soon(2, hour=9 + i)) for i in range(3)]
    world.studio.appointments.edit(old[0].id, title="Old 0 edited")
    world.studio.appointments.edit(old[1].id, title="Old 1 edited")
    world.studio.appointments.delete(old[2].id)
    return old + new


def assert_recovers(world: SyncWorld, cli: CliRunner, appts: list) -> None:
    world.emu.clear_faults()
    res = cli("sync")
    assert res.code == 0 and res.out.startswith("ann: ok (pushed 3+2~1-"), res.out
    show = json.loads(cli("google", "show", "ann", "--json").out)
    assert show["last_error"] is None and show["last_error_cause"] is None
    live = world.live_events("ann")
    assert set(live) == {event_id_for(a.id) for a in appts if a.title != "Old 2"}
    assert not world.studio.appointments.pending_ids("ann")


def test_every_push_failing_503_fails_the_run(world: SyncWorld, cli: CliRunner) -> None:
    appts = pending_changes(world, cli)
    world.emu.inject_fault("503", 1000, in_batch=True)  # every sub-call, every retry
    res = cli("sync")
    assert res.code == 1
    line = res.out.strip()
    assert line.startswith("ann: error (pushed 0+0~0-")
    assert "6 studio change(s) could not be sent to Google: Google's servers kept failing" in line
    assert "Fix:" in line and "go with the next run" in line
    show = json.loads(cli("google", "show", "ann", "--json").out)
    assert show["last_error"].startswith("6 studio change(s) could not be sent to Google")
    assert show["last_error_cause"] == "google_outage" and "next run" in show["last_error_fix"]
    status = json.loads(cli("status", "--json").out)["users"][0]
    assert status["status"] == "failing" and status["last_error_cause"] == "google_outage"
    assert len(world.studio.appointments.pending_ids("ann")) == 6  # nothing acknowledged is lost
    assert_recovers(world, cli, appts)


def test_batch_connection_dropped_every_time_fails_the_run(world: SyncWorld, cli: CliRunner) -> None:
    appts = pending_changes(world, cli)
    world.emu.inject_fault("drop", 1000, path="/batch")  # the batch request itself, every retry
    res = cli("sync", "--json")
    assert res.code == 1
    user = json.loads(res.out)["users"][0]
    assert user["status"] == "error" and user["cause"] == "network"
    assert user["error"].startswith("6 studio change(s) could not be sent to Google")
    assert json.loads(cli("google", "show", "ann", "--json").out)["last_error_cause"] == "network"
    assert_recovers(world, cli, appts)


def test_some_failing_changes_fail_the_run_and_the_rest_goes(world: SyncWorld, cli: CliRunner) -> None:
    appts = pending_changes(world, cli)
    world.emu.inject_fault("503", 1000, in_batch=True, method="POST")  # the 3 inserts keep failing
    res = cli("sync")
    assert res.code == 1 and "3 studio change(s) could not be sent" in res.out, res.out
    assert res.out.startswith("ann: error (pushed 0+2~1-")  # the edits and the deletion went
    assert all(world.studio.appointments.get(a.id).sync_error for a in appts[3:])  # each says why
    world.emu.clear_faults()
    res = cli("sync")
    assert res.code == 0 and res.out.startswith("ann: ok (pushed 3+0~0-"), res.out
    assert len(world.live_events("ann")) == 5 and not world.studio.appointments.pending_ids("ann")


def test_a_google_change_that_cannot_be_applied_fails_and_keeps_the_token(world: SyncWorld) -> None:
    world.add_user("ann")
    world.sync_ok()
    token = SyncState.load(world.studio.store, "ann").sync_token
    world.add_event("ann", "Weekly", soon(1), recurrence=["RRULE:FREQ=WEEKLY;COUNT=4"])
    # Google refuses to expand the new series (a 403 that is neither a rate limit nor fatal).
    world.emu.inject_fault("403_rate", 1, in_batch=True, path="/instances", reason="forbidden")
    u = world.sync().users[0]
    assert u.status == "error" and "could not be expanded" in (u.error or "")
    assert world.appts("ann") == []
    assert SyncState.load(world.studio.store, "ann").sync_token == token  # listed again next run
    u = world.sync_ok().users[0]
    assert u.status == "ok" and len(world.appts("ann")) == 4
