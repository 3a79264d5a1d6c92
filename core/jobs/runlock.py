"""One run of a job at a time on a computer, across processes (a console and a daemon side by side).

`flock` on `<data dir>/locks/job-<name>.run.lock`, non-blocking: a second start is refused at once and the
caller records it as skipped, instead of queueing behind a long sync forever. flock locks belong to an open
file description, so two threads of one process exclude each other too, and the kernel drops the lock when
its holder dies (a crashed run never leaves the job locked). The holder writes who it is into the file, so
the one refused can say "running in pid N since T".
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from studiosync.core.paths import FILE_MODE, ensure_private_dir


class RunLockBusy(Exception):
    def __init__(self, job: str, holder: dict[str, Any]) -> None:
        self.job = job
        self.holder = holder
        super().__init__(f"{job} is already running ({describe_holder(holder)})")


def describe_holder(holder: dict[str, Any]) -> str:
    if not holder:
        return "by another process"
    parts = [f"pid {holder.get('pid', '?')}"]
    if holder.get("process"):
        parts.append(f"({holder['process']})")
    if holder.get("started"):
        parts.append(f"since {holder['started']}")
    return " ".join(parts)


def lock_path(locks_dir: Path, job: str) -> Path:
    return locks_dir / f"job-{job}.run.lock"


@contextmanager
def run_lock(locks_dir: Path, job: str, holder: dict[str, Any]) -> Iterator[None]:
    """Hold the job's run lock for the block, or raise RunLockBusy immediately."""
    ensure_private_dir(locks_dir)
    path = lock_path(locks_dir, job)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunLockBusy(job, _read_holder_patiently(fd)) from None
        try:
            _write_holder(fd, holder)
            yield
        finally:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def current_holder(locks_dir: Path, job: str) -> dict[str, Any] | None:
    """Who holds the lock now (None if free). Used to tell a live "running" record from a dead one."""
    path = lock_path(locks_dir, job)
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read_holder(fd)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def _write_holder(fd: int, holder: dict[str, Any]) -> None:
    payload = json.dumps(holder).encode()
    os.ftruncate(fd, 0)
    os.pwrite(fd, payload, 0)


def _read_holder_patiently(fd: int, wait: float = 0.25) -> dict[str, Any]:
    """The holder writes who it is right after taking the lock; if we looked in between (an empty or
    half-written file), look again shortly. A caller comparing fire times depends on it."""
    deadline = time.monotonic() + wait
    while True:
        holder = _read_holder(fd)
        if holder.get("pid") or time.monotonic() >= deadline:
            return holder
        time.sleep(0.005)


def _read_holder(fd: int) -> dict[str, Any]:
    # The holder may be rewriting it this very moment; a torn read just means "we don't know who".
    try:
        raw = os.pread(fd, 4096, 0)
        data = json.loads(raw) if raw.strip() else {}
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
