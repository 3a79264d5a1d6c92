"""Each checklist item, broken on purpose: the doctor fails (or warns) that check with the right fix,
and passes it again once it is fixed. Against the Google emulator, with the real store and job catalogue."""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from studiosync.core.doctor import CHECK_NAMES, STUDIO_CHECKS, USER_CHECKS
from studiosync.core.google.tokens import TokenVault
from studiosync.core.jobs.computers import this_computer
from studiosync.core.studio.studio import Studio

from tests.doctor.helpers import doctor, enable_job, heartbeat, set_up_email, status_of
from tests.smtp_server import LocalSMTPServer, free_port, smtp_server  # noqa: F401 - the fixture
from tests.sync.helpers import SyncWorld, soon

LIVE_WARNINGS = {"keyring_backend", "last_run"}  # tests use the file fallback; nothing has synced yet


def test_a_healthy_user_passes_every_check(healthy: SyncWorld) -> None:
    report = doctor(healthy.studio)
    assert [c.name for c in report.checks] == list(CHECK_NAMES)  # every check, in checklist order
    statuses = status_of(report)
    assert {n for n, s in statuses.items() if s != "pass"} == LIVE_WARNINGS, report.to_json()
    assert not report.failed
    for c in report.checks:
        assert c.detail and "\n" not in c.detail and "\n" not in c.fix and c.title and c.section
        assert "LOGIN" not in c.fix  # placeholders are filled in with the user
    assert "refreshed just now" in report.check("account_authenticated").detail
    assert "writable" in report.check("calendar_selected").detail


def test_resource_user_cannot_sync(healthy: SyncWorld) -> None:
    healthy.studio.users.add("room1", "Room 1", kind="resource")
    report = doctor(healthy.studio, "room1")
    check = report.check("user_is_staff")
    assert check.status == "fail" and "resource" in check.detail and "can NOT sync" in check.detail
    assert report.failed
    assert not set(USER_CHECKS) - {"user_is_staff"} & {c.name for c in report.checks}  # nothing else per user
    assert (
        doctor(healthy.studio, "nobody")
        .check("user_is_staff")
        .fix.startswith("Maintenance > General > Users")
    )
    assert doctor(healthy.studio, "ann").check("user_is_staff").status == "pass"


def test_sync_disabled(healthy: SyncWorld) -> None:
    healthy.studio.google.update("ann", enabled=False)
    check = doctor(healthy.studio).check("sync_enabled")
    assert check.status == "fail" and "studiosync google set ann --enable" in check.fix
    healthy.studio.google.update("ann", enabled=True)
    assert doctor(healthy.studio).check("sync_enabled").status == "pass"


def test_revoked_grant_fails_the_live_refresh(healthy: SyncWorld) -> None:
    healthy.emu.revoke_grant("ann@example.com")
    report = doctor(healthy.studio)
    auth = report.check("account_authenticated")
    assert auth.status == "fail"
    assert "Remove My Google Account" in auth.fix and "studiosync google auth ann" in auth.fix
    assert report.check("calendar_selected").status == "warn"  # cannot be checked without a token
    healthy.authenticate("ann", "ann@example.com")  # Remove + Authenticate again
    assert status_of(doctor(healthy.studio))["account_authenticated"] == "pass"


def test_not_authenticated(healthy: SyncWorld) -> None:
    healthy.studio.secrets.delete("ann")
    check = doctor(healthy.studio).check("account_authenticated")
    assert check.status == "fail" and "studiosync google auth ann" in check.fix


def test_account_shared_by_two_users(healthy: SyncWorld) -> None:
    healthy.studio.users.add("bob", "Bob")
    healthy.set_prefs("bob", account_email="ann@example.com")  # a stale link: auth itself refuses this
    check = doctor(healthy.studio).check("account_unique")
    assert check.status == "fail" and "bob" in check.detail and "studiosync google remove bob" in check.fix
    healthy.set_prefs("bob", account_email=None)
    assert doctor(healthy.studio).check("account_unique").status == "pass"


def test_deleted_calendar(healthy: SyncWorld) -> None:
    cal = healthy.emu.add_calendar("ann@example.com", "Studio", timezone="UTC")
    healthy.studio.google.update("ann", calendar_id=cal)
    assert doctor(healthy.studio).check("calendar_selected").status == "pass"
    healthy.emu.delete_calendar(cal)
    check = doctor(healthy.studio).check("calendar_selected")
    assert check.status == "fail" and "'Studio'" in check.detail
    assert "studiosync google set ann --calendar ID" in check.fix
    healthy.studio.google.update("ann", calendar_id="ann@example.com")
    assert doctor(healthy.studio).check("calendar_selected").status == "pass"


def test_calendar_probe_is_the_google_tab_listing_bounded(healthy: SyncWorld) -> None:
    """The doctor lists calendars through GoogleAccounts.calendars with its timeout: one retry at most."""
    healthy.emu.inject_fault("503", count=2, path="calendarList")
    check = doctor(healthy.studio).check("calendar_selected")
    assert check.status != "pass"
    assert healthy.emu.faults() == []  # both attempts used, no third
    healthy.emu.inject_fault("503", count=1, path="calendarList")
    assert [c.id for c in healthy.studio.google.calendars("ann", timeout=5.0)] == ["ann@example.com"]
    assert doctor(healthy.studio).check("calendar_selected").status == "pass"


def test_no_calendar_and_read_only_calendar(healthy: SyncWorld) -> None:
    healthy.set_prefs("ann", calendar_id=None, calendar_summary=None)
    check = doctor(healthy.studio).check("calendar_selected")
    assert check.status == "fail" and "studiosync google calendars ann" in check.fix
    healthy.emu.add_account("boss@example.com")
    shared = healthy.emu.add_calendar("boss@example.com", "Boss")
    healthy.emu.add_calendar("ann@example.com", "Boss", access_role="reader", calendar_id=shared)
    healthy.set_prefs("ann", calendar_id=shared)  # the Google tab refuses this; an old setting may not
    check = doctor(healthy.studio).check("calendar_selected")
    assert check.status == "fail" and "read-only" in check.detail and "Make changes to events" in check.fix


def test_populate_pending_says_what_it_will_do(healthy: SyncWorld) -> None:
    healthy.add_appt("ann", "Old shoot", soon())
    healthy.set_prefs("ann", enabled_at="2999-01-01T00:00:00.000+00:00")  # the shoot predates sync
    check = doctor(healthy.studio).check("populate")
    assert check.status == "pass" and "1 studio appointment(s) from before sync was enabled" in check.detail
    assert "--populate-google" in check.fix
    healthy.studio.google.update("ann", populate_google=True, populate_studio=True)
    check = doctor(healthy.studio).check("populate")
    assert check.status == "warn"
    assert (
        "send the 1 studio appointment(s) not yet in Google" in check.detail
        and "into the studio" in check.detail
    )
    healthy.studio.google.update("ann", two_way=False)
    check = doctor(healthy.studio).check("populate")
    assert (
        check.status == "warn" and "waits for the two-way sync" in check.detail and "--two-way" in check.fix
    )
    healthy.studio.google.update("ann", two_way=True)
    healthy.sync_ok("ann")  # populating done: the boxes uncheck themselves
    check = doctor(healthy.studio).check("populate")
    assert check.status == "pass" and "before sync" not in check.detail


def test_two_way_and_tentative_are_explained(healthy: SyncWorld) -> None:
    healthy.studio.google.update("ann", two_way=False, tentative=False)
    report = doctor(healthy.studio)
    assert report.check("two_way").status == "pass" and "One-way" in report.check("two_way").detail
    assert "--two-way" in report.check("two_way").fix
    tentative = report.check("tentative")
    assert "Android" in tentative.detail and "primary Google account on the phone" in tentative.detail
    assert "studiosync google set ann --tentative" in tentative.fix
    healthy.studio.google.update("ann", two_way=True, tentative=True)
    report = doctor(healthy.studio)
    assert (
        "Two-way" in report.check("two_way").detail and "downloaded too" in report.check("tentative").detail
    )


def test_contacts_need_an_existing_group(healthy: SyncWorld) -> None:
    group = healthy.studio.groups.add("Google")
    healthy.studio.google.update("ann", contacts=True, client_group="Google")
    assert doctor(healthy.studio).check("contacts_group").status == "pass"
    healthy.set_prefs("ann", client_group="0" * 32)  # the group is gone (e.g. a restored backup)
    check = doctor(healthy.studio).check("contacts_group")
    assert check.status == "fail" and "no longer exists" in check.detail
    assert "studiosync groups add NAME" in check.fix and "--client-group NAME" in check.fix
    healthy.set_prefs("ann", client_group=None)
    assert "no client group" in doctor(healthy.studio).check("contacts_group").detail
    healthy.studio.google.update("ann", client_group=group.name)
    assert doctor(healthy.studio).check("contacts_group").status == "pass"


def test_warning_email_is_required(healthy: SyncWorld) -> None:
    healthy.studio.google.update("ann", warn_email=None, detailed_logs=True)
    report = doctor(healthy.studio)
    assert (
        report.check("warn_email").status == "fail" and "--warn-email ADDR" in report.check("warn_email").fix
    )
    assert report.check("detailed_logs").status == "warn"
    healthy.set_prefs("ann", warn_email="not an address")
    assert "not valid" in doctor(healthy.studio).check("warn_email").detail
    healthy.studio.google.update("ann", warn_email="ann@example.com")
    report = doctor(healthy.studio)
    assert report.check("warn_email").status == "pass"
    assert (
        report.check("detailed_logs").status == "pass"
        and "a few days" in report.check("detailed_logs").detail
    )


def test_company_email_missing(world: SyncWorld) -> None:
    world.studio.users.add("ann", "Ann")
    world.add_user("ann", warn_email="ann@example.com")
    check = doctor(world.studio).check("company_email")
    assert (
        check.status == "fail" and "Company Preferences > Email" in check.fix and "prefs email" in check.fix
    )
    set_up_email(world.studio)
    assert doctor(world.studio).check("company_email").status == "pass"


def test_sync_job_disabled(healthy: SyncWorld) -> None:
    enable_job(healthy.studio, enabled=False)
    check = doctor(healthy.studio).check("sync_job")
    assert check.status == "fail" and "studiosync jobs set google-sync --enable" in check.fix
    enable_job(healthy.studio)
    check = doctor(healthy.studio).check("sync_job")
    assert check.status == "pass" and "every 15 minutes" in check.detail and "daemon running" in check.detail


def test_sync_job_computer_stopped_or_dead(healthy: SyncWorld) -> None:
    enable_job(healthy.studio, computer="studio-pc")
    check = doctor(healthy.studio).check("sync_job")
    assert (
        check.status == "fail" and "never run on studio-pc" in check.detail and "--computer HOST" in check.fix
    )
    heartbeat(healthy.studio, "studio-pc", ago=timedelta(minutes=10))  # the daemon stopped a while ago
    check = doctor(healthy.studio).check("sync_job")
    assert check.status == "warn" and "last seen 10 min ago" in check.detail
    assert "studiosync serve" in check.fix
    heartbeat(healthy.studio, "studio-pc", ago=timedelta(days=2))  # gone for days: the sync is not running
    assert doctor(healthy.studio).check("sync_job").status == "fail"
    heartbeat(healthy.studio, "studio-pc")
    assert doctor(healthy.studio).check("sync_job").status == "pass"


def test_google_unreachable_fails_at_once_without_retrying(healthy: SyncWorld, tmp_path: Path) -> None:
    """The doctor is run while something is wrong: an unreachable Google is a finding, not a reason to retry
    with back-off. A listener that resets every connection counts the doctor's attempts."""
    with _resetting_listener() as (dead, attempts):
        secrets = tmp_path / "secrets.json"
        secrets.write_text(json.dumps(healthy.emu.client_secrets("studiosync-test-client")))
        healthy.studio.prefs.set_google(client_secrets=secrets, api_endpoint=dead)
        report = doctor(healthy.studio)
    check = report.check("google_reachable")
    assert check.status == "fail" and dead in check.detail and "online" in check.fix
    assert report.check("calendar_selected").status in ("warn", "fail")
    # One connection per check that calls Google (reachability, the calendar, the calendar's time zone):
    # a retried request would show up here as more.
    assert 1 <= len(attempts) <= 3, attempts
    healthy.studio.prefs.set_google(client_secrets=secrets, api_endpoint=healthy.emu.url)
    assert doctor(healthy.studio).check("google_reachable").status == "pass"


@contextlib.contextmanager
def _resetting_listener() -> Iterator[tuple[str, list[int]]]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    attempts: list[int] = []

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return  # closed: the test is over
            attempts.append(1)
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close = RST
            conn.close()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}", attempts
    finally:
        server.close()


def test_time_zones_must_agree(healthy: SyncWorld) -> None:
    healthy.studio.prefs.set_timezone("America/New_York")
    check = doctor(healthy.studio).check("time_zones")
    assert check.status == "fail" and "America/New_York" in check.detail and "UTC" in check.detail
    assert "studiosync prefs timezone ZONE" in check.fix
    healthy.studio.prefs.set_timezone("Etc/UTC")  # another name for the same clock
    assert doctor(healthy.studio).check("time_zones").status == "pass"


def test_time_zone_of_the_job_computer(healthy: SyncWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        check = doctor(healthy.studio, None).check("time_zones")
        assert check.status == "warn" and this_computer() in check.detail and "set-timezone UTC" in check.fix
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_keyring_backend(healthy: SyncWorld) -> None:
    # tests/conftest.py forces keyring's `fail` backend, so tokens live in the announced file fallback.
    check = doctor(healthy.studio, None).check("keyring_backend")
    assert check.status == "warn" and "file fallback" in check.detail and "0600" in check.detail
    assert "OS keyring" in check.fix
    from tests.google.test_tokens import MemoryKeyring

    healthy.studio.__dict__["secrets"] = TokenVault(healthy.studio.datadir.root, backend=MemoryKeyring())
    check = doctor(healthy.studio, None).check("keyring_backend")
    assert check.status == "pass" and "MemoryKeyring" in check.detail


def test_oauth_client(world: SyncWorld, tmp_path: Path) -> None:
    fresh = Studio.open(tmp_path / "fresh")
    check = doctor(fresh, None).check("oauth_client")
    assert check.status == "fail" and "studiosync prefs google --client-secrets FILE" in check.fix
    web = {"web": dict(world.emu.client_secrets("studiosync-test-client")["installed"])}
    path = tmp_path / "web.json"
    path.write_text(json.dumps(web))
    fresh.prefs.set_google(client_secrets=path, api_endpoint=world.emu.url, published=True)
    check = doctor(fresh, None).check("oauth_client")
    assert check.status == "fail" and "Desktop app" in check.fix  # published changes nothing about that
    assert doctor(world.studio, None).check("oauth_client").status == "warn"  # not marked published
    world.studio.prefs.set_app_published(True)
    check = doctor(world.studio, None).check("oauth_client")
    assert check.status == "pass" and "emulator" in check.detail and "published" in check.detail


def test_oauth_testing_status_warning(world: SyncWorld, tmp_path: Path) -> None:
    real = {
        "installed": {
            "client_id": "123-abc.apps.googleusercontent.com",
            "client_secret": "s",
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": "https://oauth2.googleapis.com/token",
        }
    }
    path = tmp_path / "real.json"
    path.write_text(json.dumps(real))
    world.studio.prefs.set_google(client_secrets=path)
    check = doctor(world.studio, None).check("oauth_client")
    assert check.status == "warn" and "7 days" in check.detail and "Testing" in check.detail
    assert "OAuth consent screen > Publish app" in check.fix
    assert "Company Preferences > Google" in check.fix and "studiosync prefs google --published" in check.fix
    world.studio.users.add("ann", "Ann")
    world.set_prefs("ann", last_error_cause="grant_revoked")
    check = doctor(world.studio, None).check("oauth_client")
    assert check.status == "warn" and "ann already lost" in check.detail
    world.studio.prefs.set_app_published(True)
    check = doctor(world.studio, None).check("oauth_client")
    assert check.status == "pass" and "In production" in check.detail and "--testing" in check.fix
    world.studio.prefs.set_google(client_secrets=path)  # the same client's file again: still published
    assert doctor(world.studio, None).check("oauth_client").status == "pass"
    world.studio.prefs.set_app_published(False)
    assert doctor(world.studio, None).check("oauth_client").status == "warn"


def test_a_stored_api_root_with_a_service_path_fails_reachability(healthy: SyncWorld) -> None:
    """Saved before such roots were refused: every call would go to /calendar/v3/calendar/v3/..."""
    wrong = healthy.emu.url.rstrip("/") + "/calendar/v3/"

    def change(prefs: object) -> None:
        prefs.google.api_endpoint = wrong  # type: ignore[attr-defined]

    healthy.studio.prefs._modify(change)  # the public setter refuses this root now
    check = doctor(healthy.studio, None).check("google_reachable")
    assert check.status == "fail" and "/calendar/v3/" in check.detail
    assert f"--api-endpoint {healthy.emu.url.rstrip('/')}/" in check.fix


def test_last_run_error_is_explained(healthy: SyncWorld) -> None:
    healthy.sync_ok("ann")
    assert doctor(healthy.studio).check("last_run").status == "pass"
    healthy.emu.revoke_grant("ann@example.com")
    result = healthy.sync("ann")
    assert result.users[0].status == "error"
    check = doctor(healthy.studio).check("last_run")
    assert check.status == "fail" and "Google no longer accepts" in check.detail
    assert "studiosync google auth ann" in check.fix
    healthy.authenticate("ann", "ann@example.com")
    healthy.sync_ok("ann")
    check = doctor(healthy.studio).check("last_run")
    assert check.status == "pass" and "pushed 0, pulled 0" in check.detail


def test_studio_wide_report_has_a_verdict_per_user(healthy: SyncWorld) -> None:
    healthy.studio.users.add("room1", "Room 1", kind="resource")
    healthy.studio.users.add("bob", "Bob")
    healthy.studio.users.add("cat", "Cat")
    healthy.studio.google.update("cat", enabled=True)
    assert doctor(healthy.studio, None).verdicts[0].check == "last_run"  # ann: enabled, never synced
    healthy.sync_ok("ann")
    report = doctor(healthy.studio, None)
    assert {c.name for c in report.checks} == set(STUDIO_CHECKS)
    verdicts = {v.login: v for v in report.verdicts}
    assert verdicts["ann"].status == "ok" and "ann@example.com" in verdicts["ann"].line
    assert "last sync" in verdicts["ann"].line
    assert verdicts["room1"].status == "resource" and "cannot sync" in verdicts["room1"].line
    assert verdicts["bob"].status == "off"
    assert verdicts["cat"].status == "fail" and verdicts["cat"].check == "account_authenticated"
    assert "studiosync google auth cat" in verdicts["cat"].fix
    assert report.failed  # cat's sync is enabled but broken
    healthy.studio.google.update("cat", enabled=False)
    assert not doctor(healthy.studio, None).failed


def test_send_test_email(healthy: SyncWorld, smtp_server: LocalSMTPServer) -> None:  # noqa: F811
    set_up_email(healthy.studio, port=smtp_server.port)
    check = doctor(healthy.studio, None, send_test="it@example.com").check("company_email")
    assert check.status == "pass" and "accepted" in check.detail, check
    assert smtp_server.messages[0].rcpt_tos == ["it@example.com"]
    with LocalSMTPServer(refuse=["it@example.com"]) as refusing:
        set_up_email(healthy.studio, port=refusing.port)
        check = doctor(healthy.studio, None, send_test="it@example.com").check("company_email")
        assert check.status == "fail" and "it@example.com" in check.detail
    set_up_email(healthy.studio, port=free_port())  # nobody listens there
    check = doctor(healthy.studio, None, send_test="it@example.com").check("company_email")
    assert check.status == "fail" and "refused the connection" in check.detail
    assert "host and port" in check.fix
