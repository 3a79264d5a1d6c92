"""APScheduler 3 triggers for a schedule, evaluated in the studio's time zone.

The trap this module exists to avoid: APScheduler 3.x numbers weekdays from 0 = Monday, and
``CronTrigger.from_crontab`` passes the day-of-week field through unchanged, so ``0 9 * * 1`` would
silently mean *Tuesday*. We hand APScheduler weekday *names* (``mon,tue``), which it can't misread.
crontab(5)'s OR rule (day-of-month OR day-of-week when both are restricted) becomes two CronTriggers
combined with ``OrTrigger``, which fires at the earliest of the two (APScheduler ANDs its fields).

The only module of core.schedule that imports APScheduler, so parsing and describing a schedule stay
cheap. Must never hand APScheduler a weekday number.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from studiosync.core.schedule.cron import DAY_OF_MONTH, HOUR, MINUTE, MONTH, WEEKDAYS, Field, parse_cron


def interval_trigger(seconds: int, zone: ZoneInfo, start: datetime | None) -> BaseTrigger:
    return IntervalTrigger(seconds=seconds, start_date=start, timezone=zone)


def cron_trigger(text: str, zone: ZoneInfo, start: datetime | None) -> BaseTrigger:
    cron = parse_cron(text)
    fields = {
        "minute": _ap_numbers(cron.minute, MINUTE),
        "hour": _ap_numbers(cron.hour, HOUR),
        "month": _ap_numbers(cron.month, MONTH),
        "start_date": start,
        "timezone": zone,
    }
    dom = _ap_numbers(cron.dom, DAY_OF_MONTH)
    dow = _ap_weekdays(cron.dow)
    if cron.dom_restricted and cron.dow_restricted:
        return OrTrigger(
            [
                CronTrigger(day=dom, day_of_week="*", **fields),
                CronTrigger(day="*", day_of_week=dow, **fields),
            ]
        )
    return CronTrigger(day=dom, day_of_week=dow, **fields)


def _ap_numbers(values: frozenset[int], spec: Field) -> str:
    if values == frozenset(range(spec.low, spec.high + 1)):
        return "*"
    return ",".join(str(v) for v in sorted(values))


def _ap_weekdays(values: frozenset[int]) -> str:
    if len(values) == 7:
        return "*"
    # Names, never numbers: APScheduler 3 reads "1" as Tuesday.
    return ",".join(WEEKDAYS[v] for v in sorted(values))

