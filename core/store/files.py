"""One JSON store file: atomic writes, change detection and locking.

TinyDB's JSONStorage rewrites its file in place (a crash leaves half a file) and knows nothing of other
processes. A `StoreFile` keeps the decoded document in memory, reloads it when another process replaced
the file (inode/size/mtime signature), and commits with temp file + fsync + os.replace + fsync(dir), so a
reader or a crash only ever sees a whole old or a whole new file.

Writers take an exclusive `flock` on a sidecar lock file for the whole read-modify-write. flock locks belong
to an open file description, so they also exclude other threads of this process; a per-file RLock makes
nested transactions in one thread re-entrant and keeps readers off a half-applied in-memory change.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from core.errors import StoreError
from core.paths import FILE_MODE, ensure_private_dir

Signature = tuple[int, int, int]  # (inode, size, mtime_ns)


class StoreFile:
    def __init__(self, path: Path, lock_path: Path) -> None:
        self.path = path
        self.lock_path = lock_path
        self._data: dict[str, Any] = {}
        self._signature: Signature | None = None
        self._loaded = False
        self._mutex = threading.RLock()
        self._lock_fd: int | None = None
        self._lock_depth = 0
        self._poisoned = False
        self.dirty = False

    # -- reading -------------------------------------------------------------------------------------
    @property
    def data(self) -> dict[str, Any]:
        return self._data

    def set_data(self, data: dict[str, Any]) -> None:
        self._data = data
        self.dirty = True

    def refresh(self) -> None:
        """Reload from disk if the file changed since we last saw it (or was never loaded)."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            if not self._loaded or self._signature is not None:
                self._data, self._signature, self._loaded = {}, None, True
            return
        except OSError as exc:
            raise StoreError(f"cannot read store file {self.path}: {exc.strerror or exc}") from exc
        if self._loaded and self._signature == _signature(st):
            return
        self._load()

    def _load(self) -> None:
        try:
            with open(self.path, "rb") as fh:
                st = os.fstat(fh.fileno())
                raw = fh.read()
        except FileNotFoundError:
            self._data, self._signature, self._loaded = {}, None, True
            return
        except OSError as exc:
            raise StoreError(f"cannot read store file {self.path}: {exc.strerror or exc}") from exc
        try:
            data = json.loads(raw) if raw.strip() else None
        except (ValueError, UnicodeDecodeError) as exc:
            raise StoreError(
                f"store file {self.path} is corrupt ({exc}); it was left untouched",
                fix="restore it from the backups folder of the data directory, or move it aside",
            ) from exc
        if not isinstance(data, dict):
            raise StoreError(
                f"store file {self.path} is corrupt (not a JSON object); it was left untouched",
                fix="restore it from the backups folder of the data directory, or move it aside",
            )
        self._data, self._signature, self._loaded = data, _signature(st), True
        self.dirty = False

    def invalidate(self) -> None:
        """Forget the in-memory copy (after a failed transaction mutated it)."""
        self._loaded = False
        self._signature = None
        self._data = {}
        self.dirty = False
        self._poisoned = False

    def abort(self) -> None:
        """A transaction on this file failed: drop its in-memory changes.

        In a nested transaction the outer one still holds the lock and may catch the error; it must not
        then write a half-changed document, so the file is poisoned until the outermost level ends.
        """
        if self._lock_depth > 1:
            self._poisoned = True
        else:
            self.invalidate()

    def commit_if_outermost(self) -> None:
        if self._lock_depth != 1:
            return
        if self._poisoned:
            self.invalidate()
            raise StoreError(f"internal error: a nested change to {self.path} failed; nothing was written")
        self.commit()

    # -- writing -------------------------------------------------------------------------------------
    def commit(self) -> None:
        """Write the in-memory document atomically and durably."""
        if not self.dirty:
            return
        payload = json.dumps(self._data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        ensure_private_dir(self.path.parent)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
            try:
                view = memoryview(payload)
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, self.path)
            _fsync_dir(self.path.parent)
            self._signature = _signature(os.stat(self.path))
        except OSError as exc:
            with suppress(OSError):
                tmp.unlink(missing_ok=True)
            self.invalidate()
            raise StoreError(f"cannot write store file {self.path}: {exc.strerror or exc}") from exc
        self.dirty = False

    # -- locking -------------------------------------------------------------------------------------
    @contextmanager
    def locked(self) -> Iterator[None]:
        """Exclusive across processes and threads; re-entrant within one thread."""
        with self._mutex:
            if self._lock_depth == 0:
                self._lock_fd = _acquire(self.lock_path)
            self._lock_depth += 1
            try:
                yield
            finally:
                self._lock_depth -= 1
                if self._lock_depth == 0 and self._lock_fd is not None:
                    fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
                    os.close(self._lock_fd)
                    self._lock_fd = None

    @contextmanager
    def reading(self) -> Iterator[dict[str, Any]]:
        """A consistent view for this thread; no inter-process lock needed thanks to atomic replace."""
        with self._mutex:
            self.refresh()
            yield self._data

    @property
    def in_transaction(self) -> bool:
        return self._lock_depth > 0


def _acquire(lock_path: Path) -> int:
    ensure_private_dir(lock_path.parent)
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, FILE_MODE)
    except OSError as exc:
        raise StoreError(f"cannot open lock file {lock_path}: {exc.strerror or exc}") from exc
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def _signature(st: os.stat_result) -> Signature:
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
