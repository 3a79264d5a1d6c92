"""Structured logging: one JSON object per line in ``<log_dir>/studiosync.log``, shared by processes.

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

Secrets are scrubbed from the record itself (message, fields, traceback) by :class:`RedactingFilter`
before any formatting, not from the output text afterwards.

Context (job, run id, user) lives in a ``ContextVar``. asyncio tasks inherit it, but in Python 3.11
a ``threading.Thread`` starts with an EMPTY context: wrap the thread's target with :func:`bind`
(or run it with ``contextvars.copy_context().run``) to carry the caller's context into it.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any, ParamSpec, TypeVar

from studiosync.core.errors import InputError, StoreError
from studiosync.core.text import escape_json_text

try:  # POSIX only; without it (Windows) we degrade to single-process safety.
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "JsonFormatter",
    "LOGGER_NAME",
    "LOG_FILE",
    "REDACTED",
    "LogContext",
    "LogRecordView",
    "RedactingFilter",
    "SharedFileHandler",
    "bind",
    "cleanup_rotated",
    "configure",
    "current_context",
    "event",
    "follow_logs",
    "get_logger",
    "log_context",
    "parse_level",
    "read_logs",
    "redact",
    "redact_fields",
    "register_secret",
    "shutdown",
]

LOGGER_NAME = "studiosync"
LOG_FILE = "studiosync.log"
LOCK_FILE = ".studiosync.log.lock"
REDACTED = "[REDACTED]"
_ROTATED_RE = re.compile(re.escape(LOG_FILE) + r"\.(\d+)")
_LEVELS = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "WARN": 30, "ERROR": 40, "CRITICAL": 50, "FATAL": 50}
_RESERVED = ("time", "level", "process", "job", "run_id", "user", "message")

P = ParamSpec("P")
R = TypeVar("R")


# ---------------------------------------------------------------------------------------------
# context


@dataclass(frozen=True)
class LogContext:
    job: str | None = None
    run_id: str | None = None
    user: str | None = None


_NO_CONTEXT = LogContext()  # frozen, so sharing it as the default is safe
_context: ContextVar[LogContext] = ContextVar("studiosync_log_context", default=_NO_CONTEXT)


@contextlib.contextmanager
def log_context(
    job: str | None = None, run_id: str | None = None, user: str | None = None
) -> Iterator[LogContext]:
    """Every line logged inside carries these values; None keeps the enclosing context's value."""
    outer = _context.get()
    ctx = LogContext(
        job=job if job is not None else outer.job,
        run_id=run_id if run_id is not None else outer.run_id,
        user=user if user is not None else outer.user,
    )
    token = _context.set(ctx)
    try:
        yield ctx
    finally:
        _context.reset(token)


def current_context() -> LogContext:
    return _context.get()


def bind(fn: Callable[P, R], context: LogContext | None = None) -> Callable[P, R]:
    """Wrap ``fn`` so it runs with the caller's log context (or ``context``) in any thread.

    Captures a snapshot now, at bind time; use it for ``Thread(target=bind(work))`` and
    ``executor.submit(bind(work))``. The snapshot *replaces* the worker thread's context.
    """
    captured = context if context is not None else _context.get()

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        token = _context.set(captured)
        try:
            return fn(*args, **kwargs)
        finally:
            _context.reset(token)

    return wrapper


# ---------------------------------------------------------------------------------------------
# redaction

# Secrets known only at runtime (SMTP password, OAuth client secret): replaced wherever they occur.
# Shorter values are ignored: redacting "abc" everywhere would mangle every line and protect little.
MIN_SECRET_LENGTH = 4
_secrets: set[str] = set()
_secrets_re: re.Pattern[str] | None = None
_secrets_lock = threading.Lock()

_SENSITIVE_NAME = r"[\w.-]*?(?:token|secret|password|passwd|code_verifier|authorization|api_?key)[\w.-]*"
_SENSITIVE_KEY_RE = re.compile(_SENSITIVE_NAME, re.IGNORECASE)
_QUERY_KEYS = r"(?:code|access_token|refresh_token|id_token|client_secret|password|code_verifier)"


def _keep(group: int) -> Callable[[re.Match[str]], str]:
    return lambda m: m.group(group) + REDACTED


_PATTERNS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    # JSON / Python-repr keys that name a secret: the value goes, whatever it is.
    (
        re.compile(
            r"""(?P<q>["'])(?P<key>""" + _SENSITIVE_NAME + r""")(?P=q)(?P<sep>\s*:\s*)"""
            r"""(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^,}\]\s]+)""",
            re.IGNORECASE,
        ),
        lambda m: f'{m["q"]}{m["key"]}{m["q"]}{m["sep"]}"{REDACTED}"',
    ),
    # Authorization headers, any scheme: keep the scheme, drop the credentials.
    (
        re.compile(r"(?i)\b(authorization\s*[:=]\s*(?:(?:bearer|basic|token)\s+)?)[^\s,;\"']+"),
        _keep(1),
    ),
    (re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9\-._~+/]+=*"), _keep(1)),
    # Query strings and form bodies: ?code=...&client_secret=...  (also key='value' reprs)
    (
        re.compile(r"(?i)(?<![\w-])(" + _QUERY_KEYS + r"=)(?:\"[^\"]*\"|'[^']*'|[^&\s\"'#,;)]+)"),
        _keep(1),
    ),
    # "password: hunter2" in free text.
    (
        re.compile(r"(?i)\b((?:password|passwd|client_secret)\s*:\s*)(?!\[REDACTED\])[^\s,;]+"),
        _keep(1),
    ),
    # Google access tokens and refresh tokens wherever they appear.
    (re.compile(r"ya29\.[0-9A-Za-z\-_.]+"), lambda m: REDACTED),
    (re.compile(r"(?<![\w/:])1//[0-9A-Za-z\-_]{8,}"), lambda m: REDACTED),
]


def register_secret(value: str | None) -> None:
    """Redact every future occurrence of ``value`` (also URL- and JSON-escaped) from the logs."""
    global _secrets_re
    if not value or len(value) < MIN_SECRET_LENGTH:
        return
    from urllib.parse import quote, quote_plus

    variants = {value, quote(value, safe=""), quote_plus(value), json.dumps(value)[1:-1]}
    with _secrets_lock:
        if variants <= _secrets:
            return
        _secrets.update(variants)
        # Longest first so a secret containing another is replaced whole.
        ordered = sorted(_secrets, key=len, reverse=True)
        _secrets_re = re.compile("|".join(re.escape(s) for s in ordered))


def redact(text: str) -> str:
    """Scrub registered secrets and token-shaped strings from ``text``."""
    pattern = _secrets_re
    if pattern is not None:
        text = pattern.sub(REDACTED, text)
    for regex, replacement in _PATTERNS:
        text = regex.sub(replacement, text)
    return text


def redact_fields(value: Any) -> Any:
    """Deep copy of ``value`` with sensitive keys' values and secret-looking strings redacted."""
    if isinstance(value, Mapping):
        return {
            k: REDACTED if isinstance(k, str) and _SENSITIVE_KEY_RE.fullmatch(k) else redact_fields(v)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple | set | frozenset):
        return [redact_fields(v) for v in value]
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, bytes):
        return redact(value.decode("utf-8", "replace"))
    return value


class RedactingFilter(logging.Filter):
    """Scrubs a record in place (message, args, fields, traceback) before any handler formats it.

    Attach it to any extra handler too (it is idempotent); configure() attaches it to the file handler.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_studiosync_redacted", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # bad %-args: keep the template rather than lose the line
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        fields = getattr(record, "fields", None)
        if isinstance(fields, Mapping):
            record.fields = redact_fields(fields)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        record._studiosync_redacted = True
        return True


class _ContextFilter(logging.Filter):
    """Captures the log context in the logging thread, whatever thread later formats the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "studiosync_context"):
            record.studiosync_context = _context.get()
        return True


# ---------------------------------------------------------------------------------------------
# writing


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JsonFormatter(logging.Formatter):
    def __init__(self, process: str) -> None:
        super().__init__()
        self.process = process

    def format(self, record: logging.LogRecord) -> str:
        ctx: LogContext = getattr(record, "studiosync_context", None) or _context.get()
        obj: dict[str, Any] = {
            "time": _iso(record.created),
            "level": record.levelname,
            "process": self.process,
            "job": ctx.job,
            "run_id": ctx.run_id,
            "user": ctx.user,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, Mapping):
            for key, value in fields.items():
                name = str(key)
                # A field can't overwrite the envelope; keep it under another name instead.
                obj[f"field_{name}" if name in _RESERVED else name] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            obj["exc"] = record.exc_text
        # JSON escapes C0 controls itself; escape_json_text writes C1, U+2028 and bidi controls as \uXXXX
        # too, so even `cat studiosync.log` on a terminal shows an event title as text (core.text).
        try:
            return escape_json_text(json.dumps(obj, ensure_ascii=False, default=str))
        except ValueError:  # e.g. a circular structure in fields
            obj = {k: v if k in _RESERVED else repr(v) for k, v in obj.items()}
            return escape_json_text(json.dumps(obj, ensure_ascii=False))


@contextlib.contextmanager
def _flocked(fd: int | None, mode: int) -> Iterator[None]:
    if fcntl is None or fd is None:
        yield
        return
    fcntl.flock(fd, mode)
    try:
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)


@contextlib.contextmanager
def _dir_lock(log_dir: Path, *, exclusive: bool) -> Iterator[None]:
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
        with _flocked(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH):
            yield
    finally:
        os.close(fd)


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
        with _flocked(self._lock_fd, fcntl.LOCK_EX if fcntl else 0):
            self._reopen_if_moved()  # another process may have rotated since our last line
            if not self._fits(len(data)):
                self._rotate()
            _write_all(self._fd, data)

    def _rotate(self) -> None:
        if self.backups > 0:
            for i in range(self.backups - 1, 0, -1):
                with contextlib.suppress(FileNotFoundError):
                    os.replace(_rotated(self.path, i), _rotated(self.path, i + 1))
            os.replace(self.path, _rotated(self.path, 1))
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


def _rotated(path: Path, n: int) -> Path:
    return path.with_name(f"{path.name}.{n}")


def parse_level(level: str | int) -> int:
    """DEBUG/INFO/WARNING (or WARN)/ERROR/CRITICAL, any case, -> logging's number; else InputError."""
    return _level_number(level)


def _level_number(level: str | int) -> int:
    if isinstance(level, int):
        return level
    try:
        return _LEVELS[level.strip().upper()]
    except KeyError:
        raise InputError(
            f"'{level}' is not a log level: use DEBUG, INFO, WARNING, ERROR or CRITICAL"
        ) from None


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
    level_no = _level_number(level)
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
    handler.setFormatter(JsonFormatter(process))
    handler.addFilter(_ContextFilter())
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
    logging.getLogger(LOGGER_NAME).log(_level_number(level), message, extra={"fields": fields})


# ---------------------------------------------------------------------------------------------
# reading


@dataclass(frozen=True)
class LogRecordView:
    time: datetime | None  # aware, UTC; None for a line that isn't one of ours
    level: str
    process: str | None
    job: str | None
    run_id: str | None
    user: str | None
    message: str
    fields: dict[str, Any] = field(default_factory=dict)
    raw: str = ""


def _parse_line(line: str) -> LogRecordView:
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
        fields={k: v for k, v in obj.items() if k not in _RESERVED},
        raw=line,
    )


def _make_filter(
    user: str | None, level: str | None, job: str | None, since: datetime | None
) -> Callable[[LogRecordView], bool]:
    threshold = _level_number(level) if level is not None else None
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)  # naive = UTC, like the file

    def accepts(rec: LogRecordView) -> bool:
        if user is not None and rec.user != user:
            return False
        if job is not None and rec.job != job:
            return False
        if threshold is not None and _LEVELS.get(rec.level, 20) < threshold:
            return False
        # Lines without a time (not ours) are kept: hiding unknown text could hide the clue.
        return not (since is not None and rec.time is not None and rec.time < since)

    return accepts


def _rotated_files(log_dir: Path) -> list[tuple[int, Path]]:
    """(n, path) for studiosync.log.<n>, newest (n = 1) first."""
    found = []
    with contextlib.suppress(FileNotFoundError):
        for entry in os.scandir(log_dir):
            m = _ROTATED_RE.fullmatch(entry.name)
            if m:
                found.append((int(m.group(1)), Path(entry.path)))
    return sorted(found)


def _split_lines(data: bytes) -> list[str]:
    # Split on b"\n" only: str.splitlines() would also break on U+2028 inside a JSON string.
    return [line.decode("utf-8", "replace") for line in data.split(b"\n") if line.strip()]


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
    accepts = _make_filter(user, level, job, since)
    log_dir = Path(log_dir)
    handles: list[IO[bytes]] = []
    # Open every file under the writers' shared lock so no rotation renames them mid-listing;
    # the open handles then stay valid (and consistent) while we read outside the lock.
    with _dir_lock(log_dir, exclusive=False):
        paths = [p for _, p in reversed(_rotated_files(log_dir))] + [log_dir / LOG_FILE]
        for path in paths:
            with contextlib.suppress(FileNotFoundError):
                handles.append(open(path, "rb"))  # noqa: SIM115 - closed below
    records: list[LogRecordView] = []
    for fh in handles:
        with fh:
            records.extend(r for r in map(_parse_line, _split_lines(fh.read())) if accepts(r))
    return records


class _Follower:
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
        return _split_lines(b"\n".join(complete))

    def _flush_partial(self) -> list[str]:
        # A line without its newline at the end of a finished file: show it rather than lose it.
        rest, self.partial = self.partial, b""
        return _split_lines(rest)

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
        with _dir_lock(self.log_dir, exclusive=False):
            rotated = []
            found_old = False
            for _, path in _rotated_files(self.log_dir):  # newest first
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
                lines += _split_lines(fh.read())
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
    accepts = _make_filter(user, level, job, since)
    follower = _Follower(Path(log_dir), from_start)
    try:
        while stop is None or not stop.is_set():
            delivered = False
            for line in follower.poll():
                rec = _parse_line(line)
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


def cleanup_rotated(log_dir: Path, older_than: timedelta) -> list[Path]:
    """Delete rotated log files last written before now - ``older_than``; the live file stays."""
    cutoff = time.time() - older_than.total_seconds()
    deleted: list[Path] = []
    log_dir = Path(log_dir)
    with _dir_lock(log_dir, exclusive=True):  # never race a rotation's renames
        for _, path in _rotated_files(log_dir):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    deleted.append(path)
            except FileNotFoundError:
                continue
    return deleted
