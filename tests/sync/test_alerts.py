"""Alert emails people read (issue 13 point 5), through the real processor, the emulator over HTTP and a
real SMTP server (aiosmtpd): one email when a problem starts or its cause changes, a reminder once the
company's interval has passed, one "works again" email; detailed logs at most hourly; admins by the same
rules; at most one email per change, even when studiosync is killed right after sending."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from studiosync.core import clock
from studiosync.core.alerts import record
from studiosync.core.health.users import sync_health
from studiosync.core.sync.state import run_history

from tests.smtp_server import LocalSMTPServer
from tests.sync.helpers import SyncWorld

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
USER_MAIL = "ann.owner@example.com"
ADMIN_MAIL = "boss@example.com"


class MovingClock:
    """The one clock (core.clock), moved by the test: every time decision of the product reads it."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def moving() -> Iterator[MovingClock]:
    c = MovingClock(T0)
    clock.install(c)
    yield c
    clock.install(None)


def set_up(world: SyncWorld, server: LocalSMTPServer, **prefs: object) -> None:
    world.studio.prefs.set_email(
        host=server.host, port=server.port, security="none", from_addr="studio@example.com"
    )
    world.add_user("ann", warn_email=USER_MAIL, **prefs)


def to(server: LocalSMTPServer, address: str, needle: str = "") -> list[str]:
    """Subjects of the messages sent to `address` (whose subject holds `needle`), in order."""
    # .strip(): a subject that fits the next line is folded onto it whole, and unfolds with a space first
    return [
        str(m.message["Subject"]).strip()
        for m in server.messages
        if address in m.rcpt_tos and needle in str(m.message["Subject"])
    ]


def bodies(server: LocalSMTPServer, address: str) -> list[str]:
    return [m.message.get_content() for m in server.messages if address in m.rcpt_tos]


def fail_runs(world: SyncWorld, c: MovingClock, n: int, *, every_min: float = 5) -> None:
    for _ in range(n):
        c.advance(minutes=every_min)
        assert world.sync("ann").users[0].status == "error"


def test_fifty_failing_runs_one_email_a_reminder_a_change_and_resolved(
    world: SyncWorld, moving: MovingClock, smtp_server: LocalSMTPServer
) -> None:
    set_up(world, smtp_server)
    world.sync_ok("ann")
    assert smtp_server.messages == []  # a clean run tells nobody anything
    world.emu.revoke_grant("ann@example.com")
    fail_runs(world, moving, 50)  # 250 minutes of a revoked grant
    assert to(smtp_server, USER_MAIL) == ["studiosync: Google sync for Ann failed (grant_revoked)"]
    first = bodies(smtp_server, USER_MAIL)[0]
    assert "Remove My Google Account" in first and "(cause: grant_revoked)" in first
    assert "a reminder every 24 h" in first

    moving.now = T0 + timedelta(minutes=5, hours=24)  # the reminder is due 24 h after the first email
    fail_runs(world, moving, 1, every_min=0)
    assert len(to(smtp_server, USER_MAIL)) == 2
    assert (
        to(smtp_server, USER_MAIL)[1]
        == "studiosync: reminder: Google sync for Ann still failing (grant_revoked)"
    )
    fail_runs(world, moving, 10)
    assert len(to(smtp_server, USER_MAIL)) == 2  # the next reminder is a day away

    # The cause changes: the account works again, but the chosen calendar is gone.
    world.authenticate("ann", "ann@example.com")
    world.set_prefs("ann", calendar_id="gone@group.calendar.google.com", calendar_summary="Old studio")
    fail_runs(world, moving, 5)
    assert len(to(smtp_server, USER_MAIL)) == 3
    assert (
        to(smtp_server, USER_MAIL)[2]
        == "studiosync: Google sync for Ann: the problem changed (calendar_gone)"
    )
    changed = bodies(smtp_server, USER_MAIL)[2]
    assert "Before: Google no longer accepts" in changed and "Calendar 'Old studio'" in changed

    world.set_prefs("ann", calendar_id="ann@example.com", calendar_summary="ann@example.com")
    moving.advance(minutes=5)
    world.sync_ok("ann")
    moving.advance(minutes=5)
    world.sync_ok("ann")
    assert to(smtp_server, USER_MAIL)[3:] == ["studiosync: Google sync for Ann works again"]
    assert "Resolved: Calendar 'Old studio'" in bodies(smtp_server, USER_MAIL)[3]
    assert len(smtp_server.messages) == 4


def test_status_run_history_and_dashboard_fields_say_when_and_why(
    world: SyncWorld, moving: MovingClock, smtp_server: LocalSMTPServer, cli
) -> None:
    set_up(world, smtp_server)
    world.emu.revoke_grant("ann@example.com")
    fail_runs(world, moving, 3)
    doc = next(u for u in json.loads(cli("status", "--json").out)["users"] if u["login"] == "ann")
    first_run = (T0 + timedelta(minutes=5)).isoformat(timespec="seconds")
    assert doc["last_emailed"] == first_run
    assert (
        doc["last_emailed_kind"] == "problem" and doc["last_emailed_why"] == "problem started: grant_revoked"
    )
    assert doc["last_emailed_to"] == USER_MAIL and doc["email_trouble"] is None
    assert doc["next_reminder"] == (T0 + timedelta(minutes=5, hours=24)).isoformat(timespec="seconds")
    assert doc["alert_since"] == first_run
    assert doc["cause"] == "grant_revoked" and doc["diagnosis"][0]["code"] == "grant_revoked"
    runs = run_history(world.studio.store, "ann")
    assert [r["emailed"] for r in runs[-3:]][1:] == [[], []]  # only the run that started it emailed
    (mail,) = runs[-3]["emailed"]
    assert mail["kind"] == "problem" and mail["to"] == USER_MAIL and mail["status"] == "sent"
    assert runs[-1]["problem"]["code"] == "grant_revoked"
    text = cli("status").out
    assert "EMAILED" in text.splitlines()[0] and "problem started: grant_revoked" in text


def test_a_transient_cause_is_told_only_when_the_next_run_meets_it_too(
    world: SyncWorld, moving: MovingClock, smtp_server: LocalSMTPServer
) -> None:
    set_up(world, smtp_server)
    world.sync_ok("ann")
    world.emu.inject_fault("503", count=50, account="ann@example.com")  # Google fails, even after retries
    moving.advance(minutes=5)
    assert world.sync("ann").users[0].cause == "google_outage"
    world.emu.clear_faults()
    moving.advance(minutes=5)
    world.sync_ok("ann")
    assert smtp_server.messages == []  # a blip between good runs tells nobody
    world.emu.inject_fault("503", count=200, account="ann@example.com")
    fail_runs(world, moving, 2)
    assert to(smtp_server, USER_MAIL) == ["studiosync: Google sync for Ann failed (google_outage)"]
    world.emu.clear_faults()
    moving.advance(minutes=5)
    world.sync_ok("ann")
    assert to(smtp_server, USER_MAIL)[1:] == ["studiosync: Google sync for Ann works again"]


def test_detailed_logs_at_most_one_an_hour_with_the_runs_between_summarized(
    world: SyncWorld, moving: MovingClock, smtp_server: LocalSMTPServer
) -> None:
    set_up(world, smtp_server, detailed_logs=True)
    world.emu.revoke_grant("ann@example.com")
    fail_runs(world, moving, 50)  # a run every 5 minutes: 250 minutes
    logs = [b for b in bodies(smtp_server, USER_MAIL) if "Log:" in b]
    assert len(to(smtp_server, USER_MAIL, "sync log")) == len(logs) == 5  # minutes 5, 65, 125, 185, 245
    assert "more run" not in logs[0]
    assert all("11 more runs since the last log email:" in b for b in logs[1:])
    assert logs[1].count("ann: error (") == 11 + 1  # the 11 runs listed, and this run's own log
    assert len(to(smtp_server, USER_MAIL, "failed")) == 1  # the warning email: once


def test_quiet_runs_send_no_log_email_of_their_own(
    world: SyncWorld, moving: MovingClock, smtp_server: LocalSMTPServer
) -> None:
    set_up(world, smtp_server, detailed_logs=True)
    world.add_appt("ann", "Session", T0 + timedelta(days=2))
    moving.advance(minutes=5)
    world.sync_ok("ann")  # pushes: the first log email
    for _ in range(30):
        moving.advance(minutes=5)
        world.sync_ok("ann")  # nothing to do
    assert len(to(smtp_server, USER_MAIL, "sync log")) == 1
    world.add_appt("ann", "Another", T0 + timedelta(days=3))
    moving.advance(minutes=5)
    world.sync_ok("ann")
    (_, second) = [b for b in bodies(smtp_server, USER_MAIL) if "Log:" in b]
    assert "30 more runs since the last log email:" in second
    assert "30 runs that changed nothing and met no problem" in second


def test_admins_by_the_same_rules(
    world: SyncWorld, moving: MovingClock, smtp_server: LocalSMTPServer
) -> None:
    set_up(world, smtp_server)
    world.studio.users.add("boss", "Boss", admin=True)
    world.studio.google.update("boss", warn_email=ADMIN_MAIL)
    world.emu.revoke_grant("ann@example.com")
    fail_runs(world, moving, 20)
    assert to(smtp_server, ADMIN_MAIL) == ["studiosync: Google sync of Ann (ann) has failed 3 times in a row"]
    assert world.prefs("ann").escalated
    moving.advance(hours=24)
    fail_runs(world, moving, 3)
    assert to(smtp_server, ADMIN_MAIL)[1:] == [
        "studiosync: reminder: Google sync of Ann (ann) has failed 21 times in a row"
    ]
    world.authenticate("ann", "ann@example.com")
    world.set_prefs("ann", calendar_id="gone@group.calendar.google.com")
    fail_runs(world, moving, 4)
    assert to(smtp_server, ADMIN_MAIL)[2:] == [
        "studiosync: Google sync of Ann (ann) still fails, now for another reason (calendar_gone)"
    ]
    world.set_prefs("ann", calendar_id="ann@example.com")
    moving.advance(minutes=5)
    world.sync_ok("ann")
    assert to(smtp_server, ADMIN_MAIL)[3:] == ["studiosync: Google sync of Ann (ann) works again"]
    assert not world.prefs("ann").escalated
    assert len(to(smtp_server, ADMIN_MAIL)) == 4 and len(to(smtp_server, USER_MAIL)) == 4
    health = next(h for h in sync_health(world.studio) if h.login == "ann")
    assert health.admins_last_emailed_why == "resolved: syncs cleanly again (was calendar_gone)"


def test_reminder_interval_is_a_company_preference(
    world: SyncWorld, moving: MovingClock, smtp_server: LocalSMTPServer, cli
) -> None:
    set_up(world, smtp_server)
    assert cli("prefs", "alerts", "--remind-hours", "2").code == 0
    assert json.loads(cli("prefs", "alerts", "--json").out) == {
        "remind_hours": 2,
        "detailed_log_every_minutes": 60,
    }
    world.emu.revoke_grant("ann@example.com")
    fail_runs(world, moving, 9, every_min=30)  # minutes 30 to 270: the first email, reminders 2 h and 4 h on
    assert [s.split(":")[1].strip() for s in to(smtp_server, USER_MAIL)] == [
        "Google sync for Ann failed (grant_revoked)",
        "reminder",
        "reminder",
    ]
    assert cli("prefs", "alerts", "--remind-hours", "0").code == 0
    fail_runs(world, moving, 9, every_min=30)
    assert len(to(smtp_server, USER_MAIL)) == 3  # 0: no reminders at all
    bad = cli("prefs", "alerts", "--remind-hours", "-1")
    assert bad.code == 2 and len(bad.err_lines) == 1 and "0-720" in bad.err
    assert world.studio.prefs.get().alert_remind_hours == 0


def test_an_email_the_server_refused_is_tried_again_once_it_can_go(
    world: SyncWorld, moving: MovingClock
) -> None:
    with LocalSMTPServer(refuse=[USER_MAIL]) as refusing:
        set_up(world, refusing)
        world.emu.revoke_grant("ann@example.com")
        fail_runs(world, moving, 3)
        assert refusing.messages == []
        ann = next(h for h in sync_health(world.studio) if h.login == "ann")
        assert ann.last_emailed is None and "could not be sent" in (ann.email_trouble or "")
    with LocalSMTPServer() as working:
        world.studio.prefs.set_email(
            host=working.host, port=working.port, security="none", from_addr="studio@example.com"
        )
        fail_runs(world, moving, 3)
        assert to(working, USER_MAIL) == ["studiosync: Google sync for Ann failed (grant_revoked)"]


def test_killed_right_after_sending_the_email_is_never_sent_twice(
    world: SyncWorld, smtp_server: LocalSMTPServer, home: Path
) -> None:
    set_up(world, smtp_server)
    world.emu.revoke_grant("ann@example.com")
    script = textwrap.dedent(
        """
        import os, sys
        from studiosync.core.studio import notify
        from studiosync.core.studio.studio import Studio
        from studiosync.core.sync.processor import run_sync

        real = notify.deliver

        def deliver(*args, **kwargs):
            real(*args, **kwargs)
            os._exit(9)  # killed the moment the email went

        notify.deliver = deliver
        run_sync(Studio.open(sys.argv[1]), ["ann"])
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(home)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 9, done.stderr
    assert len(smtp_server.messages) == 1
    assert record.load(world.studio.store, "ann")["user"]["last"]["status"] == "sending"
    for _ in range(3):
        assert world.sync("ann").users[0].status == "error"
    assert len(smtp_server.messages) == 1  # recorded before it was sent: never again
    ann = next(h for h in sync_health(world.studio) if h.login == "ann")
    assert "may not have gone" in (ann.email_trouble or "")


def test_no_email_ever_holds_a_traceback(
    world: SyncWorld, smtp_server: LocalSMTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from studiosync.core.sync import calendar_sync

    set_up(world, smtp_server, detailed_logs=True)
    world.studio.users.add("boss", "Boss", admin=True)
    world.studio.google.update("boss", warn_email=ADMIN_MAIL)
    world.studio.prefs.set_escalation(True, after=1)

    def broken(self: object) -> None:
        raise KeyError("a bug in the sync")

    monkeypatch.setattr(calendar_sync.CalendarSync, "run", broken)
    result = world.sync("ann").users[0]
    assert result.cause == "internal" and "KeyError" in (result.error or "")
    texts = [m.message.get_content() for m in smtp_server.messages]
    assert len(texts) == 3  # the warning, the detailed log, the admins'
    for text in texts:
        assert "Traceback" not in text and 'File "' not in text
        assert "internal error: KeyError" in text
