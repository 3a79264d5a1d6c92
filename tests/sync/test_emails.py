"""Warning/error and detailed-log emails through a real local SMTP server; failures never fail the sync."""

from __future__ import annotations

from tests.smtp_server import LocalSMTPServer

from .helpers import CLIENT_SECRET, SyncWorld, soon


def email_world(world: SyncWorld, server: LocalSMTPServer, **prefs) -> None:
    world.studio.prefs.set_email(
        host=server.host, port=server.port, security="none", from_addr="studio@example.com"
    )
    world.add_user("ann", warn_email="ann.owner@example.com", **prefs)


def test_error_sends_one_concise_email_with_cause_and_fix(
    world: SyncWorld, smtp_server: LocalSMTPServer
) -> None:
    email_world(world, smtp_server)
    world.sync_ok()
    assert smtp_server.messages == []  # a clean run sends nothing
    world.emu.revoke_grant(world.emails["ann"])
    r = world.sync()
    assert r.users[0].status == "error"
    (msg,) = smtp_server.messages
    assert msg.rcpt_tos == ["ann.owner@example.com"]
    body = msg.message.get_content()
    assert "failed" in msg.message["Subject"]
    assert "Remove My Google Account" in body and "grant_revoked" in body
    token = world.studio.secrets.get("ann")
    assert token.refresh_token not in body and CLIENT_SECRET not in body


def test_warning_email_and_detailed_log(home, emu, smtp_server: LocalSMTPServer) -> None:
    world = SyncWorld.create(home, emu, timezone="Europe/Paris")
    email_world(world, smtp_server, detailed_logs=True, google_tz="Asia/Tokyo")
    world.add_appt("ann", "Session", soon(2))
    r = world.sync()
    assert r.users[0].status == "warning"  # the calendar's zone differs from the studio's
    subjects = sorted(m.message["Subject"] for m in smtp_server.messages)
    assert len(subjects) == 2
    warning = next(m for m in smtp_server.messages if "warnings" in m.message["Subject"])
    assert "time zone" in warning.message.get_content()
    log = next(m for m in smtp_server.messages if "log" in m.message["Subject"])
    text = log.message.get_content()
    assert "Sent to Google: 1 new" in text and r.run_id in text and "Log:" in text


def test_email_failure_never_fails_the_sync(world: SyncWorld) -> None:
    from tests.smtp_server import free_port

    world.studio.prefs.set_email(
        host="127.0.0.1", port=free_port(), security="none", from_addr="studio@example.com"
    )
    world.add_user("ann", warn_email="ann.owner@example.com", detailed_logs=True)
    world.add_appt("ann", "Session", soon(2))
    r = world.sync()
    assert r.users[0].status == "ok" and r.users[0].counts["pushed_created"] == 1
    assert world.prefs("ann").last_error is None


def test_prefs_email_test_reports_the_server_answer(cli, home, smtp_server: LocalSMTPServer) -> None:
    res = cli(
        "prefs",
        "email",
        "--host",
        smtp_server.host,
        "--port",
        str(smtp_server.port),
        "--security",
        "none",
        "--from",
        "studio@example.com",
    )
    assert res.code == 0, res.err
    res = cli("prefs", "email", "--test", "it@example.com")
    assert res.code == 0, res.err
    assert "250" in res.out and "Message accepted" in res.out
    (msg,) = smtp_server.messages
    assert msg.rcpt_tos == ["it@example.com"] and msg.message["Subject"] == "studiosync test email"


def test_prefs_email_test_without_settings_is_one_line(cli) -> None:
    res = cli("prefs", "email", "--test", "it@example.com")
    assert res.code == 2 and len(res.err_lines) == 1 and "not set up" in res.err


def _subjects(server: LocalSMTPServer) -> list[str]:
    return [m.message["Subject"] for m in server.messages]


def test_a_standing_warning_is_emailed_once_and_a_new_one_joining_is_a_change(
    home, emu, smtp_server: LocalSMTPServer
) -> None:
    world = SyncWorld.create(home, emu, timezone="Europe/Paris")
    email_world(world, smtp_server, google_tz="Asia/Tokyo")  # a standing warning: the zones differ
    for _ in range(3):
        assert world.sync().users[0].status == "warning"
    assert len(smtp_server.messages) == 1  # one email for the problem, not one per run
    assert "time zone" in smtp_server.messages[0].message.get_content()

    # A new problem joins it: contacts that cannot come over need someone to pick a group, which fails the
    # run; the cause changed, so the email is new again (naming both).
    world.set_prefs("ann", contacts=True, client_group="no-such-group")
    assert world.sync().users[0].status == "error"
    assert world.sync().users[0].status == "error"
    assert len(smtp_server.messages) == 2
    second = smtp_server.messages[1].message.get_content()
    assert "time zone" in second and "contacts are not imported" in second
    assert "has changed" in second and "client_group_missing" in _subjects(smtp_server)[1]

    # Recovery: a clean run says so once; the same warning later is new again.
    world.set_prefs("ann", contacts=False)
    world.studio.prefs.set_timezone("Asia/Tokyo")
    assert world.sync().users[0].status == "ok"
    assert world.sync().users[0].status == "ok"
    assert len(smtp_server.messages) == 3 and "works again" in _subjects(smtp_server)[2]
    world.studio.prefs.set_timezone("Europe/Paris")
    assert world.sync().users[0].status == "warning"
    fourth = smtp_server.messages[3].message.get_content()
    assert "time zone" in fourth and "finished with warnings" in _subjects(smtp_server)[3]
