"""What the log's writers and readers agree on: the file names, the writers' lock, the envelope keys of
a line and the level names.

Writers (:mod:`.write`) append under an exclusive ``flock`` on ``.studiosync.log.lock``; readers
(:mod:`.read`, :mod:`.follow`) and cleanup take the same lock only while they list, open or delete
files, so no rotation renames a file under them.

Must never write a log line or parse one: it only names the files and guards them.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from pathlib import Path

from studiosync.core.errors import InputError

try:  # POSIX only; without it (Windows) we degrade to single-process safety.
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

LOGGER_NAME = "studiosync"
LOG_FILE = "studiosync.log"
LOCK_FILE = ".studiosync.log.lock"
ROTATED_RE = re.compile(re.escape(LOG_FILE) + r"\.(\d+)")
LEVELS = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "WARN": 30, "ERROR": 40, "CRITICAL": 50, "FATAL": 50}
# The envelope of every line; a record's own fields never overwrite these.
RESERVED = ("time", "level", "process", "job", "run_id", "user", "message")
# Fields that carry a stack: never written on a line (core.logs.crash), and never shown from an older
# version's line either.
STACK_FIELDS = ("traceback", "exc", "exc_info", "stack")


def parse_level(level: str | int) -> int:
    """DEBUG/INFO/WARNING (or WARN)/ERROR/CRITICAL, any case, -> logging's number; else InputError."""
    if isinstance(level, int):
        return level
    try:
        return LEVELS[level.strip().upper()]
    except KeyError:
        raise InputError(
            f"'{level}' is not a log level: use DEBUG, INFO, WARNING, ERROR or CRITICAL"
        ) from None


def rotated(path: Path, n: int) -> Path:
    return path.with_name(f"{path.name}.{n}")


def rotated_files(log_dir: Path) -> list[tuple[int, Path]]:
    """(n, path) for studiosync.log.<n>, newest (n = 1) first."""
    found = []
    with contextlib.suppress(FileNotFoundError):
        for entry in os.scandir(log_dir):
            m = ROTATED_RE.fullmatch(entry.name)
            if m:
                found.append((int(m.group(1)), Path(entry.path)))
    return sorted(found)


def split_lines(data: bytes) -> list[str]:
    # Split on b"\n" only: str.splitlines() would also break on U+2028 inside a JSON string.
    return [line.decode("utf-8", "replace") for line in data.split(b"\n") if line.strip()]


@contextlib.contextmanager
def flocked(fd: int | None, exclusive: bool) -> Iterator[None]:
    if fcntl is None or fd is None:
        yield
        return
    fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
    try:
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)


@contextlib.contextmanager
def dir_lock(log_dir: Path, *, exclusive: bool) -> Iterator[None]:
    """The writers' lock, for readers and cleanup; a no-op where no writer ever created it."""
    if fcntl is None:
        yield
        return
    try:
        fd = os.open(log_dir / LOCK_FILE, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        yield
        return
    try:
        with flocked(fd, exclusive):
            yield
    finally:
        os.close(fd)
