"""Helpers for the doctor tests: company email, the sync job, heartbeats, running the doctor."""

from __future__ import annotations

import os
from datetime import timedelta
from unittest import mock

from studiosync.core import __version__
from studiosync.core.doctor import DoctorReport, run_doctor
from studiosync.core.jobs import computers
from studiosync.core.jobs.computers import ProcessInfo, this_computer
from studiosync.core.jobs.service import Jobs
from studiosync.core.store import layout
from studiosync.core.studio.studio import Studio
from studiosync.core.studio.timeparse import now_utc

TIMEOUT = 2.0  # network probes in tests: the emulator answers at once; a dead port is refused at once


def doctor(studio: Studio, login: str | None = "ann", **kw: object) -> DoctorReport:
    kw.setdefault("timeout", TIMEOUT)
    return run_doctor(studio, login, **kw)  # type: ignore[arg-type]


def status_of(report: DoctorReport) -> dict[str, str]:
    return {c.name: c.status for c in report.checks}


def set_up_email(studio: Studio, port: int = 2525, host: str = "127.0.0.1") -> None:
    studio.prefs.set_email(host=host, port=port, security="none", from_addr="studio@example.com")


def enable_job(studio: Studio, computer: str | None = None, enabled: bool = True) -> None:
    Jobs(studio).update("google-sync", enabled=enabled, computer=computer or this_computer())


def heartbeat(
    studio: Studio,
    host: str | None = None,
    *,
    ago: timedelta = timedelta(0),
    kind: str = "daemon",
    version: str = __version__,
    time_zone: str | None = None,
    pid: int | None = None,
) -> None:
    """Record a console/daemon heartbeat of `host`, as it was `ago` (the real Computers.beat, clock shifted)."""
    when = now_utc() - ago
    info = ProcessInfo(
        host=host or this_computer(),
        pid=pid or os.getpid(),
        kind=kind,
        version=version,
        started="",
        last_seen="",
        time_zone=time_zone,
    )
    with mock.patch.object(computers, "now_utc", lambda: when):
        computers.Computers(studio.store).beat(info)


def old_heartbeat(studio: Studio, host: str, *, ago: timedelta = timedelta(minutes=10)) -> None:
    """A heartbeat as studiosync wrote it before heartbeats carried the version and time zone on the
    computer's row (and its process has stopped since, so no live process says either)."""
    heartbeat(studio, host, ago=ago)
    with studio.store.transaction(layout.COMPUTERS) as tx:
        table = tx.table(layout.COMPUTERS, computers.COMPUTERS_TABLE)
        key = host.casefold()
        row = dict(table.get(doc_id=key) or {})
        row.pop("version", None)
        row.pop("time_zone", None)
        table.put(key, row)
