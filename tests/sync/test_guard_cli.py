"""The mass-deletion guard from the outside: `studiosync sync` exit codes and lines, the `held` JSON of
`google show` and `status`, the doctor's check, the warning email, `sync LOGIN --allow-deletions |
--restore-deleted` and the `prefs deletions` company setting -- all through the real CLI entry point."""

from __future__ import annotations

import json

from studiosync.core.sync.mapping import event_id_for

from tests.conftest import CliRunner
from tests.smtp_server import LocalSMTPServer

from .helpers import SyncWorld, soon


def held_on_studio_side(world: SyncWorld, cli: CliRunner, n: int = 12) -> list:
    world.add_user("ann")
    appts = [world.add_appt("ann", f"Session {i}", soon(1 + i // 6, hour=9 + i % 6)) for i in range(n)]
    assert cli("sync").code == 0
    for a in appts:
        assert cli("appointments", "delete", a.id).code == 0
    return appts


def test_sync_exits_1_and_every_face_shows_the_hold(world: SyncWorld, cli: CliRunner) -> None:
    appts = held_on_studio_side(world, cli)
    res = cli("sync")
    assert res.code == 1
    line = res.out.strip()
    assert line.startswith("ann: error (pushed 0+0~0-")
    assert "The studio deleted 12 of 12 appointments; nothing was deleted on Google" in line
    assert "studiosync sync ann --allow-deletions" in line

    show = json.loads(cli("google", "show", "ann", "--json").out)
    held = show["held"]
    assert (held["side"], held["deletions"], held["linked"]) == ("studio", 12, 12) and held["since"]
    assert show["last_error_cause"] == "deletions_held" and "--restore-deleted" in show["last_error_fix"]
    assert show["last_sync"] is not None  # everything else synced: no lag

    status = json.loads(cli("status", "--json").out)["users"][0]
    assert status["status"] == "held" and status["status_text"] == "deletions held"
    assert status["held"]["deletions"] == 12
    assert "deletions held" in cli("status").out

    doctor = json.loads(cli("doctor", "ann", "--json", "--timeout", "2").out)
    check = next(c for c in doctor["checks"] if c["name"] == "held_deletions")
    assert check["status"] == "fail"
    assert check["detail"].startswith("The studio deleted 12 of 12 appointments; nothing was deleted on Google")
    assert "studiosync sync ann --allow-deletions" in check["fix"]

    res = cli("sync", "ann", "--allow-deletions")
    assert res.code == 0, res.out
    assert res.out.startswith("ann: ok (pushed 0+0~12-")
    assert json.loads(cli("google", "show", "ann", "--json").out)["held"] is None
    assert json.loads(cli("status", "--json").out)["users"][0]["status"] == "authenticated"
    assert not any(event_id_for(a.id) in world.live_events("ann") for a in appts)


def test_restore_deleted_from_the_cli(world: SyncWorld, cli: CliRunner) -> None:
    world.add_user("ann")
    appts = [world.add_appt("ann", f"S{i}", soon(2, hour=8 + i)) for i in range(11)]
    assert cli("sync").code == 0
    for a in appts:
        world.delete_event("ann", event_id_for(a.id))
    res = cli("sync", "--json")
    assert res.code == 1
    doc = json.loads(res.out)
    assert doc["users"][0]["held"]["side"] == "google" and doc["users"][0]["cause"] == "deletions_held"
    res = cli("sync", "ann", "--restore-deleted")
    assert res.code == 0 and res.out.startswith("ann: ok (pushed 0+11~0-"), res.out
    assert set(world.live_events("ann")) == {event_id_for(a.id) for a in appts}
    assert len(json.loads(cli("appointments", "list", "ann", "--json").out)) == 11


def test_release_needs_named_users_and_one_choice(world: SyncWorld, cli: CliRunner) -> None:
    world.add_user("ann")
    res = cli("sync", "--allow-deletions")
    assert res.code == 2 and len(res.err_lines) == 1 and "LOGIN" in res.err and res.out == ""
    res = cli("sync", "ann", "--allow-deletions", "--restore-deleted")
    assert res.code == 2 and len(res.err_lines) == 1
    res = cli("sync", "ann", "--restore-deleted")  # nothing held: an ordinary sync
    assert res.code == 0 and res.out.startswith("ann: ok")


def test_prefs_deletions(world: SyncWorld, cli: CliRunner) -> None:
    res = cli("prefs", "deletions", "--json")
    assert res.code == 0 and json.loads(res.out) == {"max_count": 10, "max_percent": 25}
    res = cli("prefs", "deletions", "--max-count", "20")
    assert res.code == 0 and "more than 20" in res.out and "more than 25%" in res.out
    before = world.studio.prefs.get()
    for bad in (["--max-percent", "101"], ["--max-count", "-1"], ["--max-count", "ten"]):
        res = cli("prefs", "deletions", *bad)
        assert res.code == 2 and len(res.err_lines) == 1, bad
    assert world.studio.prefs.get() == before
    assert json.loads(cli("prefs", "show", "--json").out)["deletion_max_count"] == 20
    # The guard follows the setting: 12 deletions are no longer "more than 20".
    held_on_studio_side(world, cli)
    res = cli("sync")
    assert res.code == 0 and res.out.startswith("ann: ok (pushed 0+0~12-")
    assert "off" in cli("prefs", "deletions", "--max-percent", "100").out


def test_held_user_gets_the_warning_email(world: SyncWorld, cli: CliRunner, smtp_server: LocalSMTPServer) -> None:
    world.studio.prefs.set_email(
        host=smtp_server.host, port=smtp_server.port, security="none", from_addr="studio@example.com"
    )
    world.add_user("ann", warn_email="ann.owner@example.com")
    appts = [world.add_appt("ann", f"S{i}", soon(3, hour=8 + i)) for i in range(11)]
    assert cli("sync").code == 0
    for a in appts:
        world.delete_event("ann", event_id_for(a.id))
    assert cli("sync").code == 1
    (msg,) = smtp_server.messages
    body = msg.message.get_content()
    assert "Google reports 11 of 11 events deleted; nothing was deleted in the studio" in body
    assert "deletions_held" in body and "--allow-deletions" in body


def test_the_installed_command(world: SyncWorld, run_studiosync) -> None:
    """The same through the installed `studiosync` script in its own process."""
    world.add_user("ann")
    appts = [world.add_appt("ann", f"S{i}", soon(4, hour=8 + i)) for i in range(11)]
    world.sync_ok()
    for a in appts:
        world.delete_event("ann", event_id_for(a.id))
    res = run_studiosync("sync")
    assert res.returncode == 1, res.stderr
    assert "Google reports 11 of 11 events deleted; nothing was deleted in the studio" in res.stdout
    show = json.loads(run_studiosync("google", "show", "ann", "--json").stdout)
    assert show["held"]["deletions"] == 11 and show["held"]["side"] == "google"
    res = run_studiosync("sync", "ann", "--allow-deletions")
    assert res.returncode == 0 and res.stdout.startswith("ann: ok (pushed 0+0~0-, pulled 0+0~11-"), res.stdout
    assert json.loads(run_studiosync("google", "show", "ann", "--json").stdout)["held"] is None
