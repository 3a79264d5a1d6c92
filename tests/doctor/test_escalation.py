"""Email sync failures to admins: the real processor, the real SMTP conversation (aiosmtpd).

N failing runs in a row -> exactly one email to the admins; more failures -> no more (until a reminder is
due: tests/sync/test_alerts.py); a recovery says so once, and a new streak emails again."""

from __future__ import annotations

import pytest
from studiosync.core.escalation import admin_recipients, after_user_run

from tests.doctor.helpers import set_up_email
from tests.smtp_server import LocalSMTPServer, smtp_server  # noqa: F401 - the fixture
from tests.sync.helpers import SyncWorld

ALERT = "has failed"  # in the admin email's subject (the user's own warning emails say "failed")


def alerts(server: LocalSMTPServer) -> list[str]:
    return [str(m.message["Subject"]) for m in server.messages if ALERT in str(m.message["Subject"])]


def admin_subjects(server: LocalSMTPServer) -> list[str]:
    return [str(m.message["Subject"]).strip() for m in server.messages if "boss@example.com" in m.rcpt_tos]


@pytest.fixture
def studio_with_admin(world: SyncWorld, smtp_server: LocalSMTPServer) -> SyncWorld:  # noqa: F811
    world.studio.users.add("boss", "Boss", admin=True)
    world.studio.google.update("boss", warn_email="boss@example.com")  # an admin who does not sync
    world.add_user("ann", warn_email="ann@example.com")
    set_up_email(world.studio, port=smtp_server.port)
    return world


def test_three_failing_runs_email_the_admins_once(
    studio_with_admin: SyncWorld,
    smtp_server: LocalSMTPServer,  # noqa: F811
) -> None:
    w = studio_with_admin
    w.sync_ok("ann")
    w.emu.revoke_grant("ann@example.com")
    w.sync("ann")
    w.sync("ann")
    assert alerts(smtp_server) == []
    w.sync("ann")  # the third failure in a row
    assert alerts(smtp_server) == ["studiosync: Google sync of Ann (ann) has failed 3 times in a row"]
    mail = next(m for m in smtp_server.messages if ALERT in str(m.message["Subject"]))
    assert mail.rcpt_tos == ["boss@example.com"]
    body = mail.message.get_content()
    assert "Google no longer accepts" in body and "studiosync google auth ann" in body
    assert "studiosync doctor ann" in body
    assert w.prefs("ann").escalated
    w.sync("ann")
    w.sync("ann")
    assert len(alerts(smtp_server)) == 1  # one email per streak, not one per run
    w.authenticate("ann", "ann@example.com")
    w.sync_ok("ann")
    assert not w.prefs("ann").escalated and len(alerts(smtp_server)) == 1
    assert "works again" in admin_subjects(smtp_server)[-1]  # recovery: said once
    w.sync_ok("ann")
    assert len(admin_subjects(smtp_server)) == 2
    w.emu.revoke_grant("ann@example.com")
    for _ in range(3):
        w.sync("ann")
    assert len(alerts(smtp_server)) == 2  # a new streak is news again


def test_escalation_off_or_nobody_to_tell(studio_with_admin: SyncWorld, smtp_server: LocalSMTPServer) -> None:  # noqa: F811
    w = studio_with_admin
    w.studio.prefs.set_escalation(False)
    w.set_prefs("ann", consecutive_failures=5)
    assert after_user_run(w.studio, "ann", ok=False).action == "off"
    w.studio.prefs.set_escalation(True, after=5)
    w.studio.google.update("boss", warn_email=None)
    outcome = after_user_run(w.studio, "ann", ok=False)
    assert outcome.action == "no_recipients" and not w.prefs("ann").escalated
    assert smtp_server.messages == []


def test_smtp_failure_is_retried_after_the_next_failing_run(studio_with_admin: SyncWorld) -> None:
    w = studio_with_admin
    w.set_prefs("ann", consecutive_failures=3, last_error_cause="calendar_gone", last_error="gone")
    with LocalSMTPServer(refuse=["boss@example.com"]) as refusing:
        set_up_email(w.studio, port=refusing.port)
        outcome = after_user_run(w.studio, "ann", ok=False)
        assert outcome.action == "send_failed" and "refused the recipient" in outcome.detail
        assert not w.prefs("ann").escalated  # not marked: the next failing run tries again
    with LocalSMTPServer() as working:
        set_up_email(w.studio, port=working.port)
        assert after_user_run(w.studio, "ann", ok=False).action == "sent"
        assert "pick another calendar" in working.messages[0].message.get_content()
        assert after_user_run(w.studio, "ann", ok=False).action == "none"
        resolved = after_user_run(w.studio, "ann", ok=True)
        assert (resolved.action, resolved.kind) == ("sent", "resolved")
        assert after_user_run(w.studio, "ann", ok=True).action == "none"


def test_admin_addresses_and_one_email_per_admin(
    studio_with_admin: SyncWorld,
    smtp_server: LocalSMTPServer,  # noqa: F811
) -> None:
    w = studio_with_admin
    w.studio.users.add("chief", "Chief", admin=True)
    w.add_user("chief", email="chief@example.com")  # no warning address: the linked account is used
    w.studio.users.add("nomail", "No Mail", admin=True)  # no address at all: skipped
    assert admin_recipients(w.studio) == ["boss@example.com", "chief@example.com"]
    w.emu.revoke_grant("ann@example.com")
    w.set_prefs("ann", consecutive_failures=2)
    assert w.sync("ann").users[0].status == "error"  # the processor escalates by itself
    assert after_user_run(w.studio, "ann", ok=False).action == "none"  # calling again is harmless
    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages if ALERT in str(m.message["Subject"])) == [
        "boss@example.com",
        "chief@example.com",
    ]  # one email per admin


def test_one_refused_admin_does_not_silence_the_others(studio_with_admin: SyncWorld) -> None:
    w = studio_with_admin
    w.studio.users.add("chief", "Chief", admin=True)
    w.studio.google.update("chief", warn_email="chief@example.com")
    w.set_prefs("ann", consecutive_failures=3, last_error_cause="quota", last_error="quota")
    with LocalSMTPServer(refuse=["boss@example.com"]) as server:
        set_up_email(w.studio, port=server.port)
        outcome = after_user_run(w.studio, "ann", ok=False)
        assert outcome.action == "sent" and outcome.recipients == ["chief@example.com"]
        assert [m.rcpt_tos for m in server.messages] == [["chief@example.com"]]
    assert w.prefs("ann").escalated
