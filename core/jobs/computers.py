"""Which computers run studiosync, and which are alive right now.

Every running console and daemon writes a heartbeat every HEARTBEAT_SECONDS into the COMPUTERS store file
(kept apart from the job settings because it is written often). The job editor offers the computers seen so
far and says which are alive; a job runs only on the computer it names.

`STUDIOSYNC_COMPUTER` overrides this computer's name (tests run "several computers" on one machine; it also
helps when a host's name changes but its jobs should not).
"""

from __future__ import annotations

import os
import re
import socket
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from studiosync.core import __version__
from studiosync.core.errors import InputError
from studiosync.core.store import layout
from studiosync.core.store.store import Store
from studiosync.core.studio.timeparse import now_utc, stamp

COMPUTER_ENV = "STUDIOSYNC_COMPUTER"
HEARTBEAT_SECONDS = 15
ALIVE_SECONDS = 90  # six missed heartbeats: the process is gone, asleep or cut off
FORGET_PROCESS_SECONDS = 3600  # dead process rows are pruned; the computer itself stays known

COMPUTERS_TABLE = "computers"
PROCESSES_TABLE = "processes"

ProcessKind = Literal["console", "daemon"]
_HOST_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,252})$")


def this_computer() -> str:
    return os.environ.get(COMPUTER_ENV, "").strip() or socket.gethostname()


def local_zone_name() -> str | None:
    """This computer's IANA time zone ("Europe/Paris"), for heartbeats: the doctor on another computer
    compares it with the studio's. TZ wins (it is what this process's local time uses), else the
    /etc/localtime symlink's zoneinfo name; None when neither names a zone (a copied file, Windows)."""
    tz = os.environ.get("TZ")
    if tz is not None:
        return _zone_key(tz.lstrip(":"))  # a POSIX rule such as "EST5" names no IANA zone: None
    try:
        target = os.path.realpath("/etc/localtime")
    except OSError:
        return None
    return _zone_key(target) if "zoneinfo/" in target else None


def _zone_key(text: str) -> str | None:
    key = text.strip()
    if "zoneinfo/" in key:  # a path: /usr/share/zoneinfo/Europe/Paris (also .../zoneinfo/posix/...)
        key = key.rsplit("zoneinfo/", 1)[1]
        for prefix in ("posix/", "right/"):
            key = key.removeprefix(prefix)
    if not key or key.startswith("/") or ".." in key:
        return None
    try:
        ZoneInfo(key)
    except (ValueError, OSError, KeyError):
        return None
    return key


def same_computer(a: str | None, b: str | None) -> bool:
    # Host names are case-insensitive; "Studio-PC" and "studio-pc" are one machine.
    return bool(a) and bool(b) and a.casefold() == b.casefold()  # type: ignore[union-attr]


def check_computer_name(name: str) -> str:
    name = (name or "").strip()
    if not _HOST_RE.match(name):
        raise InputError(f"invalid computer name {name!r}: use a host name such as 'studio-server'")
    return name


@dataclass
class ProcessInfo:
    """One running studiosync process (a console or a daemon) as its heartbeat reports it: computer, pid,
    version, start, last beat and time zone."""

    host: str
    pid: int
    kind: str
    version: str
    started: str
    last_seen: str
    time_zone: str | None = None  # IANA name (local_zone_name); absent from heartbeats of older versions

    @property
    def key(self) -> str:
        return f"{self.host.casefold()}/{self.pid}"


@dataclass
class Computer:
    """A computer that runs (or ran) studiosync: when it was first and last seen, whether it is alive, and its
    live processes."""

    host: str
    first_seen: str
    last_seen: str
    alive: bool
    processes: list[ProcessInfo] = field(default_factory=list)  # the live ones
    # What its last heartbeat reported, kept after its processes stop (None: never reported, older version).
    version: str | None = None
    time_zone: str | None = None

    def to_doc(self) -> dict[str, Any]:
        return asdict(self)


def _age(text: str | None, now: datetime) -> float:
    if not text:
        return float("inf")
    try:
        return (now - datetime.fromisoformat(text)).total_seconds()
    except ValueError:
        return float("inf")


class Computers:
    def __init__(self, store: Store) -> None:
        self._store = store

    def beat(self, info: ProcessInfo) -> None:
        """Record that `info`'s process is alive (one small transaction)."""
        now = now_utc()
        info.last_seen = now.isoformat(timespec="milliseconds")
        with self._store.transaction(layout.COMPUTERS) as tx:
            processes = tx.table(layout.COMPUTERS, PROCESSES_TABLE)
            stale = [
                k for k, row in _items(processes) if _age(row.get("last_seen"), now) > FORGET_PROCESS_SECONDS
            ]
            processes.delete(*stale)
            processes.put(info.key, asdict(info))
            computers = tx.table(layout.COMPUTERS, COMPUTERS_TABLE)
            key = info.host.casefold()
            row = computers.get(doc_id=key)
            computers.put(
                key,
                {
                    "host": info.host,
                    "first_seen": (row or {}).get("first_seen") or info.last_seen,
                    "last_seen": info.last_seen,
                    "version": info.version,
                    "time_zone": info.time_zone,
                },
            )

    def leave(self, info: ProcessInfo) -> None:
        """A clean stop: drop the process row so the computer stops counting as alive at once."""
        with self._store.transaction(layout.COMPUTERS) as tx:
            tx.table(layout.COMPUTERS, PROCESSES_TABLE).delete(info.key)

    def list(self, now: datetime | None = None) -> list[Computer]:
        now = now or now_utc()
        hosts = self._store.table_rows(layout.COMPUTERS, COMPUTERS_TABLE)
        procs = self._store.table_rows(layout.COMPUTERS, PROCESSES_TABLE)
        found: list[Computer] = []
        for key, row in hosts.items():
            live = [
                ProcessInfo(**{k: p[k] for k in ProcessInfo.__dataclass_fields__ if k in p})
                for p in procs.values()
                if str(p.get("host", "")).casefold() == key and _age(p.get("last_seen"), now) <= ALIVE_SECONDS
            ]
            found.append(
                Computer(
                    host=row.get("host", key),
                    first_seen=row.get("first_seen", ""),
                    last_seen=row.get("last_seen", ""),
                    alive=bool(live),
                    processes=sorted(live, key=lambda p: p.pid),
                    version=row.get("version"),
                    time_zone=row.get("time_zone"),
                )
            )
        return sorted(found, key=lambda c: c.host.casefold())

    def find(self, host: str, now: datetime | None = None) -> Computer | None:
        for computer in self.list(now):
            if same_computer(computer.host, host):
                return computer
        return None

    def prune(self, older_than: timedelta) -> int:
        """Forget computers not seen for `older_than` (compact job); returns how many."""
        now = now_utc()
        limit = older_than.total_seconds()
        with self._store.transaction(layout.COMPUTERS) as tx:
            hosts = tx.table(layout.COMPUTERS, COMPUTERS_TABLE)
            gone = [k for k, row in _items(hosts) if _age(row.get("last_seen"), now) > limit]
            hosts.delete(*gone)
            procs = tx.table(layout.COMPUTERS, PROCESSES_TABLE)
            procs.delete(
                *[k for k, row in _items(procs) if _age(row.get("last_seen"), now) > FORGET_PROCESS_SECONDS]
            )
        return len(gone)


def _items(table: Any) -> list[tuple[str, dict[str, Any]]]:
    return [(str(doc.doc_id), dict(doc)) for doc in table.all()]


class Heartbeat:
    """This process's heartbeat: call beat() every HEARTBEAT_SECONDS, stop() on a clean exit."""

    def __init__(self, store: Store, kind: ProcessKind) -> None:
        started = stamp()
        self.info = ProcessInfo(
            host=this_computer(),
            pid=os.getpid(),
            kind=kind,
            version=__version__,
            started=started,
            last_seen=started,
            time_zone=local_zone_name(),
        )
        self._computers = Computers(store)
        self._last = 0.0

    def due(self, monotonic_now: float) -> bool:
        return monotonic_now - self._last >= HEARTBEAT_SECONDS

    def beat(self, monotonic_now: float) -> None:
        self._computers.beat(self.info)
        self._last = monotonic_now

    def stop(self) -> None:
        self._computers.leave(self.info)
