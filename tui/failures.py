"""How a failure becomes something a person reads: one line with the cause and the fix, never a traceback.

`one_line` is what the screen shows; `log_failure` writes that same line to the log (INFO for refused
input, WARNING for a failure core explained, ERROR for a bug). A bug's line carries a crash id, on screen
and in the log; its traceback goes only to that private crash file (core.logs.crash), never to a line.
Never imports Textual.
"""

from __future__ import annotations

import logging

from studiosync.core.errors import InputError, StudioSyncError
from studiosync.core.logs import new_crash_id

log = logging.getLogger("studiosync.console")

BUG_FIX = "please report it"


def one_line(exc: BaseException) -> str:
    """The single line a person sees for a failure: the cause, then the fix if there is one."""
    if isinstance(exc, StudioSyncError):
        text = _first(exc.message) or exc.__class__.__name__
        return f"{text} — {_first(exc.fix)}" if exc.fix else text
    detail = _first(str(exc))
    cause = f"{exc.__class__.__name__}: {detail}" if detail else exc.__class__.__name__
    return f"internal error ({cause}) — {BUG_FIX}"


def log_failure(exc: BaseException, where: str) -> str:
    """Log the failure (its line; the traceback at DEBUG only) and return the line to show."""
    line = one_line(exc)
    fields = {"where": where} if where else {}
    if isinstance(exc, InputError):
        log.info("console: refused: %s", line, extra={"fields": fields})
    elif isinstance(exc, StudioSyncError):
        log.warning("console: %s", line, extra={"fields": fields})
    else:
        crash_id = new_crash_id()  # the same id on screen, on the log line and on the crash file
        line = f"{line} (crash id {crash_id})"
        log.error("console: %s", line, exc_info=exc, extra={"fields": {**fields, "crash_id": crash_id}})
    return line


def _first(text: str | None) -> str:
    return " ".join((text or "").split("\n")[0].split())
