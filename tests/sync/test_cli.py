"""`studiosync sync [LOGIN...]`: one line per user; exit 0 all synced, 1 any failed, 2 unknown login."""

from __future__ import annotations

import json

from .helpers import SyncWorld, soon


def test_sync_all_then_one_failing(world: SyncWorld, cli) -> None:
    world.add_user("ann")
    world.add_user("bob")
    world.add_appt("ann", "Session", soon(1))
    res = cli("sync")
    assert res.code == 0, res.err
    lines = res.out.splitlines()
    assert len(lines) == 2 and lines[0].startswith("ann: ok (pushed 1+") and lines[1].startswith("bob: ok")
    world.emu.revoke_grant(world.emails["bob"])
    res = cli("sync")
    assert res.code == 1
    bob = res.out.splitlines()[1]
    assert bob.startswith("bob: error") and "Fix:" in bob
    res = cli("sync", "ann")
    assert res.code == 0 and res.out.count("\n") == 1


def test_unknown_login_and_json(world: SyncWorld, cli) -> None:
    world.add_user("ann")
    res = cli("sync", "ann", "nobody")
    assert res.code == 2 and len(res.err_lines) == 1 and "nobody" in res.err
    res = cli("sync", "--json")
    assert res.code == 0
    doc = json.loads(res.out)
    assert doc["status"] == "ok" and doc["users"][0]["login"] == "ann"


def test_named_user_not_enabled_is_exit_1(world: SyncWorld, cli) -> None:
    world.studio.users.add("cy", "Cy")
    res = cli("sync", "cy")
    assert res.code == 1 and res.out.startswith("cy: skipped")


def test_no_enabled_user(cli) -> None:
    res = cli("sync")
    assert res.code == 0 and "no user has Google sync enabled" in res.out


def test_recurring_horizon_is_the_google_sync_job_option(world: SyncWorld, cli) -> None:
    world.add_user("ann")
    world.add_event("ann", "Daily stand-up", soon(1), recurrence=["RRULE:FREQ=DAILY"])
    res = cli("jobs", "set", "google-sync", "--option", "horizon_days=20")
    assert res.code == 0, res.err
    assert cli("sync").code == 0
    assert 19 <= len(world.appts("ann")) <= 21
    res = cli("jobs", "set", "google-sync", "--option", "horizon_days=3")
    assert res.code == 2 and "horizon_days" in res.err  # below the minimum of a week: refused
