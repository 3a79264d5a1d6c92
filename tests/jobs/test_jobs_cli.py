"""`studiosync jobs ...`: the catalogue's defaults, schedules as typed, refusals, manual runs."""

from __future__ import annotations

import json
import socket
from datetime import datetime
from pathlib import Path

import pytest
from studiosync.core.jobs import runlock
from studiosync.core.jobs.service import Jobs
from studiosync.core.studio.studio import Studio

from tests.helpers.files import changed, store_files


@pytest.fixture
def here(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.delenv("STUDIOSYNC_COMPUTER", raising=False)
    return socket.gethostname()


def _jobs(cli) -> dict[str, dict]:
    result = cli("jobs", "list", "--json")
    assert result.code == 0, result.err
    return {j["name"]: j for j in json.loads(result.out)}


def test_fresh_data_dir_has_the_catalogue_with_defaults(cli, here: str) -> None:
    jobs = _jobs(cli)
    assert list(jobs)[:4] == ["google-sync", "backup", "compact", "log-cleanup"]
    sync = jobs["google-sync"]
    assert sync["title"] == "Google Sync Processor"
    assert (sync["enabled"], sync["schedule"], sync["computer"]) == (False, "15m", here)
    assert sync["schedule_text"] == "every 15 minutes"
    assert sync["next_run"] is None and sync["last_run"] is None and sync["last_status"] is None
    assert sync["computer_alive"] is False  # no console or daemon has run here yet
    for name in ("backup", "compact", "log-cleanup"):
        assert jobs[name]["enabled"] is True and jobs[name]["next_run"] is not None
    assert jobs["backup"]["schedule"] == "0 2 * * *" and jobs["backup"]["options"] == {"keep": 7}
    assert jobs["log-cleanup"]["options"] == {"keep_days": 14}
    human = cli("jobs", "list")
    assert human.code == 0 and "google-sync" in human.out and "every 15 minutes" in human.out


def test_cron_weekday_numbering_is_crons(cli, studio: Studio) -> None:
    studio.prefs.set_timezone("America/New_York")
    result = cli("jobs", "set", "google-sync", "--enable", "--schedule", "0 9 * * 1")
    assert result.code == 0, result.err
    job = _jobs(cli)["google-sync"]
    assert job["schedule_text"] == "at 09:00 on Monday"
    runs = Jobs(Studio.open(studio.datadir.root)).next_runs("google-sync", 3)
    for run in runs:
        assert (run.strftime("%A %H:%M"), str(run.tzinfo)) == ("Monday 09:00", "America/New_York")
    nxt = datetime.fromisoformat(job["next_run"])
    assert nxt.weekday() == 0 and nxt.hour == 9 and nxt.utcoffset() is not None


@pytest.mark.parametrize(
    ("typed", "canonical", "words"),
    [
        ("30s", "30s", "every 30 seconds"),
        ("every 15m", "15m", "every 15 minutes"),
        ("1h", "1h", "every hour"),
    ],
)
def test_interval_schedules(cli, typed: str, canonical: str, words: str) -> None:
    assert cli("jobs", "set", "google-sync", "--schedule", typed).code == 0
    job = _jobs(cli)["google-sync"]
    assert (job["schedule"], job["schedule_text"]) == (canonical, words)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["google-sync", "--schedule", "61 * * * *"], "minute 61 is out of range 0-59"),
        (["google-sync", "--schedule", "0s"], "interval"),
        (["google-sync", "--schedule", "every day"], "'every day'"),
        (["google-sync", "--schedule", "0 9 * * 8"], "day-of-week"),
        (["nope", "--enable"], "no job 'nope'"),
        (["google-sync", "--computer", "bad host!"], "invalid computer name"),
        (["backup", "--option", "keep=0"], "keep"),
        (["backup", "--option", "colour=red"], "no option"),
        (["google-sync"], "nothing to change"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_changes_nothing(
    cli, home: Path, args: list[str], message: str
) -> None:
    assert cli("jobs", "list").code == 0  # the catalogue exists before we try to break it
    before = store_files(home)
    result = cli("jobs", "set", *args)
    assert result.code == 2
    assert len(result.err_lines) == 1 and message in result.err, result.err
    assert changed(before, store_files(home)) == set()


def test_enable_and_disable_conflict_is_refused(cli) -> None:
    result = cli("jobs", "set", "google-sync", "--enable", "--disable")
    assert result.code == 2 and len(result.err_lines) == 1


def test_unseen_computer_is_accepted_with_a_warning(cli, here: str) -> None:
    result = cli("jobs", "set", "backup", "--computer", "server-later")
    assert result.code == 0
    assert "warning" in result.err and "server-later" in result.err and "not been seen" in result.err
    job = _jobs(cli)["backup"]
    assert job["computer"] == "server-later" and job["runs_here"] is False and job["computer_known"] is False
    back = cli("jobs", "set", "backup", "--computer", here)
    assert back.code == 0 and back.err == ""  # this computer needs no warning


def test_jobs_run_backup_and_history(cli, home: Path) -> None:
    result = cli("jobs", "run", "backup")
    assert result.code == 0, result.err
    assert result.out.startswith("backup: ok: backed up")
    backups = [p for p in (home / "backups").iterdir() if not p.name.startswith(".")]
    assert len(backups) == 1
    manifest = json.loads((backups[0] / "manifest.json").read_text())
    assert (backups[0] / "store" / "jobs.json").exists() and manifest["files"] >= 2
    hist = cli("jobs", "history", "--json")
    records = json.loads(hist.out)
    assert [r["job"] for r in records] == ["backup"]
    assert records[0]["status"] == "ok" and records[0]["trigger"] == "manual" and records[0]["finished"]
    job = _jobs(cli)["backup"]
    assert job["last_status"] == "ok" and job["last_run"] == records[0]["started"]
    assert cli("jobs", "history", "nope").code == 2


def test_jobs_run_of_a_running_job_is_skipped_and_exits_1(cli, home: Path, studio: Studio) -> None:
    holder = {"pid": 4242, "process": "daemon", "started": "2026-01-01T00:00:00+00:00"}
    with runlock.run_lock(studio.datadir.locks, "compact", holder):
        result = cli("jobs", "run", "compact")
    assert result.code == 1
    assert "skipped" in result.out and "pid 4242" in result.out
    records = json.loads(cli("jobs", "history", "compact", "--json").out)
    assert [r["status"] for r in records] == ["skipped"]
    # A skip says nothing about how the job is doing: it is not the job's "last run".
    assert _jobs(cli)["compact"]["last_status"] is None


def test_failing_job_exits_1(cli, home: Path, fake_jobs: None) -> None:
    result = cli("jobs", "run", "test-fail")
    assert result.code == 1
    assert "test-fail: error: internal error: RuntimeError" in result.out


def test_jobs_computers_lists_heartbeats(cli, studio: Studio, monkeypatch: pytest.MonkeyPatch) -> None:
    from studiosync.core.jobs.computers import Heartbeat

    monkeypatch.setenv("STUDIOSYNC_COMPUTER", "studio-pc")
    Heartbeat(studio.store, "console").beat(0)
    found = json.loads(cli("jobs", "computers", "--json").out)
    assert [(c["host"], c["alive"], c["this"]) for c in found] == [("studio-pc", True, True)]
    assert found[0]["processes"][0]["kind"] == "console"
