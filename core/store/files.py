"""One JSON store file: atomic writes, change detection and locking.

TinyDB's JSONStorage rewrites its file in place (a crash leaves half a file) and knows nothing of other
processes. A `StoreFile` keeps the decoded document in memory, reloads it when another process replaced
the file (inode/size/mtime signature), and commits with temp file + fsync + os.replace + fsync(dir), so a
reader or a crash only ever sees a whole old or a whole new file.

Writers take an exclusive `flock` on a sidecar lock file for the whole read-modify-write. flock locks belong
to an open file description, so they also exclude other threads of this process; a per-file RLock makes
nested transactions in one thread re-entrant and keeps readers off a half-applied in-memory change.

A signature alone is not honest enough ("racy git"): a freed inode number is soon reused by the next temp
file, and a file system may stamp two writes in one clock tick with the same mtime, so a file replaced twice
in quick succession can look like a version we already hold. So every commit also bumps a generation
counter kept in the sidecar lock file (written under the lock, after the replace), and a cached copy is
reused only when both the stat signature and the generation match. Readers read the generation before the
file, so a change can only make them re-read, never keep a stale copy. Within a transaction the flock
guarantees nobody else writes, so the file is checked once, at its start.

The temp file has one fixed name per store file (`.NAME.json.tmp`): only the lock holder writes it, and a
writer killed mid-commit leaves at most that one file behind, which the next commit reuses.
"""

from __future__ import annotations

import _thread  # the locks threading.RLock/Lock are, without importing threading (start-up)
import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from studiosync.core.errors import StoreError
from studiosync.core.paths import FILE_MODE, fsync_dir, make_private_dirs
from studiosync.core.store.records import repair_hint

Signature = tuple[int, int, int, int]  # (inode, size, mtime_ns, generation)
_GEN_WIDTH = 20  # the generation is stored as fixed-width decimal text, so a rewrite never leaves a tail


class StoreFile:
    def __init__(self, path: Path, lock_path: Path) -> None:
        self.path = path
        self.lock_path = lock_path
        self._data: dict[str, Any] = {}
        self._signature: Signature | None = None
        self._checked = False  # refreshed while holding the lock: nobody else can write until released
        self._loaded = False
        self._mutex = _thread.RLock()
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
        """Reload from disk if the file changed since we last saw it (or was never loaded).

        Inside a transaction only the first call looks at the disk: the lock keeps other writers out, and a
        second look must not throw away the transaction's own in-memory changes.
        """
        if self._checked and self._lock_depth > 0:
            return
        generation = self._generation()
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            if not self._loaded or self._signature is not None:
                self._data, self._signature, self._loaded = {}, None, True
                self.dirty = False
            self._checked = self._lock_depth > 0
            return
        except OSError as exc:
            raise StoreError(f"cannot read store file {self.path}: {exc.strerror or exc}") from exc
        if not (self._loaded and self._signature == _signature(st, generation)):
            self._load(generation)
        self._checked = self._lock_depth > 0

    def disk_version(self) -> Signature | None:
        """What is on disk now (stat signature + generation), without reading the file: for pollers."""
        generation = self._generation()
        try:
            return _signature(os.stat(self.path), generation)
        except FileNotFoundError:
            return None

    def _generation(self) -> int:
        """The commit counter in the lock file (0 when there is none yet)."""
        try:
            if self._lock_fd is not None:
                raw = os.pread(self._lock_fd, _GEN_WIDTH, 0)
            else:
                with open(self.lock_path, "rb") as fh:
                    raw = fh.read(_GEN_WIDTH)
        except FileNotFoundError:
            return 0
        except OSError as exc:
            raise StoreError(f"cannot read lock file {self.lock_path}: {exc.strerror or exc}") from exc
        try:
            return int(raw or b"0")
        except ValueError:
            return 0  # an old or damaged lock file: the next commit rewrites it

    def _load(self, generation: int) -> None:
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
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise self._corrupt(str(exc)) from exc
        problem = shape_problem(data)
        if problem:
            raise self._corrupt(problem)
        self._data, self._signature, self._loaded = data, _signature(st, generation), True
        self.dirty = False

    def _corrupt(self, why: str) -> StoreError:
        return StoreError(
            f"store file {self.path} is corrupt ({why}); it was left untouched",
            fix=f"{repair_hint(self.path)} (the newest good backup of it), or move it aside",
        )

    def invalidate(self) -> None:
        """Forget the in-memory copy (after a failed transaction mutated it)."""
        self._loaded = False
        self._signature = None
        self._checked = False
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

    @property
    def poisoned(self) -> bool:
        return self._poisoned

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
        if self._lock_depth == 0:
            raise StoreError(f"internal error: commit of {self.path} without its lock")
        try:
            payload = _encode(self._data)
        except (TypeError, ValueError) as exc:
            self.invalidate()
            raise StoreError(
                f"internal error: cannot encode {self.path}: {exc}; nothing was written"
            ) from exc
        # Only the holder of the lock writes, so one fixed temp name is safe, and a writer killed half-way
        # leaves at most one stale temp file per store file (the next commit truncates it).
        tmp = self.path.with_name(f".{self.path.name}.tmp")
        try:
            make_private_dirs(self.path.parent)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
            try:
                os.fchmod(fd, FILE_MODE)  # a leftover temp file keeps its old mode through O_TRUNC
                view = memoryview(payload)
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
                os.fsync(fd)
                st = os.fstat(fd)
            finally:
                os.close(fd)
            os.replace(tmp, self.path)
            fsync_dir(self.path.parent)
            generation = self._generation() + 1
            assert self._lock_fd is not None
            os.pwrite(self._lock_fd, str(generation).zfill(_GEN_WIDTH).encode("ascii"), 0)
        except OSError as exc:
            with suppress(OSError):
                tmp.unlink(missing_ok=True)
            self.invalidate()
            raise StoreError(f"cannot write store file {self.path}: {exc.strerror or exc}") from exc
        self._signature = _signature(st, generation)
        self.dirty = False

    # -- locking -------------------------------------------------------------------------------------
    @contextmanager
    def locked(self) -> Iterator[None]:
        """Exclusive across processes and threads; re-entrant within one thread."""
        with self._mutex:
            if self._lock_depth == 0:
                self._lock_fd = _acquire(self.lock_path)
                self._checked = False
            self._lock_depth += 1
            try:
                yield
            finally:
                self._lock_depth -= 1
                if self._lock_depth == 0:
                    self._checked = False
                    if self._lock_fd is not None:
                        fd, self._lock_fd = self._lock_fd, None
                        try:
                            # Explicit unlock: a forked child may share this open file description.
                            fcntl.flock(fd, fcntl.LOCK_UN)
                        finally:
                            os.close(fd)

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
    try:
        make_private_dirs(lock_path.parent)
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, FILE_MODE)
    except OSError as exc:
        raise StoreError(f"cannot open lock file {lock_path}: {exc.strerror or exc}") from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    except BaseException as exc:
        os.close(fd)
        if isinstance(exc, OSError):
            raise StoreError(f"cannot lock {lock_path}: {exc.strerror or exc}") from exc
        raise
    return fd


def shape_problem(data: Any) -> str | None:
    """A store file is {table: {doc_id: {field: value}}}; anything else would crash TinyDB later."""
    if not isinstance(data, dict):
        return "not a JSON object"
    for name, table in data.items():
        if not isinstance(table, dict):
            return f"table {name!r} is not a JSON object"
        for doc_id, doc in table.items():
            if not isinstance(doc, dict):
                return f"document {doc_id!r} in table {name!r} is not a JSON object"
    return None


def _encode(data: dict[str, Any]) -> bytes:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate (text from a JSON source that escaped half a pair) has no UTF-8 form; as a
        # \uXXXX escape it is stored exactly and reads back the same.
        return json.dumps(data, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def _signature(st: os.stat_result, generation: int) -> Signature:
    return (st.st_ino, st.st_size, st.st_mtime_ns, generation)
