"""Live sync's settings and reports from the CLI, exactly as spelled: `jobs set google-sync --option
pull_every=30s` / `live=off`, `jobs list --json` pull_every and live, `prefs google --per-user-per-minute N
--per-project-per-minute N`, the doctor's sync_job line with the measured rate; bad input exits 2 and
changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from studiosync.core.doctor import run_doctor
from studiosync.core.google import budget

from tests.conftest import CliRunner
from tests.doctor.helpers import heartbeat
from tests.helpers.files import changed, store_files
from tests.sync.helpers import SyncWorld


def _job(cli: CliRunner) -> dict:
    result = cli("jobs", "list", "--json")
    assert result.code == 0, result.err
    return {j["name"]: j for j in json.loads(result.out)}["google-sync"]


def test_pull_every_and_live_options(cli: CliRunner) -> None:
    job = _job(cli)
    assert (job["pull_every"], job["live"]) == (60, True)
    assert job["options"] == {"horizon_days": 365, "pull_every": 60, "live": True}
    result = cli("jobs", "set", "google-sync", "--option", "pull_every=30s")
    assert result.code == 0 and "live sync on (pull every 30 s)" in result.out, result.err
    assert _job(cli)["pull_every"] == 30
    assert cli("jobs", "set", "google-sync", "--option", "pull_every=2m", "--option", "live=off").code == 0
    job = _job(cli)
    assert (job["pull_every"], job["live"], job["options"]["live"]) == (120, False, False)
    assert _job(cli)["name"] == "google-sync" and {
        j["name"] for j in json.loads(cli("jobs", "list", "--json").out)
    } >= {"backup"}
    backup = {j["name"]: j for j in json.loads(cli("jobs", "list", "--json").out)}["backup"]
    assert (backup["pull_every"], backup["live"]) == (None, None)  # only google-sync has live sync


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("pull_every=14s", "pull_every of google-sync must be 15-86400 seconds"),
        ("pull_every=often", "a duration such as 30s, 2m or 1h"),
        ("live=sometimes", "on or off"),
    ],
)
def test_bad_live_options_exit_2_and_change_nothing(
    cli: CliRunner, home: Path, option: str, message: str
) -> None:
    assert cli("jobs", "list").code == 0
    before = store_files(home)
    result = cli("jobs", "set", "google-sync", "--option", option)
    assert result.code == 2 and len(result.err_lines) == 1 and message in result.err, result.err
    assert changed(before, store_files(home)) == set()


def test_request_budget_in_company_prefs(world: SyncWorld, cli: CliRunner, home: Path) -> None:
    shown = json.loads(cli("prefs", "show", "--json").out)["google"]
    assert (shown["per_user_per_minute"], shown["per_project_per_minute"]) == (
        600,
        10_000,
    )  # Google's defaults
    result = cli("prefs", "google", "--per-user-per-minute", "300", "--per-project-per-minute", "5,000")
    assert result.code == 0 and "300/min per user, 5,000/min for the project" in result.out, result.err
    shown = json.loads(cli("prefs", "show", "--json").out)["google"]
    assert (shown["per_user_per_minute"], shown["per_project_per_minute"]) == (300, 5000)
    assert "google budget    300 Calendar requests/min per user" in cli("prefs", "show").out

    before = store_files(home)
    for args, message in (
        (["--per-user-per-minute", "5"], "must be 10-1,000,000"),
        (["--per-user-per-minute", "6000"], "cannot be larger than the budget for the whole project"),
        (["--per-project-per-minute", "lots"], "'lots' is not a number"),
    ):
        bad = cli("prefs", "google", *args)
        assert bad.code == 2 and len(bad.err_lines) == 1 and message in bad.err, bad.err
    assert changed(before, store_files(home)) == set()

    # The processor keeps to the budget it is given.
    world.add_user("ann")
    world.sync_ok()
    assert budget.shared().limits == budget.Limits(300, 5000)


def test_doctor_shows_the_measured_rate_against_the_budget(world: SyncWorld, cli: CliRunner) -> None:
    world.add_user("ann")
    assert cli("jobs", "set", "google-sync", "--enable", "--computer", "alpha").code == 0
    heartbeat(world.studio, "alpha")
    world.sync_ok()
    [check] = [c for c in run_doctor(world.studio, timeout=2).checks if c.name == "sync_job"]
    assert check.status == "pass", check
    assert "Live sync is on" in check.detail and "Calendar requests in the minute before" in check.detail
    assert "of the 10,000/min budget" in check.detail and "busiest user ann" in check.detail

    # Google asked the project to slow down for 10 minutes: the run's requests fail at once (rate_limited,
    # retried by the next run), and the doctor says so and warns.
    budget.shared().pause(600)
    assert world.sync("ann").users[0].cause == "rate_limited"
    [check] = [c for c in run_doctor(world.studio, timeout=2).checks if c.name == "sync_job"]
    assert check.status == "warn" and "Google asked the project to slow down" in check.detail, check
    assert "--per-project-per-minute" in (check.fix or "")


def test_appointments_list_json_says_which_changes_wait_for_google(world: SyncWorld, cli: CliRunner) -> None:
    """`pending` in `appointments list --json`: true from the studio change until the sync put it on Google;
    a user who does not sync has nothing on its way."""
    world.add_user("ann")
    world.sync_ok()
    added = cli(
        "appointments", "add", "ann", "--title", "Headshots", "--start", "2027-01-05 10:00", "--end", "2027-01-05 11:00"
    )
    assert added.code == 0, added.err
    appointment_id = added.out.strip()

    def pending() -> bool:
        listing = json.loads(cli("appointments", "list", "ann", "--json").out)
        return {a["id"]: a["pending"] for a in listing}[appointment_id]

    assert pending() is True
    world.sync_ok()
    assert pending() is False
    assert cli("appointments", "edit", appointment_id, "--title", "Headshots (2)").code == 0
    assert pending() is True
    assert cli("google", "set", "ann", "--disable").code == 0
    assert pending() is False  # sync is off: nothing is on its way to Google
