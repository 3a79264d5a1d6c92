"""`studiosync doctor`, `studiosync status` and `studiosync prefs escalation` from the command line."""

from __future__ import annotations

import json

from core.doctor import CHECK_NAMES, STUDIO_CHECKS
from tests.conftest import CliRunner
from tests.doctor.helpers import enable_job, set_up_email
from tests.smtp_server import LocalSMTPServer, smtp_server  # noqa: F401 - the fixture
from tests.sync.helpers import SyncWorld


def test_doctor_json_for_a_user(healthy: SyncWorld, cli: CliRunner) -> None:
    result = cli("doctor", "ann", "--json", "--timeout", "2")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert [c["name"] for c in doc["checks"]] == list(CHECK_NAMES)
    for c in doc["checks"]:
        assert c["status"] in ("pass", "warn", "fail") and {"detail", "fix"} <= set(c)
    assert doc["failed"] is False and doc["login"] == "ann"


def test_doctor_exit_1_on_a_failed_check_and_text_shows_the_fix(healthy: SyncWorld, cli: CliRunner) -> None:
    enable_job(healthy.studio, enabled=False)
    result = cli("doctor", "ann", "--timeout", "2")
    assert result.code == 1
    assert "FAIL  Google Sync Processor job" in result.out
    assert "fix: Utilities > Control Center" in result.out
    assert "WARN  Token storage" in result.out
    enable_job(healthy.studio)
    assert cli("doctor", "ann", "--timeout", "2").code == 0  # warnings never fail


def test_doctor_studio_wide(healthy: SyncWorld, cli: CliRunner) -> None:
    healthy.studio.users.add("room1", "Room 1", kind="resource")
    healthy.sync_ok("ann")
    result = cli("doctor", "--json", "--timeout", "2")
    assert result.code == 0, result.out
    doc = json.loads(result.out)
    assert {c["name"] for c in doc["checks"]} == set(STUDIO_CHECKS)
    assert {v["login"]: v["status"] for v in doc["verdicts"]} == {"ann": "ok", "room1": "resource"}
    text = cli("doctor", "--timeout", "2").out
    assert "RESOURCE  room1  cannot sync" in text and "studiosync doctor LOGIN" in text


def test_doctor_bad_input(healthy: SyncWorld, cli: CliRunner) -> None:
    assert cli("doctor", "--send-test", "nonsense").code == 2
    assert cli("doctor", "--send-test").code == 2  # no address and no user to take it from
    assert cli("doctor", "--timeout", "0").code == 2
    missing = cli("doctor", "nobody", "--json", "--timeout", "2")
    assert missing.code == 1 and json.loads(missing.out)["checks"][0]["status"] == "fail"


def test_status(healthy: SyncWorld, cli: CliRunner) -> None:
    healthy.studio.users.add("bob", "Bob")
    healthy.sync_ok("ann")
    result = cli("status", "--json")
    assert result.code == 0
    users = json.loads(result.out)["users"]
    assert [(u["login"], u["status"]) for u in users] == [("ann", "authenticated"), ("bob", "not_set_up")]
    assert users[0]["last_sync"] and users[0]["lag_s"] is not None
    healthy.emu.revoke_grant("ann@example.com")
    healthy.sync("ann")
    text = cli("status").out
    assert text.splitlines()[0].split() == [
        "USER",
        "STATUS",
        "ACCOUNT",
        "LAST",
        "SYNC",
        "LAST",
        "RUN",
        "ERROR",
    ]
    assert "failing" in text and "1x Google no longer accepts" in text


def test_prefs_escalation(world: SyncWorld, cli: CliRunner) -> None:
    world.studio.users.add("boss", "Boss", admin=True)
    world.studio.google.update("boss", warn_email="boss@example.com")  # an admin who does not sync
    doc = json.loads(cli("prefs", "escalation", "--json").out)
    assert doc == {"enabled": True, "after": 3, "recipients": ["boss@example.com"]}
    assert cli("prefs", "escalation", "--disable", "--after", "5").code == 0
    prefs = world.studio.prefs.get()
    assert (prefs.escalate_to_admins, prefs.escalate_after) == (False, 5)
    assert "off, after 5" in cli("prefs", "escalation").out
    assert cli("prefs", "escalation", "--after", "0").code == 2
    assert cli("prefs", "escalation", "--enable").code == 0 and world.studio.prefs.get().escalate_to_admins


def test_doctor_send_test_to_the_users_warning_address(
    healthy: SyncWorld,
    cli: CliRunner,
    smtp_server: LocalSMTPServer,  # noqa: F811
) -> None:
    set_up_email(healthy.studio, port=smtp_server.port)
    result = cli("doctor", "ann", "--send-test", "--json", "--timeout", "2")
    check = next(c for c in json.loads(result.out)["checks"] if c["name"] == "company_email")
    assert check["status"] == "pass", check
    assert [m.rcpt_tos for m in smtp_server.messages] == [["ann@example.com"]]
