"""Crash files: where a Python stack goes instead of a log line.

No traceback ever reaches a person -- and the log is read by people (`studiosync logs`, the console's
Logs screen, detailed-log emails). So when a record carries a stack (``exc_info``, a ``traceback`` field,
or traceback text inside a message), the log line keeps what failed in one line (``error``) plus a short
``crash_id``, and the stack itself goes to ``<log_dir>/crash/<time>-<crash_id>.txt`` (0600, in a 0700
folder): a file only a developer opens, the way Sentry-less desktop apps keep crash reports
(``~/.cache/<app>/crash``) and point at them by id. The `log-cleanup` job prunes them with the rotated
logs; at most :data:`KEEP_MAX` are ever kept, so a crash loop cannot fill the disk.

The text written here has been through the log's redaction already (the handler's filters run first).

Must never write a log line, and never be read by anything that shows text to a person.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from datetime import datetime, timedelta
from pathlib import Path

from studiosync.core import clock

CRASH_DIR = "crash"
KEEP_MAX = 200
_NAME_RE = re.compile(r"(\d{8}T\d{6})-([0-9a-f]{8})\.txt")
_STAMP = "%Y%m%dT%H%M%S"
TRACEBACK_MARK = "Traceback (most recent call last)"

__all__ = ["CRASH_DIR", "crash_file", "new_crash_id", "prune_crashes", "split_stack", "write_crash"]


def new_crash_id() -> str:
    """Eight hex digits: short enough to read out on the phone, unique enough for one studio."""
    return secrets.token_hex(4)


def crash_file(log_dir: Path, crash_id: str) -> Path | None:
    """The crash file of `crash_id`, if it is still there."""
    folder = Path(log_dir) / CRASH_DIR
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            m = _NAME_RE.fullmatch(entry.name)
            if m and m.group(2) == crash_id:
                return Path(entry.path)
    return None


def write_crash(log_dir: Path, text: str, *, crash_id: str | None = None, header: str = "") -> str | None:
    """Write `text` (a stack) to a new private crash file; its id, or None if it could not be written
    (the log line then says so; a full disk must not turn a logged error into a second failure)."""
    crash_id = crash_id if crash_id and re.fullmatch(r"[0-9a-f]{8}", crash_id) else new_crash_id()
    now = clock.now()
    folder = Path(log_dir) / CRASH_DIR
    body = f"studiosync crash {crash_id} at {now.isoformat(timespec='seconds')}\n{header}\n\n{text}\n"
    try:
        if not folder.is_dir():
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(folder, 0o700)  # mkdir's mode is filtered by the umask
        path = folder / f"{now.strftime(_STAMP)}-{crash_id}.txt"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, body.encode("utf-8", "replace"))
        finally:
            os.close(fd)
    except OSError:
        return None
    _keep_newest(folder, KEEP_MAX)
    return crash_id


def prune_crashes(log_dir: Path, older_than: timedelta) -> list[Path]:
    """Delete crash files written (by the product's clock) before now - `older_than`."""
    cutoff = clock.now() - older_than
    return [p for p, when in _crash_files(Path(log_dir) / CRASH_DIR) if when < cutoff and _unlink(p)]


def split_stack(message: str) -> tuple[str, str | None]:
    """(the message without traceback text, the traceback text or None) -- for an exception whose own
    message embeds a stack (a subprocess's stderr, a library's error text)."""
    cut = message.find(TRACEBACK_MARK)
    if cut < 0:
        return message, None
    return message[:cut].rstrip(" \n:|-") or "(see the crash file)", message[cut:]


def _crash_files(folder: Path) -> list[tuple[Path, datetime]]:
    found = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            m = _NAME_RE.fullmatch(entry.name)
            if m:
                when = datetime.strptime(m.group(1), _STAMP).replace(tzinfo=clock.now().tzinfo)
                found.append((Path(entry.path), when))
    return sorted(found, key=lambda item: item[0].name)


def _keep_newest(folder: Path, keep: int) -> None:
    files = _crash_files(folder)
    for path, _ in files[: max(0, len(files) - keep)]:
        _unlink(path)


def _unlink(path: Path) -> bool:
    try:
        path.unlink()
    except OSError:
        return False
    return True
