"""The Google Sync Processor job: one run of the processor over every enabled user."""

from __future__ import annotations

import dataclasses
from typing import Any

from studiosync.core.jobs.base import JobContext, JobOutcome


def google_sync(ctx: JobContext) -> JobOutcome:
    from studiosync.core.sync.processor import run_sync

    # The stop event lets `serve` end on SIGTERM after the current user's sync reaches a safe point.
    result = run_sync(ctx.studio, run_id=ctx.run_id, stop=ctx.stop)
    status = result.status if result.status in ("ok", "warning", "error") else "error"
    # record(): the processor's bounded per-user record (counts, warnings, error + cause + fix, requests),
    # without the detailed log, which is in the log file already.
    users = [_plain(u.record() if hasattr(u, "record") else u) for u in result.users]
    return JobOutcome(status=status, summary=str(result.summary), users=users)


def _plain(value: Any) -> Any:
    """A JSON-able copy of a per-user result (a dataclass today; tolerate dicts and datetimes)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
