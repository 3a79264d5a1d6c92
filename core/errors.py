"""Error types shared by every part of studiosync.

Each carries a one-line message meant for a person; the CLI maps them to exit codes
(InputError -> 2, everything else -> 1) and the console shows them as notifications.
"""

from __future__ import annotations


class StudioSyncError(Exception):
    """Base class: a failure with a one-line, user-facing message (and optionally a fix)."""

    exit_code = 1

    def __init__(self, message: str, *, fix: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return self.message


class InputError(StudioSyncError):
    """Bad input from a person or script: nothing was changed."""

    exit_code = 2


class NotFoundError(InputError):
    """A named user, group, appointment, job... does not exist."""


class StoreError(StudioSyncError):
    """The data store cannot be read or written (corrupt file, permissions, lock)."""


class OperationError(StudioSyncError):
    """The command ran but something failed (network, Google, SMTP...)."""


def one_line_error(exc: BaseException, limit: int = 300) -> str:
    """An unexpected exception as one line for a person: its class and the first line of its message
    (never a stack, even one embedded in the message)."""
    text = str(exc).split("Traceback (most recent call last)")[0]
    first = " ".join(text.strip().split("\n")[0].split())
    line = f"{exc.__class__.__name__}: {first}" if first else exc.__class__.__name__
    return line[:limit]
