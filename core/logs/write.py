"""Writing the log: one JSON object per line in ``<log_dir>/studiosync.log``, shared by processes.

The console, the daemon (``studiosync serve``) and CLI commands may all append to the same file at
once, so the file handler here is not ``logging.handlers.RotatingFileHandler`` (whose rotation is
unsafe across processes). Instead:

* every record is written with ONE ``write()`` on an ``O_APPEND`` descriptor, so whole lines land
  atomically at the end of the file and never interleave;
* writers hold an exclusive ``flock`` on ``.studiosync.log.lock`` for check-size / rotate /
  write, so rotation is exact and nobody ever writes to a file after it has been renamed to
  ``studiosync.log.1``; readers take the lock shared, only while they open files;
* under that lock a writer compares the inode at the path with its own descriptor and reopens if
  someone else rotated (or deleted) the file.

Holds :class:`JsonFormatter`, :class:`SharedFileHandler`, :func:`configure`/:func:`shutdown` and
:func:`event`. Every handler installed here carries the :class:`~.redact.RedactingFilter`. A line's
``time`` is the product's clock (core.clock), never logging's wall-clock ``created``.

Must never read lines back (that is :mod:`.read` / :mod:`.follow`), never write a record that has
not been through redaction, and never put a stack on a line (it goes to a crash file, :mod:`.crash`).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from studiosync.core import clock
from studiosync.core.errors import InputError, StoreError, one_line_error
from studiosync.core.logs.context import ContextFilter, LogContext, current_context
from studiosync.core.logs.crash import split_stack, write_crash
from studiosync.core.logs.layout import (
    LOCK_FILE,
    LOG_FILE,
    LOGGER_NAME,
    RESERVED,
    STACK_FIELDS,
    flocked,
    parse_level,
    rotated,
)
from studiosync.core.logs.redact import RedactingFilter, redact
from studiosync.core.text import escape_json_text


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JsonFormatter(logging.Formatter):
    """One JSON line per record. A record with a stack (exc_info, a ``traceback`` field, traceback text in
    its message) keeps one line saying what failed (``error``) and a ``crash_id``; the stack goes to
    a crash file under ``log_dir`` (core.logs.crash), or nowhere when there is no log_dir."""

    def __init__(self, process: str, log_dir: Path | None = None) -> None:
        super().__init__()
        self.process = process
        self.log_dir = log_dir

    def format(self, record: logging.LogRecord) -> str:
        ctx: LogContext = getattr(record, "studiosync_context", None) or current_context()
        # The product's one clock (tests and screenshots pin it), not logging's wall-clock `created`.
        when: datetime = record.__dict__.setdefault("studiosync_time", clock.now())
        message, embedded = split_stack(record.getMessage())
        obj: dict[str, Any] = {
            "time": _iso(when),
            "level": record.levelname,
            "process": self.process,
            "job": ctx.job,
            "run_id": ctx.run_id,
            "user": ctx.user,
            "message": message,
        }
        stacks: list[str] = [embedded] if embedded else []
        fields = getattr(record, "fields", None)
        if isinstance(fields, Mapping):
            for key, value in fields.items():
                name = str(key)
                if name in STACK_FIELDS:
                    if value:
                        stacks.append(str(value))
                    continue
                if isinstance(value, str):
                    value, embedded = split_stack(value)
                    stacks += [embedded] if embedded else []
                # A field can't overwrite the envelope; keep it under another name instead.
                obj[f"field_{name}" if name in RESERVED else name] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            stacks.insert(0, record.exc_text)
        if stacks:
            self._to_crash_file(record, obj, "\n\n".join(stacks))
        # JSON escapes C0 controls itself; escape_json_text writes C1, U+2028 and bidi controls as \uXXXX
        # too, so even `cat studiosync.log` on a terminal shows an event title as text (core.text).
        try:
            return escape_json_text(json.dumps(obj, ensure_ascii=False, default=str))
        except ValueError:  # e.g. a circular structure in fields
            obj = {k: v if k in RESERVED else repr(v) for k, v in obj.items()}
            return escape_json_text(json.dumps(obj, ensure_ascii=False))

    def _to_crash_file(self, record: logging.LogRecord, obj: dict[str, Any], stack: str) -> None:
        """The line keeps what failed and the crash id; the stack goes to the crash file (once per record)."""
        obj.setdefault("error", _what_failed(record, stack))
        if "studiosync_crash_id" not in record.__dict__:
            wanted = obj.get("crash_id")
            header = f"{record.levelname} {obj['message']}"
            crash_id = (
                write_crash(self.log_dir, stack, crash_id=str(wanted or ""), header=header)
                if self.log_dir is not None
                else None
            )
            record.studiosync_crash_id = crash_id
        obj["crash_id"] = record.studiosync_crash_id


def _what_failed(record: logging.LogRecord, stack: str) -> str:
    """One line: the exception's class and the first line of its message (or a stack's last line)."""
    if record.exc_info and record.exc_info[1] is not None:
        return redact(one_line_error(record.exc_info[1]))  # the exception itself was never redacted
    # A stack's own lines are indented; its last unindented line (not a header) is "Class: message".
    lines = [line for line in stack.split("\n") if line.strip() and not line[0].isspace()]
    lines = [line for line in lines if not line.startswith(("Traceback", "During handling", "The above"))]
    return redact(lines[-1].strip())[:300] if lines else "internal error"


class SharedFileHandler(logging.Handler):
    """Appends whole lines to a file shared by several processes; rotates safely among them."""

    def __init__(self, log_dir: Path, *, max_bytes: int, backups: int) -> None:
        super().__init__()
        self.path = log_dir / LOG_FILE
        self.lock_path = log_dir / LOCK_FILE
        self.max_bytes = max_bytes
        self.backups = backups
        self._fd: int | None = None
        self._lock_fd: int | None = None
        self._ident: tuple[int, int] | None = None
        self._pid = -1
        self._open()

    def _open(self) -> None:
        self._close_fds()
        self._lock_fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        self._open_log()
        # After fork() the child shares our flock (same open file description): remember who we are.
        self._pid = os.getpid()

    def _open_log(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
        with contextlib.suppress(OSError):  # an older, looser file: tighten it if it is ours
            os.fchmod(fd, 0o600)
        st = os.fstat(fd)
        self._fd, self._ident = fd, (st.st_dev, st.st_ino)

    def _reopen_if_moved(self) -> None:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            st = None
        if st is None or (st.st_dev, st.st_ino) != self._ident:
            self._open_log()  # rotated (or deleted) by someone else: follow the name

    def _fits(self, size: int) -> bool:
        assert self._fd is not None
        current = os.fstat(self._fd).st_size
        # An empty file always takes the line, so one huge line can't cause endless rotation.
        return current == 0 or current + size <= self.max_bytes

    def emit(self, record: logging.LogRecord) -> None:
        try:
            data = (self.format(record) + "\n").encode("utf-8", "replace")
            self._write(data)
        except Exception:
            self.handleError(record)

    def _write(self, data: bytes) -> None:
        if self._pid != os.getpid():
            self._open()
        # One exclusive lock around check-rotate-write: the size check is exact (two writers can't
        # both see room for one more line), and a rename never happens between a writer's inode
        # check and its write. A log write takes microseconds, so the serialisation costs nothing.
        with flocked(self._lock_fd, exclusive=True):
            self._reopen_if_moved()  # another process may have rotated since our last line
            if not self._fits(len(data)):
                self._rotate()
            _write_all(self._fd, data)

    def _rotate(self) -> None:
        if self.backups > 0:
            for i in range(self.backups - 1, 0, -1):
                with contextlib.suppress(FileNotFoundError):
                    os.replace(rotated(self.path, i), rotated(self.path, i + 1))
            os.replace(self.path, rotated(self.path, 1))
        else:
            os.unlink(self.path)
        self._open_log()

    def _close_fds(self) -> None:
        for fd in (self._fd, self._lock_fd):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._fd = self._lock_fd = None

    def close(self) -> None:
        self.acquire()
        try:
            self._close_fds()
        finally:
            self.release()
        super().close()


def _write_all(fd: int | None, data: bytes) -> None:
    assert fd is not None
    view = memoryview(data)
    while view:  # regular files only write short on errors like ENOSPC; don't drop the tail
        written = os.write(fd, view)
        view = view[written:]


def get_logger(name: str | None = None) -> logging.Logger:
    """``studiosync`` or ``studiosync.<name>``: children propagate to the configured handler."""
    return logging.getLogger(LOGGER_NAME if not name else f"{LOGGER_NAME}.{name}")


def configure(
    log_dir: Path,
    *,
    process: str,
    level: str = "INFO",
    max_bytes: int = 5_000_000,
    backups: int = 5,
) -> None:
    """Send the ``studiosync`` logger to ``log_dir/studiosync.log`` as JSON lines.

    Idempotent: a second call replaces the handler installed by the first.
    """
    level_no = parse_level(level)
    if max_bytes < 1 or backups < 0:
        raise InputError("max_bytes must be at least 1 and backups at least 0")
    log_dir = Path(log_dir)
    try:
        if not log_dir.is_dir():
            log_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(log_dir, 0o700)  # mkdir's mode is filtered by the umask
        handler = SharedFileHandler(log_dir, max_bytes=max_bytes, backups=backups)
    except OSError as exc:
        raise StoreError(
            f"cannot write the log file in {log_dir}: {exc.strerror or exc}",
            fix=f"check that {log_dir} is writable by this user",
        ) from exc
    handler.setFormatter(JsonFormatter(process, log_dir=log_dir))
    handler.addFilter(ContextFilter())
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger(LOGGER_NAME)
    shutdown()
    logger.addHandler(handler)
    logger.setLevel(level_no)


def shutdown() -> None:
    """Remove and close the handler(s) installed by configure()."""
    logger = logging.getLogger(LOGGER_NAME)
    for handler in list(logger.handlers):
        if isinstance(handler, SharedFileHandler):
            logger.removeHandler(handler)
            handler.close()


def event(level: str | int, message: str, /, **fields: Any) -> None:
    """Log ``message`` with structured ``fields`` on the studiosync logger."""
    logging.getLogger(LOGGER_NAME).log(parse_level(level), message, extra={"fields": fields})
