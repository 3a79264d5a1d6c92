"""Sync health per user (failing first, lag, last error, last run counts) and one appointment's trace."""

from __future__ import annotations

from datetime import timedelta

import pytest
from studiosync.core.errors import NotFoundError
from studiosync.core.health.appointment import appointment_trace
from studiosync.core.health.users import sync_health
from studiosync.core.studio.timeparse import now_utc

from tests.sync.helpers import SyncWorld, soon


@pytest.fixture
def team(world: SyncWorld) -> SyncWorld:
    """ann and bob sync; cat is staff without sync; room1 is a resource; dan enabled but not authenticated."""
    world.add_user("ann")
    world.add_user("bob")
    world.studio.users.add("cat", "Cat")
    world.studio.users.add("room1", "Room 1", kind="resource")
    world.studio.users.add("dan", "Dan")
    world.set_prefs("dan", enabled=True)
    return world


def test_statuses_and_order(team: SyncWorld) -> None:
    team.add_appt("ann", "Wedding", soon())
    team.sync_ok("ann", "bob")
    team.emu.revoke_grant("bob@example.com")
    assert team.sync("bob").users[0].status == "error"
    health = sync_health(team.studio)
    assert [(h.login, h.status) for h in health] == [
        ("bob", "failing"),
        ("dan", "enabled"),
        ("ann", "authenticated"),
        ("cat", "not_set_up"),
        ("room1", "resource"),
    ]
    by = {h.login: h for h in health}
    bob = by["bob"]
    assert bob.consecutive_failures == 1 and bob.last_error_cause == "grant_revoked"
    assert "studiosync google auth bob" in (bob.last_error_fix or "")  # LOGIN filled in
    assert bob.last_run and bob.last_run["status"] == "error"
    ann = by["ann"]
    assert ann.last_sync and ann.lag_s is not None and 0 <= ann.lag_s < 60
    assert ann.last_run_counts == {"pushed_created": 1}
    assert ann.last_run_summary == "pushed 1, pulled 0"
    assert ann.to_json()["status_text"] == "syncing"
    later = sync_health(team.studio, now=now_utc() + timedelta(hours=2))
    assert next(h for h in later if h.login == "ann").lag_s == pytest.approx(7200, abs=60)


def test_recovery_clears_failing(team: SyncWorld) -> None:
    team.emu.revoke_grant("ann@example.com")
    team.sync("ann")
    team.sync("ann")
    ann = next(h for h in sync_health(team.studio) if h.login == "ann")
    assert ann.status == "failing" and ann.consecutive_failures == 2
    team.authenticate("ann", "ann@example.com")
    team.sync_ok("ann")
    ann = next(h for h in sync_health(team.studio) if h.login == "ann")
    assert ann.status == "authenticated" and ann.last_error is None and ann.consecutive_failures == 0


def test_appointment_trace(team: SyncWorld) -> None:
    appt = team.add_appt("ann", "Portrait", soon())
    doc = appointment_trace(team.studio, appt.id)
    assert doc["sync_state"] == "waiting for the next sync" and doc["last_error"] is None
    assert [t["action"] for t in doc["trace"]] == ["created"]
    team.emu.revoke_grant("ann@example.com")
    team.sync("ann")
    doc = appointment_trace(team.studio, appt.id)
    last = doc["last_error"]
    assert last["source"] == "run" and last["cause"] == "grant_revoked"
    assert "studiosync google auth ann" in last["fix"] and last["run_id"]
    assert doc["user_sync"]["status"] == "failing"
    team.authenticate("ann", "ann@example.com")
    team.sync_ok("ann")
    doc = appointment_trace(team.studio, appt.id)
    assert doc["sync_state"] == "in sync with Google" and doc["google_event_id"] and doc["last_error"] is None


def test_appointment_trace_own_error(team: SyncWorld) -> None:
    appt = team.add_appt("ann", "Portrait", soon())
    stored = team.studio.appointments.get(appt.id)
    # The processor's own words for a Google 400 on this event; the trace line has no cause id.
    stored.sync_error = "Google rejected the request as invalid. (Bad Request)"
    stored.trace.append(
        {"time": "2026-01-01T00:00:00+00:00", "action": "error", "detail": "x", "run_id": "r9"}
    )
    team.studio.appointments.save_many("ann", [stored])
    doc = appointment_trace(team.studio, appt.id)
    last = doc["last_error"]
    assert doc["sync_state"] == "failed to sync (see last_error)"
    assert last["source"] == "appointment" and last["cause"] == "bad_request" and last["run_id"] == "r9"
    assert last["fix"].startswith("Check the item's data")
    with pytest.raises(NotFoundError):
        appointment_trace(team.studio, "0" * 32)
