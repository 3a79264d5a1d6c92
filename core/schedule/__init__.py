"""Job schedules as people type them: 5-field cron (crontab(5) semantics) or a simple interval.

Split by job: `schedule` (the Schedule and parse_schedule), `cron` (fields, ranges, names, the OR rule),
`interval` (``15m``, ``1h30m``, ``every 15 minutes``), `describe` (cron in plain English) and `triggers`
(the APScheduler 3 triggers, the one module that imports APScheduler).

This module holds no logic and must never grow any: it only re-exports.
"""

from __future__ import annotations

from studiosync.core.schedule.interval import MAX_INTERVAL_SECONDS, MIN_INTERVAL_SECONDS
from studiosync.core.schedule.schedule import Schedule, parse_schedule

__all__ = [
    "MAX_INTERVAL_SECONDS",
    "MIN_INTERVAL_SECONDS",
    "Schedule",
    "parse_schedule",
]
