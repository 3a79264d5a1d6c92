"""Waking up when studio changes are committed: the store's change signal for the users' pending files.

Every commit that changes a user's pending entries replaces `store/pending/<user-key>.json` (a rename into
that folder) and bumps the file's generation counter in its lock file. `PendingWatcher.wait()` blocks until
that happens for some user, or a timeout, and says which user keys changed:

- on Linux, with inotify (through ctypes: no dependency), on the pending folder: the kernel wakes us on
  the rename, whichever process made it, at no cost while nothing happens. A network file system only
  reports this computer's own changes, so each wait that ends without an event also compares the
  signatures once (a safety net as cheap as one poll);
- elsewhere (or when inotify is unavailable: no watches left, an exotic file system), by polling each
  watched pending file's stat signature and generation every POLL_S seconds -- a few stat() calls, never a
  read of the book.

`wake()` interrupts a wait from another thread (stopping). This module only watches files: it never reads
their content and knows nothing of appointments or Google.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import os
import select
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from studiosync.core.store.files import make_private_dirs

POLL_S = 0.25
_IN_CLOSE_WRITE = 0x00000008
_IN_MOVED_TO = 0x00000080
_IN_CREATE = 0x00000100
_IN_DELETE = 0x00000200
_IN_Q_OVERFLOW = 0x00004000
_IN_NONBLOCK = os.O_NONBLOCK
_IN_CLOEXEC = os.O_CLOEXEC
_EVENT = struct.Struct("iIII")  # wd, mask, cookie, len (then len bytes of NUL-padded name)
SUFFIX = ".json"


class PendingWatcher:
    """Watches the pending files under `folder` (store/pending). `signature(key)` gives a pending file's
    current change signal for the polling fallback (core.store.files.StoreFile.disk_version)."""

    def __init__(
        self,
        folder: Path,
        signature: Callable[[str], Any],
        *,
        use_inotify: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.folder = Path(folder)
        self._signature = signature
        self._clock = clock
        self._keys: set[str] = set()
        self._seen: dict[str, Any] = {}
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        self._lock = threading.Lock()
        make_private_dirs(self.folder)  # the folder must exist to be watched (a fresh data dir has none)
        self._inotify = _Inotify.open(self.folder) if use_inotify else None

    @property
    def mode(self) -> str:
        return "inotify" if self._inotify is not None else "poll"

    def watch(self, keys: Iterable[str]) -> None:
        """The user keys whose pending files matter (syncing users); others are ignored."""
        keys = set(keys)
        with self._lock:
            for key in keys - self._keys:
                self._seen[key] = self._signature(key)
            for key in self._keys - keys:
                self._seen.pop(key, None)
            self._keys = keys

    def wait(self, timeout: float) -> set[str]:
        """Block up to `timeout` s; the watched keys whose pending file changed (empty: timed out/woken)."""
        if self._inotify is not None:
            try:
                return self._wait_inotify(timeout)
            except OSError:
                self._inotify.close()  # broken (e.g. the folder was replaced): fall back to polling
                self._inotify = None
        return self._wait_poll(timeout)

    def wake(self) -> None:
        with contextlib.suppress(OSError):
            os.write(self._wake_w, b"x")

    def close(self) -> None:
        if self._inotify is not None:
            self._inotify.close()
            self._inotify = None
        for fd in (self._wake_r, self._wake_w):
            with contextlib.suppress(OSError):
                os.close(fd)

    # -- inotify --------------------------------------------------------------------------------------
    def _wait_inotify(self, timeout: float) -> set[str]:
        assert self._inotify is not None
        ready, _, _ = select.select([self._inotify.fd, self._wake_r], [], [], max(0.0, timeout))
        self._drain_wake()
        if self._inotify.fd not in ready:
            return set() if ready else self._poll_once()  # timed out: the safety net (changes made elsewhere)
        names, overflow = self._inotify.read()
        with self._lock:
            if overflow:  # the kernel dropped events: treat every watched file as changed
                keys = set(self._keys)
            else:
                keys = {n[: -len(SUFFIX)] for n in names if n.endswith(SUFFIX) and not n.startswith(".")}
                keys &= self._keys
        for key in keys:  # seen now: the safety net must not report them again
            self._seen[key] = self._signature(key)
        return keys

    # -- polling fallback -----------------------------------------------------------------------------
    def _wait_poll(self, timeout: float) -> set[str]:
        deadline = self._clock() + max(0.0, timeout)
        while True:
            changed = self._poll_once()
            if changed:
                return changed
            left = deadline - self._clock()
            if left <= 0:
                return set()
            ready, _, _ = select.select([self._wake_r], [], [], min(POLL_S, left))
            if ready:
                self._drain_wake()
                return set()

    def _poll_once(self) -> set[str]:
        with self._lock:
            keys = list(self._keys)
        changed: set[str] = set()
        for key in keys:
            now = self._signature(key)
            with self._lock:
                if key in self._keys and self._seen.get(key) != now:
                    self._seen[key] = now
                    changed.add(key)
        return changed

    def _drain_wake(self) -> None:
        with contextlib.suppress(BlockingIOError, OSError):
            while os.read(self._wake_r, 64):
                pass


class _Inotify:
    """A minimal inotify(7) binding: one watch on one folder, renames and writes of its files."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    @classmethod
    def open(cls, folder: Path) -> _Inotify | None:
        if not sys.platform.startswith("linux"):
            return None
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            init = libc.inotify_init1
            add = libc.inotify_add_watch
        except (OSError, AttributeError):
            return None
        add.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32]
        fd = init(_IN_NONBLOCK | _IN_CLOEXEC)
        if fd < 0:
            return None
        mask = _IN_MOVED_TO | _IN_CLOSE_WRITE | _IN_CREATE | _IN_DELETE
        if add(fd, os.fsencode(folder), mask) < 0:
            os.close(fd)
            return None
        return cls(fd)

    def read(self) -> tuple[set[str], bool]:
        """Names of the files with events so far, and whether the kernel's queue overflowed."""
        names: set[str] = set()
        overflow = False
        while True:
            try:
                data = os.read(self.fd, 64 * 1024)
            except BlockingIOError:
                return names, overflow
            except OSError as exc:
                if exc.errno == errno.EINTR:
                    continue
                raise
            if not data:
                return names, overflow
            offset = 0
            while offset + _EVENT.size <= len(data):
                _wd, mask, _cookie, length = _EVENT.unpack_from(data, offset)
                offset += _EVENT.size
                raw = data[offset : offset + length]
                offset += length
                if mask & _IN_Q_OVERFLOW:
                    overflow = True
                name = raw.split(b"\0", 1)[0]
                if name:
                    names.add(os.fsdecode(name))

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.fd)
