"""Following the log live (``logs --follow``, the console's log pane): tail ``studiosync.log`` by
name across rotations (inode change) and truncation (size shrinks), without losing or repeating a line.

Holds :class:`Follower` (the file-level tail) and :func:`follow_logs` (records, filtered, with idle
ticks so the caller can stop).

Must never write, rotate or delete a file, and never hold the writers' lock longer than it takes to
open the files it needs.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import IO

from studiosync.core.logs.layout import LOG_FILE, dir_lock, rotated_files, split_lines
from studiosync.core.logs.read import LogRecordView, make_filter, parse_line


class Follower:
    """Tails studiosync.log by name, across rotations (inode change) and truncation (size shrinks)."""

    def __init__(self, log_dir: Path, from_start: bool) -> None:
        self.log_dir = log_dir
        self.path = log_dir / LOG_FILE
        self.fh: IO[bytes] | None = None
        self.ident: tuple[int, int] | None = None
        self.partial = b""
        self._open_current(from_start)

    def _open_current(self, from_start: bool) -> None:
        try:
            fh = open(self.path, "rb")  # noqa: SIM115 - owned by the follower, closed in close()
        except FileNotFoundError:
            return
        st = os.fstat(fh.fileno())
        if not from_start:
            fh.seek(0, os.SEEK_END)  # writers append whole lines, so the end is a line boundary
        self.fh, self.ident = fh, (st.st_dev, st.st_ino)

    def _read(self) -> list[str]:
        assert self.fh is not None
        data = self.fh.read()
        if not data:
            return []
        *complete, self.partial = (self.partial + data).split(b"\n")
        return split_lines(b"\n".join(complete))

    def _flush_partial(self) -> list[str]:
        # A line without its newline at the end of a finished file: show it rather than lose it.
        rest, self.partial = self.partial, b""
        return split_lines(rest)

    def poll(self) -> list[str]:
        if self.fh is None:
            self._open_current(from_start=True)  # it appeared after we started: all of it is new
            if self.fh is None:
                return []
        lines = self._read()
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return lines  # between a rename and the new file's creation: look again next tick
        if (st.st_dev, st.st_ino) != self.ident:
            lines += self._read()  # drain the old file: its last lines came before the rename
            lines += self._flush_partial()
            lines += self._switch()
        elif st.st_size < self.fh.tell():
            self.fh.seek(0)  # truncated in place: everything now in it is new
            self.partial = b""
            lines += self._read()
        return lines

    def _switch(self) -> list[str]:
        """After a rotation: read rotated files newer than ours (several rotations may have
        happened between two polls), then follow the current file from its start."""
        assert self.fh is not None
        old_ident = self.ident
        old_mtime = os.fstat(self.fh.fileno()).st_mtime_ns
        self.fh.close()
        self.fh = None
        newer: list[IO[bytes]] = []
        with dir_lock(self.log_dir, exclusive=False):
            rotated = []
            found_old = False
            for _, path in rotated_files(self.log_dir):  # newest first
                try:
                    st = os.stat(path)
                except FileNotFoundError:
                    continue
                if (st.st_dev, st.st_ino) == old_ident:
                    found_old = True
                    break
                rotated.append((path, st.st_mtime_ns))
            # If our old file is gone (pushed out past `backups`, or deleted), fall back on mtimes.
            for path, mtime in reversed(rotated):
                if found_old or mtime > old_mtime:
                    with contextlib.suppress(FileNotFoundError):
                        newer.append(open(path, "rb"))  # noqa: SIM115 - closed below
            self._open_current(from_start=True)
        lines: list[str] = []
        for fh in newer:
            with fh:
                lines += split_lines(fh.read())
        if self.fh is not None:
            lines += self._read()
        return lines

    def close(self) -> None:
        if self.fh is not None:
            self.fh.close()
            self.fh = None


def follow_logs(
    log_dir: Path,
    *,
    user: str | None = None,
    level: str | None = None,
    job: str | None = None,
    since: datetime | None = None,
    poll: float = 0.2,
    stop: threading.Event | None = None,
    from_start: bool = False,
) -> Iterator[LogRecordView | None]:
    """Yield records as they are appended (from the end of the file, or its start).

    Yields None on each idle tick so the caller can check for shutdown; ends when ``stop`` is set.
    Survives rotation and truncation without losing or repeating lines.
    """
    accepts = make_filter(user, level, job, since)
    follower = Follower(Path(log_dir), from_start)
    try:
        while stop is None or not stop.is_set():
            delivered = False
            for line in follower.poll():
                rec = parse_line(line)
                if accepts(rec):
                    delivered = True
                    yield rec
            if not delivered:
                yield None
                if stop is not None:
                    stop.wait(poll)
                else:
                    time.sleep(poll)
    finally:
        follower.close()
