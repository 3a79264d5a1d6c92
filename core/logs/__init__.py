"""Structured logging: one JSON object per line in ``<log_dir>/studiosync.log``, shared by processes.

This package is the one door callers use (``from studiosync.core import logs``; ``logs.event(...)``,
``logs.configure(...)``, ``logs.read_logs(...)``). It is split by job:

* :mod:`.layout`  -- the file names, the writers' lock, the level names (what writers and readers share);
* :mod:`.context` -- which job / run / user a line is about (a ``ContextVar``; :func:`bind` for threads);
* :mod:`.redact`  -- secrets scrubbed from the record itself before any formatting;
* :mod:`.write`   -- the JSON formatter and the multi-process, rotation-safe file handler;
* :mod:`.crash`   -- private crash files: where a stack goes instead of a line (a line has a crash id);
* :mod:`.read`    -- parsing, filtering and listing lines back, and cleanup of old rotated files;
* :mod:`.follow`  -- tailing the live file across rotation and truncation.

This module holds no logic of its own and must never grow any: it only re-exports.
"""

from __future__ import annotations

from studiosync.core.logs.context import LogContext, bind, current_context, log_context
from studiosync.core.logs.crash import crash_file, new_crash_id, prune_crashes
from studiosync.core.logs.follow import follow_logs
from studiosync.core.logs.layout import LOG_FILE, LOGGER_NAME, parse_level
from studiosync.core.logs.read import LogRecordView, cleanup_rotated, read_logs
from studiosync.core.logs.redact import REDACTED, RedactingFilter, redact, redact_fields, register_secret
from studiosync.core.logs.write import (
    JsonFormatter,
    SharedFileHandler,
    configure,
    event,
    get_logger,
    shutdown,
)

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
    "crash_file",
    "current_context",
    "event",
    "follow_logs",
    "get_logger",
    "log_context",
    "new_crash_id",
    "parse_level",
    "prune_crashes",
    "read_logs",
    "redact",
    "redact_fields",
    "register_secret",
    "shutdown",
]
