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
