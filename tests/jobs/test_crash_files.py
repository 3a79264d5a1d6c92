"""No traceback reaches a person, in a log line either; and a log line's time is the product's clock.

A job body that raises, a sync that hits an internal error and a CLI command that crashes each leave one
line saying what failed with a short crash id (in `studiosync logs`, `--json`, the run record); the stack
is only in the private crash file that id names (logs/crash/, 0600). The `log-cleanup` job prunes crash
files with the rotated logs.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from studiosync.core import clock, logs
from studiosync.core.sync import calendar_sync

from tests.sync.helpers import SyncWorld, soon

STACK_WORDS = ("Traceback", 'File "')
PINNED = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def _no_stack(text: str) -> None:
    for word in STACK_WORDS:
        assert word not in text, text


def _records(cli) -> list[dict]:
    r = cli("logs", "--json")
    assert r.code == 0, r.err
    _no_stack(r.out)
    _no_stack(cli("logs").out)
    return json.loads(r.out)


def _files_the_reader_reads(home: Path) -> str:
    return "".join(p.read_text() for p in (home / "logs").glob("studiosync.log*"))


def _crash_text(home: Path, crash_id: str) -> str:
    path = logs.crash_file(home / "logs", crash_id)
    assert path is not None, crash_id
    assert (path.stat().st_mode & 0o777) == 0o600 and (path.parent.stat().st_mode & 0o777) == 0o700
    return path.read_text()


def test_a_job_body_and_a_sync_that_crash_leave_one_line_and_a_crash_id(
    world: SyncWorld, cli, fake_jobs, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = world.home
    r = cli("jobs", "run", "test-fail")
    assert r.code == 1
    _no_stack(r.out + r.err)

    world.add_user("ann")
    world.add_appt("ann", "session", soon(2))

    def broken(self) -> None:  # noqa: ANN001 - a bug deep in the engine, with a stack in its own text
        raise ValueError('bad start\nTraceback (most recent call last):\n  File "x.py", line 1')

    monkeypatch.setattr(calendar_sync.CalendarSync, "run", broken)
    r = cli("jobs", "run", "google-sync")
    assert r.code == 1
    _no_stack(r.out + r.err)

    records = _records(cli)
    _no_stack(_files_the_reader_reads(home))
    job_crash = next(rec for rec in records if rec["message"].startswith("Test Fail crashed"))
    assert job_crash["error"].startswith("RuntimeError: Google refused token") and job_crash["crash_id"]
    assert "Traceback (most recent call last)" in _crash_text(home, job_crash["crash_id"])
    finished = next(rec for rec in records if rec["message"].startswith("Test Fail finished"))
    assert f"crash id {job_crash['crash_id']}" in finished["message"]  # the run record points at it

    sync_crash = next(rec for rec in records if rec.get("cause") == "internal" and rec["user"] == "ann")
    assert sync_crash["message"] == "internal error: ValueError: bad start"
    assert f"crash id {sync_crash['crash_id']}" in sync_crash["fix"]
    text = _crash_text(home, sync_crash["crash_id"])
    assert "Traceback (most recent call last)" in text and "in broken" in text

    history = json.loads(cli("jobs", "history", "google-sync", "--json").out)
    _no_stack(json.dumps(history))


def test_a_crashing_cli_command_prints_one_line_with_the_crash_id(
    home: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from studiosync.core.studio import users

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("name")

    assert cli("users", "list").code == 0
    monkeypatch.setattr(users.Users, "list", broken)
    r = cli("users", "list")
    assert r.code == 1 and len(r.err.splitlines()) == 1
    assert r.err.startswith("studiosync: internal error: KeyError: 'name' (crash id ")
    crash_id = r.err.split("crash id ")[1][:8]
    (line,) = [rec for rec in _records(cli) if rec.get("crash_id") == crash_id]
    assert line["message"] == "internal error in CLI" and line["error"] == "KeyError: 'name'"
    assert "in broken" in _crash_text(home, crash_id)


def test_an_older_versions_stack_on_a_line_is_never_shown(home: Path, cli) -> None:
    assert cli("users", "list").code == 0
    old = {"time": "2026-11-01T10:00:00.000Z", "level": "ERROR", "message": "boom", "exc": 'Traceback\n  File "a"'}
    with (home / "logs" / "studiosync.log").open("a") as fh:
        fh.write(json.dumps(old) + "\n")
    (rec,) = [r for r in _records(cli) if r["message"] == "boom"]
    assert "exc" not in rec and rec["level"] == "ERROR"


def test_log_lines_and_crash_files_take_the_products_clock(home: Path, cli, fake_jobs) -> None:
    clock.install(clock.fixed_clock(PINNED))
    assert cli("jobs", "run", "test-fail").code == 1
    records = _records(cli)
    assert records and {rec["time"] for rec in records} == {"2026-12-01T10:00:00.000Z"}
    crash_id = next(rec["crash_id"] for rec in records if rec.get("crash_id"))
    path = logs.crash_file(home / "logs", crash_id)
    assert path is not None and path.name.startswith("20261201T100000-")

    # log-cleanup prunes crash files older than its keep_days, by the same clock.
    clock.install(clock.fixed_clock(PINNED + timedelta(days=400)))
    r = cli("jobs", "run", "log-cleanup")
    assert r.code == 0 and "crash files" in r.out, r.out
    assert logs.crash_file(home / "logs", crash_id) is None
