"""The Google Sync Processor job: one run of the processor over every enabled user, and the processor's
options, read from this job's settings (every way of starting a sync goes by them)."""

from __future__ import annotations

import dataclasses
from typing import Any

from studiosync.core.jobs.base import JobContext, JobOutcome
from studiosync.core.sync.options import SyncOptions


def sync_options(studio: Any) -> SyncOptions:
    """The processor's settings are the google-sync job's options (Control Center), so a scheduled run,
    Run now and `studiosync sync` all expand recurring events over the same horizon. The processor is
    handed them: core.sync never reads the jobs layer."""
    from studiosync.core.jobs.service import Jobs

    try:
        horizon = Jobs(studio).get("google-sync").options.get("horizon_days")
    except Exception:  # noqa: BLE001 - no job settings yet (or unreadable): the built-in default
        horizon = None
    return SyncOptions(horizon_days=int(horizon)) if horizon else SyncOptions()


def google_sync(ctx: JobContext) -> JobOutcome:
    from studiosync.core.sync.processor import run_sync

    # The stop event lets `serve` end on SIGTERM after the current user's sync reaches a safe point.
    result = run_sync(ctx.studio, run_id=ctx.run_id, stop=ctx.stop, options=sync_options(ctx.studio))
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
