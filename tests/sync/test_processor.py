"""The Google Sync Processor: users isolated, outcomes on the Google tab, run records, logs, progress, stop."""

from __future__ import annotations

import json
import threading

import pytest
from studiosync.core import logs
from studiosync.core.errors import NotFoundError
from studiosync.core.sync.mapping import event_id_for
from studiosync.core.sync.processor import ProgressEvent
from studiosync.core.sync.state import RUN_HISTORY, SyncState, run_history

from .helpers import SyncWorld, soon


def test_failing_users_are_isolated_with_cause_and_fix(world: SyncWorld) -> None:
    for login in ("ann", "bob", "cy", "dee"):
        world.add_user(login)
        world.add_appt(login, f"{login} session", soon(2))
    world.emu.revoke_grant(world.emails["bob"])
    world.emu.delete_calendar(world.emails["cy"])
    world.emu.inject_fault("403_quota", 5, account=world.emails["dee"])
    r = world.sync()
    by = {u.login: u for u in r.users}
    assert by["ann"].status == "ok" and by["ann"].counts["pushed_created"] == 1
    assert (by["bob"].status, by["bob"].cause) == ("error", "grant_revoked")
    assert (by["cy"].status, by["cy"].cause) == ("error", "calendar_gone")
    assert (by["dee"].status, by["dee"].cause) == ("error", "quota")
    assert r.status == "error" and "bob (grant_revoked)" in r.summary
    for login in ("bob", "cy", "dee"):
        tab = world.prefs(login)
        assert tab.last_error and tab.last_error_cause == by[login].cause and tab.last_error_fix
        assert tab.consecutive_failures == 1 and tab.last_attempt and tab.last_sync is None
    assert "Authenticate" in world.prefs("bob").last_error_fix
    ann = world.prefs("ann")
    assert ann.last_sync and ann.last_error is None and ann.consecutive_failures == 0
    # a second failing run counts up; recovering clears
    world.sync("cy")
    assert world.prefs("cy").consecutive_failures == 2
    world.emu.clear_faults()
    world.sync_ok("dee")
    assert world.prefs("dee").consecutive_failures == 0 and world.prefs("dee").last_error is None


def test_not_authenticated_and_no_calendar(world: SyncWorld) -> None:
    world.add_user("ann")
    world.add_user("bob")
    world.studio.secrets.delete("ann")
    world.set_prefs("bob", calendar_id=None)
    by = {u.login: u for u in world.sync().users}
    assert by["ann"].cause == "not_authenticated" and "Authenticate" in (by["ann"].fix or "")
    assert by["bob"].cause == "no_calendar"


def test_targets_named_unknown_and_disabled(world: SyncWorld) -> None:
    world.add_user("ann")
    world.add_user("bob")
    world.set_prefs("bob", enabled=False)
    world.studio.users.add("room1", "Room 1", kind="resource")
    assert [u.login for u in world.sync().users] == ["ann"]
    r = world.sync("bob", "room1")
    assert [u.status for u in r.users] == ["skipped", "skipped"]
    with pytest.raises(NotFoundError):
        world.sync("nobody")


def test_run_records_log_trail_and_progress(world: SyncWorld, tmp_path) -> None:
    logs.configure(tmp_path / "logs", process="test")
    try:
        for login in ("ann", "bob", "cy"):
            world.add_user(login)
            world.add_appt(login, "x", soon(1))
        events: list[ProgressEvent] = []
        r = world.sync_ok(progress=events.append)
        assert events[-1].users_done == 3 and events[-1].users_total == 3
        assert sum(e.pushed for e in events) == 3
        records = run_history(world.studio.store, "ann")
        assert records[-1]["run_id"] == r.run_id and records[-1]["counts"]["pushed_created"] == 1
        assert records[-1]["requests"]["calendar"] == 1 and records[-1]["requests"]["batch"] == 1
        lines = [json.loads(x) for x in (tmp_path / "logs" / "studiosync.log").read_text().splitlines()]
        mine = [x for x in lines if x["run_id"] == r.run_id]
        assert {x["user"] for x in mine} >= {"ann", "bob", "cy"}
        assert all(x["job"] == "google-sync" for x in mine)
    finally:
        logs.shutdown()
    # history stays bounded; quiet runs merge into one record
    for _ in range(3):
        world.sync_ok("ann")
    records = run_history(world.studio.store, "ann")
    assert records[-1]["repeats"] >= 2
    state = SyncState.load(world.studio.store, "ann")
    for i in range(RUN_HISTORY + 5):
        state.add_run({"run_id": str(i), "status": "warning", "warnings": ["w"], "counts": {}})
    state.save(world.studio.store)
    assert len(run_history(world.studio.store, "ann")) == RUN_HISTORY


def test_stop_finishes_the_current_user_and_skips_the_rest(world: SyncWorld) -> None:
    for login in ("ann", "bob", "cy"):
        world.add_user(login)
        world.add_appt(login, "x", soon(1))
    stop = threading.Event()
    world.options.workers = 1

    def on_progress(event: ProgressEvent) -> None:
        if event.users_done == 1:
            stop.set()

    r = world.sync(stop=stop, progress=on_progress)
    assert [u.status for u in r.users] == ["ok", "skipped", "skipped"]
    # the stopped ones sync normally next time
    r = world.sync_ok()
    assert [u.counts["pushed_created"] for u in r.users] == [0, 1, 1]


def test_stop_mid_user_saves_what_was_done(world: SyncWorld) -> None:
    world.add_user("ann")
    appts = [world.add_appt("ann", f"S{i}", soon(1 + i % 30, hour=8 + i % 9)) for i in range(120)]
    stop = threading.Event()
    from studiosync.core.sync.push import Pusher

    original = Pusher.run_batch
    calls = []

    def run_ops(self, ops):
        calls.append(len(ops))
        out = original(self, ops)
        stop.set()  # e.g. SIGTERM arrives during the first batch
        return out

    Pusher.run_batch = run_ops
    try:
        r = world.sync(stop=stop)
    finally:
        Pusher.run_batch = original
    assert r.users[0].status == "ok" and r.users[0].counts["pushed_created"] == 50
    assert len(world.live_events("ann")) == 50
    assert len(world.studio.appointments.pending_ids("ann")) == 70
    world.sync_ok()
    assert set(world.live_events("ann")) == {event_id_for(a.id) for a in appts}


def test_parallel_users(world: SyncWorld) -> None:
    logins = [f"u{i}" for i in range(8)]
    for login in logins:
        world.add_user(login)
        world.add_appt(login, "x", soon(1))
        world.add_event(login, "g", soon(2))
    r = world.sync_ok()
    assert [u.login for u in r.users] == logins
    assert all(u.counts["pushed_created"] == 1 and u.counts["pulled_created"] == 1 for u in r.users)


def test_overlapping_runs_of_one_user_never_interleave(world: SyncWorld) -> None:
    from studiosync.core.sync.processor import _user_lock

    world.add_user("ann")
    world.add_user("bob")
    with _user_lock(world.studio, "ann") as held:  # e.g. the daemon is syncing ann right now
        assert held
        r = world.sync()
    by = {u.login: u for u in r.users}
    assert by["ann"].status == "skipped" and "another sync" in by["ann"].warnings[0]
    assert by["bob"].status == "ok"
    assert world.sync_ok().users[0].status == "ok"
