"""Unit tests: fire times and catch-up, the run lock, history bounds, computers, housekeeping bodies."""

from __future__ import annotations

import asyncio
import json
import os
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from studiosync.core import __version__
from studiosync.core.errors import InputError
from studiosync.core.jobs import computers as computers_mod
from studiosync.core.jobs import history as history_mod
from studiosync.core.jobs.base import JobContext
from studiosync.core.jobs.catalogue import Catalogue
from studiosync.core.jobs.computers import ALIVE_SECONDS, Computers, Heartbeat, local_zone_name
from studiosync.core.jobs.history import History, RunRecord
from studiosync.core.jobs.housekeeping import backup, compact, list_backups
from studiosync.core.jobs.runlock import RunLockBusy, current_holder, run_lock
from studiosync.core.jobs.scheduler import AnchoredTrigger, EmbeddedScheduler, base_trigger, pending_fire
from studiosync.core.jobs.service import Jobs
from studiosync.core.schedule import parse_schedule
from studiosync.core.store import layout
from studiosync.core.studio.studio import Studio

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday


# -- fire times -----------------------------------------------------------------------------------
def test_interval_is_owed_at_its_anchor_then_counts_from_it() -> None:
    every = parse_schedule("15m")
    assert pending_fire(every, "UTC", T0, None, T0 + timedelta(seconds=3)) == T0  # just enabled: run now
    ran = T0 + timedelta(seconds=1)
    assert pending_fire(every, "UTC", T0, ran, T0 + timedelta(minutes=5)) is None
    # Down from 08:10 to 09:02: one run is owed (the first missed fire), not four.
    assert pending_fire(every, "UTC", T0, ran, T0 + timedelta(minutes=62)) == T0 + timedelta(minutes=15)


def test_cron_catch_up_only_for_fires_after_the_anchor() -> None:
    daily = parse_schedule("0 2 * * *")
    created = T0  # Monday 08:00
    assert pending_fire(daily, "UTC", created, None, T0 + timedelta(hours=1)) is None
    tuesday_9 = T0 + timedelta(days=1, hours=1)  # the computer was off at Tuesday 02:00
    assert pending_fire(daily, "UTC", created, None, tuesday_9) == datetime(2026, 3, 3, 2, 0, tzinfo=UTC)


def test_anchored_trigger_coalesces_missed_fires() -> None:
    every = parse_schedule("10m")
    trig = AnchoredTrigger(base_trigger(every, "UTC", T0), pending=T0)
    assert trig.get_next_fire_time(None, T0 + timedelta(seconds=5)) == T0
    # After the run for T0, the process slept 35 minutes: the next fire is the next one still ahead.
    now = T0 + timedelta(minutes=35)
    assert trig.get_next_fire_time(T0, now) == T0 + timedelta(minutes=40)
    assert trig.get_next_fire_time(T0, T0 + timedelta(minutes=1)) == T0 + timedelta(minutes=10)


def test_cron_trigger_in_studio_zone() -> None:
    monday_9 = parse_schedule("0 9 * * 1")
    trig = base_trigger(monday_9, "Europe/Paris", T0)
    nxt = trig.get_next_fire_time(None, T0)  # Monday 08:00 UTC = 09:00 Paris: that one counts
    assert nxt.strftime("%A %H:%M") == "Monday 09:00" and str(nxt.tzinfo) == "Europe/Paris"


# -- run lock -------------------------------------------------------------------------------------
def test_run_lock_is_exclusive_even_within_one_process(tmp_path: Path) -> None:
    with run_lock(tmp_path, "backup", {"pid": 1, "process": "daemon", "started": "x"}):
        assert current_holder(tmp_path, "backup")["pid"] == 1
        with pytest.raises(RunLockBusy) as busy, run_lock(tmp_path, "backup", {"pid": 2}):
            pass
        assert "pid 1 (daemon) since x" in str(busy.value)
        with run_lock(tmp_path, "compact", {"pid": 3}):  # other jobs are independent
            pass
    assert current_holder(tmp_path, "backup") is None
    with run_lock(tmp_path, "backup", {"pid": 4}):
        pass


# -- history --------------------------------------------------------------------------------------
def _record(i: int, job: str = "google-sync", status: str = "ok") -> RunRecord:
    started = (T0 + timedelta(minutes=i)).isoformat(timespec="milliseconds")
    return RunRecord(
        id=f"r{i}",
        job=job,
        computer="alpha",
        pid=1,
        process="daemon",
        trigger="schedule",
        scheduled_for=None,
        started=started,
        finished=started,
        status=status,
    )


def test_history_is_bounded_per_job_and_newest_first(studio: Studio, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(history_mod, "MAX_PER_JOB", 5)
    hist = History(studio.store)
    hist.finish(_record(0, job="backup"))
    for i in range(1, 9):
        hist.finish(_record(i))
    records = hist.list()
    assert [r.id for r in records] == ["r8", "r7", "r6", "r5", "r4", "r0"]  # the backup run survives
    assert hist.last("backup").id == "r0"


def test_begin_closes_runs_left_running_by_a_dead_process(
    studio: Studio, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STUDIOSYNC_COMPUTER", "alpha")
    hist = History(studio.store)
    dead = _record(1, status="running")
    dead.pid, dead.finished = 999_999_999, None
    hist.begin(dead)
    assert hist.list()[0].status == "error"  # shown as interrupted: the pid is gone
    hist.begin(_record(2, status="running"))
    stored = {r["id"]: r for r in studio.store.table_rows("runs", "runs").values()}
    assert stored["r1"]["status"] == "error" and "interrupted" in stored["r1"]["summary"]


# -- computers ------------------------------------------------------------------------------------
def test_computers_alive_and_known(studio: Studio, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STUDIOSYNC_COMPUTER", "Studio-PC")
    beat = Heartbeat(studio.store, "daemon")
    beat.beat(0)
    computers = Computers(studio.store)
    found = computers.find("studio-pc")  # host names are case-insensitive
    assert found is not None and found.alive and found.processes[0].kind == "daemon"
    later = datetime.now(UTC) + timedelta(seconds=ALIVE_SECONDS + 5)
    assert computers.find("studio-pc", now=later).alive is False
    beat.stop()
    assert computers.find("studio-pc").alive is False  # a clean stop is visible at once


def test_heartbeats_carry_version_and_time_zone(studio: Studio, monkeypatch: pytest.MonkeyPatch) -> None:
    """The doctor on another computer compares them; the computer's row keeps them after it stops."""
    monkeypatch.setenv("STUDIOSYNC_COMPUTER", "pc2")
    monkeypatch.setenv("TZ", "Europe/Paris")
    beat = Heartbeat(studio.store, "console")
    beat.beat(0)
    found = Computers(studio.store).find("pc2")
    assert found is not None and (found.version, found.time_zone) == (__version__, "Europe/Paris")
    assert (found.processes[0].version, found.processes[0].time_zone) == (__version__, "Europe/Paris")
    beat.stop()
    found = Computers(studio.store).find("pc2")
    assert not found.processes and (found.version, found.time_zone) == (__version__, "Europe/Paris")


def test_heartbeats_of_older_versions_still_read(studio: Studio) -> None:
    """Rows written before heartbeats carried a time zone (nor the computer row its version)."""
    now = datetime.now(UTC).isoformat(timespec="milliseconds")
    with studio.store.transaction(layout.COMPUTERS) as tx:
        tx.table(layout.COMPUTERS, computers_mod.PROCESSES_TABLE).put(
            "old/1",
            {"host": "old", "pid": 1, "kind": "daemon", "version": "0.0.1", "started": now, "last_seen": now},
        )
        tx.table(layout.COMPUTERS, computers_mod.COMPUTERS_TABLE).put(
            "old", {"host": "old", "first_seen": now, "last_seen": now}
        )
    found = Computers(studio.store).find("old")
    assert found is not None and found.alive and found.processes[0].time_zone is None
    assert (found.version, found.time_zone) == (None, None)


def test_local_zone_name(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for tz, expected in (
        ("Asia/Tokyo", "Asia/Tokyo"),
        (":America/New_York", "America/New_York"),
        ("/usr/share/zoneinfo/Europe/Paris", "Europe/Paris"),
        ("EST5", None),  # a POSIX rule names no IANA zone
        ("Not/AZone", None),
    ):
        monkeypatch.setenv("TZ", tz)
        assert local_zone_name() == expected, tz
    monkeypatch.delenv("TZ")
    link = tmp_path / "localtime"
    link.symlink_to("/usr/share/zoneinfo/posix/America/Chicago")
    real = os.path.realpath
    monkeypatch.setattr(
        computers_mod.os.path, "realpath", lambda p: real(link) if p == "/etc/localtime" else real(p)
    )
    assert local_zone_name() == "America/Chicago"
    copied = tmp_path / "copied"
    copied.write_bytes(b"TZif")
    monkeypatch.setattr(computers_mod.os.path, "realpath", lambda p: str(copied))
    assert local_zone_name() is None  # a copied file names no zone


# -- housekeeping ---------------------------------------------------------------------------------
def _ctx(studio: Studio, name: str, **options: int) -> JobContext:
    settings = Catalogue(studio.store).get(name)
    settings.options.update(options)
    return JobContext(studio=studio, job=settings, run_id=f"run{threading.get_ident()}", computer="alpha")


def test_backup_keeps_the_newest_n(studio: Studio) -> None:
    for _ in range(4):
        outcome = backup(_ctx(studio, "backup", keep=2))
        assert outcome.status == "ok"
    kept = list_backups(studio.datadir.backups)
    assert len(kept) == 2
    assert not [p for p in studio.datadir.backups.iterdir() if p.name.startswith(".partial")]
    for path in kept[0].rglob("*"):
        assert path.stat().st_mode & 0o777 == (0o700 if path.is_dir() else 0o600)


def test_backup_is_consistent_across_files(studio: Studio) -> None:
    """A writer changes two files in one transaction; every backup must see both or neither change."""
    store = studio.store
    stop = threading.Event()

    def writer() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            with store.transaction("test/a", "test/b") as tx:
                tx.table("test/a", "t").put("n", {"n": n})
                tx.table("test/b", "t").put("n", {"n": n})

    with store.transaction("test/a", "test/b") as tx:  # both exist before the first backup
        tx.table("test/a", "t").put("n", {"n": 0})
        tx.table("test/b", "t").put("n", {"n": 0})
    thread = threading.Thread(target=writer)
    thread.start()
    try:
        for _ in range(15):
            backup(_ctx(studio, "backup", keep=100))
    finally:
        stop.set()
        thread.join()
    for folder in list_backups(studio.datadir.backups):
        a = json.loads((folder / "store" / "test" / "a.json").read_text())
        b = json.loads((folder / "store" / "test" / "b.json").read_text())
        assert a == b, folder.name


def test_compact_drops_old_history_and_rewrites(studio: Studio) -> None:
    hist = History(studio.store)
    old = _record(1)
    old.started = (datetime.now(UTC) - timedelta(days=40)).isoformat(timespec="milliseconds")
    hist.finish(old)
    hist.finish(RunRecord(**{**_record(2).to_doc(), "started": datetime.now(UTC).isoformat()}))
    tmp = studio.datadir.store / ".clients.json.999.1.tmp"  # left by a writer killed mid-commit
    tmp.write_text("{")
    os.utime(tmp, (0, 0))
    outcome = compact(_ctx(studio, "compact"))
    assert (
        outcome.status == "ok"
        and "dropped 1 runs" in outcome.summary
        and "1 stale temporary" in outcome.summary
    )
    assert [r.id for r in hist.list()] == ["r2"]
    for path in studio.datadir.store.rglob("*.json"):
        json.loads(path.read_text())


def test_compact_drops_pending_changes_only_of_users_who_never_enabled_sync(studio: Studio) -> None:
    studio.users.add("ann", "Ann")
    studio.users.add("bob", "Bob")
    studio.users.add("room", "Room", kind="resource")
    start = datetime(2027, 1, 5, 9, 0, tzinfo=UTC)
    for login in ("ann", "bob", "room"):
        studio.appointments.add(login, title="Session", start=start, end=start + timedelta(hours=1))
    prefs = studio.users.google_prefs("bob")
    prefs.enabled_at = datetime.now(UTC).isoformat()  # bob enabled sync once (maybe off again now)
    studio.users.save_google_prefs(prefs)
    outcome = compact(_ctx(studio, "compact"))
    assert "dropped 2 pending changes" in outcome.summary
    pending = studio.appointments.pending_ids
    assert pending("ann") == [] and pending("room") == [] and len(pending("bob")) == 1


# -- embedded scheduler ---------------------------------------------------------------------------
def test_embedded_scheduler_runs_in_an_asyncio_loop(
    studio: Studio, fake_jobs: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STUDIOSYNC_COMPUTER", "alpha")
    jobs = Jobs(studio)
    jobs.update("test-sleep", enabled=True, schedule="10s", computer="alpha", options={"ms": 300})
    seen: list[str] = []

    async def main() -> bool:
        scheduler = EmbeddedScheduler(studio)
        scheduler.add_listener(lambda r: seen.append(r.status))
        await scheduler.start()
        ticks = 0
        while "ok" not in seen and ticks < 100:  # the loop stays responsive while the job sleeps
            await asyncio.sleep(0.05)
            ticks += 1
        return await scheduler.shutdown()

    assert asyncio.run(main()) is True
    assert seen == ["running", "ok"]
    record = jobs.history("test-sleep")[0]
    assert (record.status, record.process, record.trigger) == ("ok", "console", "schedule")
    assert jobs.get("test-sleep").last_status == "ok"
    assert Computers(studio.store).find("alpha").alive is False  # the console left cleanly


def test_scheduler_follows_time_zone_and_settings_changes(
    studio: Studio, monkeypatch: pytest.MonkeyPatch
) -> None:
    from studiosync.core.jobs.scheduler import HeadlessScheduler

    monkeypatch.setenv("STUDIOSYNC_COMPUTER", "alpha")
    jobs = Jobs(studio)
    jobs.update("backup", schedule="0 9 * * *", computer="alpha")
    jobs.update("compact", computer="elsewhere")
    scheduler = HeadlessScheduler(studio)
    scheduler.start()
    try:
        planned = scheduler.core.scheduled()
        assert "compact" not in planned and "google-sync" not in planned  # not ours / disabled
        assert planned["backup"].astimezone(UTC).hour == 9
        studio.prefs.set_timezone("Asia/Tokyo")  # UTC+9, no DST
        scheduler.core.refresh()  # what the 2 s tick does when the studio file changed
        assert scheduler.core.scheduled()["backup"].astimezone(UTC).hour == 0
        jobs.update("backup", enabled=False)
        scheduler.core.refresh()
        assert "backup" not in scheduler.core.scheduled()
    finally:
        assert scheduler.shutdown(2)


def test_service_next_runs_and_preview(studio: Studio, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STUDIOSYNC_COMPUTER", "alpha")
    jobs = Jobs(studio)
    view, warnings = jobs.update("google-sync", enabled=True, schedule="15m", computer="alpha")
    assert warnings == ["no user has Google sync enabled yet: the processor will have nothing to do"]
    runs = jobs.next_runs("google-sync", 3)
    # Just enabled: owed now (its anchor), then every 15 minutes from it.
    assert [(b - a).total_seconds() for a, b in zip(runs, runs[1:], strict=False)] == [900, 900]
    assert abs((runs[0] - datetime.now(UTC)).total_seconds()) < 5
    assert view.next_run == runs[0].isoformat()
    preview = jobs.preview("0 9 * * 1", 2)
    assert [p.strftime("%a %H:%M") for p in preview] == ["Mon 09:00", "Mon 09:00"]
    with pytest.raises(InputError):
        jobs.describe_schedule("61 * * * *")
