"""The checklist's last item and its version note: the phone (`mobile`), the job computer's studiosync
`version`, and the job computer's own time zone as its heartbeat reports it (`time_zones`)."""

from __future__ import annotations

from datetime import timedelta

from studiosync.core import __version__
from studiosync.core.doctor import STUDIO_CHECKS, USER_CHECKS
from studiosync.core.jobs.computers import this_computer

from tests.doctor.helpers import doctor, enable_job, heartbeat, old_heartbeat
from tests.sync.helpers import SyncWorld


def test_new_checks_are_split_per_user_and_studio_wide() -> None:
    assert "mobile" in USER_CHECKS and "mobile" not in STUDIO_CHECKS
    assert "version" in STUDIO_CHECKS and "version" not in USER_CHECKS


# -- mobile -------------------------------------------------------------------------------------------
def test_mobile_primary_calendar_passes_with_a_how_to(healthy: SyncWorld) -> None:
    check = doctor(healthy.studio).check("mobile")
    assert check.status == "pass" and "is the primary calendar of ann@example.com" in check.detail
    assert "add the account on the phone" in check.detail
    assert "Android" in check.fix and "iPhone" in check.fix
    assert "\n" not in check.fix and check.section == "Mobile device"


def test_mobile_warns_for_a_secondary_calendar(healthy: SyncWorld) -> None:
    cal = healthy.emu.add_calendar("ann@example.com", "Studio", timezone="UTC")
    healthy.studio.google.update("ann", calendar_id=cal)
    healthy.emu.reset_counts()
    check = doctor(healthy.studio).check("mobile")
    # The doctor's one calendar listing answers it: the mobile check adds no Google request.
    assert healthy.emu.request_counts()["calendar"] == 1
    assert (
        check.status == "warn" and "'Studio' is not the primary calendar of ann@example.com" in check.detail
    )
    assert "Google Calendar app > Settings > ann@example.com > 'Studio' > Sync" in check.fix
    assert "Settings > Calendar > Accounts" in check.fix and "syncselect" in check.fix
    assert "studiosync google set ann --calendar ID" in check.fix
    # Without Google (the studio-wide verdicts) the primary calendar is recognised by its id.
    healthy.sync_ok("ann")
    verdict = {v.login: v for v in doctor(healthy.studio, None).verdicts}["ann"]
    assert verdict.status == "warn" and verdict.check == "mobile"
    healthy.studio.google.update("ann", calendar_id="ann@example.com")
    assert doctor(healthy.studio).check("mobile").status == "pass"
    healthy.sync_ok("ann")
    assert {v.login: v for v in doctor(healthy.studio, None).verdicts}["ann"].status == "ok"


# -- version ------------------------------------------------------------------------------------------
def test_version_of_the_job_computer(healthy: SyncWorld) -> None:
    check = doctor(healthy.studio, None).check("version")  # healthy: this computer's daemon, this version
    assert check.status == "pass" and __version__ in check.detail
    enable_job(healthy.studio, computer="pc2")
    heartbeat(healthy.studio, "pc2", version="0.0.1")
    check = doctor(healthy.studio, None).check("version")
    assert check.status == "warn" and "pc2" in check.detail and "0.0.1" in check.detail
    assert __version__ in check.detail and "pc2" in check.fix and "studiosync --version" in check.fix
    heartbeat(healthy.studio, "pc2", version="0.0.1", ago=timedelta(hours=3))  # stopped: last reported
    assert doctor(healthy.studio, None).check("version").status == "warn"
    heartbeat(healthy.studio, "pc2")
    check = doctor(healthy.studio, None).check("version")
    assert check.status == "pass" and "pc2" in check.detail
    assert doctor(healthy.studio, "ann").check("version").status == "pass"  # in the per-user report too


def test_version_unknown_and_a_stale_console_here(healthy: SyncWorld) -> None:
    enable_job(healthy.studio, computer="pc3")  # never seen
    check = doctor(healthy.studio, None).check("version")
    assert check.status == "warn" and "unknown" in check.detail and "never sent a heartbeat" in check.detail
    old_heartbeat(healthy.studio, "pc3")  # an older studiosync: no version on the computer's row
    check = doctor(healthy.studio, None).check("version")
    assert check.status == "warn" and "reported no version" in check.detail
    enable_job(healthy.studio)  # back on this computer, where an old console still runs
    heartbeat(healthy.studio, kind="console", version="0.0.9", pid=999_999)
    check = doctor(healthy.studio, None).check("version")
    assert check.status == "warn" and "0.0.9" in check.detail and "Restart" in check.fix
    assert this_computer() in check.fix


# -- time zone of a job computer elsewhere ------------------------------------------------------------
def test_time_zone_reported_by_the_job_computer(healthy: SyncWorld) -> None:
    enable_job(healthy.studio, computer="pc2")
    old_heartbeat(healthy.studio, "pc2")  # a heartbeat without a zone: as before, not checked
    check = doctor(healthy.studio, None).check("time_zones")
    assert check.status == "pass" and "job computer pc2 not checked (run the doctor there)" in check.detail
    heartbeat(healthy.studio, "pc2", time_zone="Asia/Tokyo")
    check = doctor(healthy.studio, None).check("time_zones")
    assert check.status == "warn" and "Asia/Tokyo" in check.detail and "UTC" in check.detail
    assert "On pc2" in check.fix and "set-timezone UTC" in check.fix
    assert doctor(healthy.studio).check("time_zones").status == "warn"  # the user's report says it too
    heartbeat(healthy.studio, "pc2", time_zone="Etc/UTC")  # another name for the studio's clock
    check = doctor(healthy.studio, None).check("time_zones")
    assert check.status == "pass" and "job computer pc2 Etc/UTC" in check.detail
