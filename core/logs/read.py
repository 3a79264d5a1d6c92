"""Reading the log back: parse a line into a :class:`LogRecordView`, filter records, list every file
oldest first (:func:`read_logs`) and delete old rotated files (:func:`cleanup_rotated`).

A stray line (a crash dump, someone's ``echo``) is shown as text, never a crash; a stack field on a line
an older version wrote is left out (stacks live in crash files, core.logs.crash).

Must never write a line, rotate or truncate a file; it only deletes rotated files older than asked,
under the writers' lock.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from studiosync.core.logs.layout import (
    LEVELS,
    LOG_FILE,
    RESERVED,
    STACK_FIELDS,
    dir_lock,
    parse_level,
    rotated_files,
    split_lines,
)


@dataclass(frozen=True)
class LogRecordView:
    """One log line read back: time, level, process, the job, run and user it is about, message and extra
    fields; a stray line is all message."""

    time: datetime | None  # aware, UTC; None for a line that isn't one of ours
    level: str
    process: str | None
    job: str | None
    run_id: str | None
    user: str | None
    message: str
    fields: dict[str, Any] = field(default_factory=dict)
    raw: str = ""


def parse_line(line: str) -> LogRecordView:
    try:
        obj = json.loads(line)
    except ValueError:
        obj = None
    if not isinstance(obj, dict):
        # Never crash on a stray line (a crash dump, someone's echo): show it as text.
        return LogRecordView(None, "INFO", None, None, None, None, line, {}, line)
    when = None
    if isinstance(obj.get("time"), str):
        with contextlib.suppress(ValueError):
            when = datetime.fromisoformat(obj["time"].replace("Z", "+00:00"))

    # A line written by an older version may hold a stack: it is never shown (core.logs.crash).
    stack = any(k in obj for k in STACK_FIELDS)

    def text(key: str) -> str | None:
        value = obj.get(key)
        return None if value is None else str(value)

    return LogRecordView(
        time=when,
        level=str(obj.get("level") or "INFO").upper(),
        process=text("process"),
        job=text("job"),
        run_id=text("run_id"),
        user=text("user"),
        message=str(obj.get("message", "")),
        fields={k: v for k, v in obj.items() if k not in RESERVED and k not in STACK_FIELDS},
        raw=line if not stack else json.dumps({k: v for k, v in obj.items() if k not in STACK_FIELDS}),
    )


def make_filter(
    user: str | None, level: str | None, job: str | None, since: datetime | None
) -> Callable[[LogRecordView], bool]:
    threshold = parse_level(level) if level is not None else None
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)  # naive = UTC, like the file

    def accepts(rec: LogRecordView) -> bool:
        if user is not None and rec.user != user:
            return False
        if job is not None and rec.job != job:
            return False
        if threshold is not None and LEVELS.get(rec.level, 20) < threshold:
            return False
        # Lines without a time (not ours) are kept: hiding unknown text could hide the clue.
        return not (since is not None and rec.time is not None and rec.time < since)

    return accepts


def read_logs(
    log_dir: Path,
    *,
    user: str | None = None,
    level: str | None = None,
    job: str | None = None,
    since: datetime | None = None,
) -> list[LogRecordView]:
    """All records, oldest first: rotated files (highest number first), then the current file.

    ``level`` keeps that level and above (case-insensitive, WARN = WARNING).
    """
    accepts = make_filter(user, level, job, since)
    log_dir = Path(log_dir)
    handles: list[IO[bytes]] = []
    # Open every file under the writers' shared lock so no rotation renames them mid-listing;
    # the open handles then stay valid (and consistent) while we read outside the lock.
    with dir_lock(log_dir, exclusive=False):
        paths = [p for _, p in reversed(rotated_files(log_dir))] + [log_dir / LOG_FILE]
        for path in paths:
            with contextlib.suppress(FileNotFoundError):
                handles.append(open(path, "rb"))  # noqa: SIM115 - closed below
    records: list[LogRecordView] = []
    for fh in handles:
        with fh:
            records.extend(r for r in map(parse_line, split_lines(fh.read())) if accepts(r))
    return records


def cleanup_rotated(log_dir: Path, older_than: timedelta) -> list[Path]:
    """Delete rotated log files last written before now - ``older_than``; the live file stays."""
    cutoff = time.time() - older_than.total_seconds()
    deleted: list[Path] = []
    log_dir = Path(log_dir)
    with dir_lock(log_dir, exclusive=True):  # never race a rotation's renames
        for _, path in rotated_files(log_dir):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    deleted.append(path)
            except FileNotFoundError:
                continue
    return deleted
