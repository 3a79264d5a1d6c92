"""The log context: which job, run and user the current code works for, carried onto every line.

Holds the ``ContextVar`` and its helpers (:func:`log_context`, :func:`bind`, :class:`ContextFilter`).
asyncio tasks inherit the context, but in Python 3.11 a ``threading.Thread`` starts with an EMPTY one:
wrap the thread's target with :func:`bind` (or run it with ``contextvars.copy_context().run``).

Must never touch files, handlers or the logging configuration: it only says *who* a line is about.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class LogContext:
    """Which job, run and user the current code works for: every log line written meanwhile names them."""

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


class ContextFilter(logging.Filter):
    """Captures the log context in the logging thread, whatever thread later formats the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "studiosync_context"):
            record.studiosync_context = _context.get()
        return True
