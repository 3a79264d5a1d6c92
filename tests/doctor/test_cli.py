"""`studiosync doctor`, `studiosync status` and `studiosync prefs escalation` from the command line."""

from __future__ import annotations

import json

from studiosync.core.doctor import CHECK_NAMES, STUDIO_CHECKS

from tests.conftest import CliRunner
from tests.doctor.helpers import enable_job, set_up_email
from tests.smtp_server import LocalSMTPServer, smtp_server  # noqa: F401 - the fixture
from tests.sync.helpers import SyncWorld, soon


def test_doctor_json_for_a_user(healthy: SyncWorld, cli: CliRunner) -> None:
    result = cli("doctor", "ann", "--json", "--timeout", "2")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert [c["name"] for c in doc["checks"]] == list(CHECK_NAMES)
    statuses = {c["name"]: c["status"] for c in doc["checks"]}
    assert statuses["mobile"] == "pass" and statuses["version"] == "pass"  # the source checklist's last items
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
    assert "version" in STUDIO_CHECKS and "mobile" not in STUDIO_CHECKS  # per user: in the verdicts
    assert {v["login"]: v["status"] for v in doc["verdicts"]} == {"ann": "ok", "room1": "resource"}
    text = cli("doctor", "--timeout", "2").out
    assert "RESOURCE  room1  cannot sync" in text and "studiosync doctor LOGIN" in text


def test_doctor_bad_input(healthy: SyncWorld, cli: CliRunner) -> None:
    bad = cli("doctor", "--send-test", "nonsense")  # neither an address nor a user
    assert bad.code == 2 and len(bad.err.splitlines()) == 1 and "nonsense" in bad.err and bad.out == ""
    assert cli("doctor", "--send-test", "it@", "--json").code == 2
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
    # Live sync's fields: the run checked Google (last_pull); nothing of the studio's went (last_push).
    assert users[0]["last_pull"] and users[0]["pull_age_s"] is not None and users[0]["last_push"] is None
    assert (users[0]["pending"], users[1]["pending"]) == (0, 0)
    healthy.add_appt("ann", "Waiting for the next sync", soon(1))
    healthy.studio.appointments.add("bob", title="Bob own", start=soon(1), end=soon(1, hour=11))
    users = json.loads(cli("status", "--json").out)["users"]
    assert (users[0]["pending"], users[1]["pending"]) == (1, 0)  # bob does not sync: nothing is on its way
    healthy.sync_ok("ann")
    ann = json.loads(cli("status", "--json").out)["users"][0]
    assert (
        ann["pending"] == 0
        and ann["last_push"]
        and ann["last_push"] >= ann["last_pull"] >= users[0]["last_pull"]
    )
    healthy.emu.revoke_grant("ann@example.com")
    healthy.sync("ann")
    text = cli("status").out
    assert text.splitlines()[0].split() == [
        "USER",
        "STATUS",
        "ACCOUNT",
        "LAST",
        "SYNC",
        "PUSHED",
        "PULLED",
        "PENDING",
        "LAST",
        "RUN",
        "CAUSE",
        "EMAILED",
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


def _company_email(result) -> dict:  # noqa: ANN001 - CliResult
    doc = json.loads(result.out)
    return next(c for c in doc["checks"] if c["name"] == "company_email")


def test_doctor_send_test_without_an_address(
    healthy: SyncWorld,
    cli: CliRunner,
    smtp_server: LocalSMTPServer,  # noqa: F811
) -> None:
    """Issue 8: "company email configured (and, with --send-test, a test email delivered)"."""
    set_up_email(healthy.studio, port=smtp_server.port)
    # No LOGIN: the company's From address.
    result = cli("doctor", "--send-test", "--json", "--timeout", "2")
    assert result.code == 0, result.out
    check = _company_email(result)
    assert check["status"] == "pass" and "studio@example.com" in check["detail"]
    assert json.loads(result.out)["login"] is None
    # `--send-test ann`: argparse gives "ann" to --send-test, but ann is a user: the LOGIN.
    result = cli("doctor", "--send-test", "ann", "--json", "--timeout", "2")
    doc = json.loads(result.out)
    assert result.code == 0 and doc["login"] == "ann"
    assert [c["name"] for c in doc["checks"]] == list(CHECK_NAMES)
    # An explicit address still wins, with or without LOGIN.
    assert cli("doctor", "--send-test", "it@example.com", "--json", "--timeout", "2").code == 0
    assert cli("doctor", "ann", "--send-test", "boss@example.com", "--json", "--timeout", "2").code == 0
    assert [m.rcpt_tos for m in smtp_server.messages] == [
        ["studio@example.com"],
        ["ann@example.com"],
        ["it@example.com"],
        ["boss@example.com"],
    ]


def test_doctor_send_test_for_a_user_without_a_warning_address(
    healthy: SyncWorld,
    cli: CliRunner,
    smtp_server: LocalSMTPServer,  # noqa: F811
) -> None:
    set_up_email(healthy.studio, port=smtp_server.port)
    healthy.add_user("bob")  # synced, but no Email Warnings and Errors address
    result = cli("doctor", "bob", "--send-test", "--json", "--timeout", "2")
    assert result.code == 1, result.err  # warn_email fails, as always
    doc = json.loads(result.out)
    assert [c["name"] for c in doc["checks"]] == list(CHECK_NAMES)  # every check ran
    statuses = {c["name"]: c["status"] for c in doc["checks"]}
    assert statuses["warn_email"] == "fail" and statuses["company_email"] == "pass"
    assert [m.rcpt_tos for m in smtp_server.messages] == [["studio@example.com"]]


def test_doctor_survives_an_api_root_saved_before_ports_were_checked(
    healthy: SyncWorld, cli: CliRunner, monkeypatch
) -> None:
    def bad_root(prefs) -> None:  # noqa: ANN001 - CompanyPrefs; as an older version could have stored it
        prefs.google.api_endpoint = "http://127.0.0.1:99999/"

    healthy.studio.prefs._modify(bad_root)  # noqa: SLF001 - the public setter refuses this value now
    result = cli("doctor", "--json", "--timeout", "2")
    assert result.code == 1 and result.err == ""
    statuses = {c["name"]: c for c in json.loads(result.out)["checks"]}
    assert statuses["google_reachable"]["status"] == "fail"
    assert "port" in statuses["google_reachable"]["detail"].lower()
    # A check that breaks on something unforeseen fails alone; the others still report.
    from studiosync.core.doctor import studio_checks

    def broken(studio):  # noqa: ANN001, ANN202
        raise KeyError("surprise")

    monkeypatch.setattr(studio_checks, "keyring_backend", broken)
    result = cli("doctor", "--json", "--timeout", "2")
    checks = {c["name"]: c for c in json.loads(result.out)["checks"]}
    assert (
        checks["keyring_backend"]["status"] == "fail"
        and "could not run" in checks["keyring_backend"]["detail"]
    )
    assert checks["sync_job"]["status"] in ("pass", "warn", "fail") and len(checks) >= 8
