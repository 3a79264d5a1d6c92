"""When a job fires: its schedule's trigger anchored at the job's `anchor`, the fire time still owed after
a sleep or a stop (`pending_fire`), the next one (`next_fire`), and `AnchoredTrigger`, which starts with
the owed time and after a run jumps to the next time still ahead (missed ones coalesce into one run).

Fire times are deterministic (cron in the studio zone; intervals counted from the anchor), so a console and
a daemon on one computer compute the same ones. Must never read the store or run a job: plain times in,
plain times out.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from apscheduler.triggers.base import BaseTrigger
from studiosync.core.schedule import Schedule


def base_trigger(schedule: Schedule, tz: str, anchor: datetime) -> BaseTrigger:
    return schedule.trigger(tz, start=anchor if schedule.kind == "interval" else None)


def pending_fire(
    schedule: Schedule, tz: str, anchor: datetime, last_start: datetime | None, now: datetime
) -> datetime | None:
    """The first fire time not yet served, if it is already due: owed since the job was (re)anchored or
    since its last run started. A job just enabled "every 15m" is due at once (its anchor is a fire time)."""
    base = base_trigger(schedule, tz, anchor)
    if last_start is None or last_start < anchor:
        first = base.get_next_fire_time(None, anchor)
    else:
        first = base.get_next_fire_time(None, last_start + timedelta(microseconds=1))
    return first if first is not None and first <= now else None


def next_fire(schedule: Schedule, tz: str, anchor: datetime, after: datetime) -> datetime | None:
    return base_trigger(schedule, tz, anchor).get_next_fire_time(None, after)


class AnchoredTrigger(BaseTrigger):
    """The schedule's own trigger, plus: start with the owed fire time (if any), and after a run jump
    straight to the next time still ahead (the missed ones were coalesced into that run)."""

    def __init__(self, base: BaseTrigger, pending: datetime | None) -> None:
        self._base = base
        self._pending = pending

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime | None:
        if previous_fire_time is None:
            return self._pending or self._base.get_next_fire_time(None, now)
        nxt = self._base.get_next_fire_time(previous_fire_time, now)
        if nxt is not None and nxt < now:
            ahead = self._base.get_next_fire_time(None, now)
            if ahead is not None and ahead > previous_fire_time:
                nxt = ahead
        return nxt

    def __str__(self) -> str:
        return f"anchored[{self._base}]"
