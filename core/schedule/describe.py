"""A cron expression in plain English for the job editor and `jobs list` ("at 09:00 on Monday to
Friday"), or None when no short sentence says it exactly (the caller then shows ``cron: <text>``).

Must never guess: a description either says exactly when the job runs or is not given.
"""

from __future__ import annotations

import re

from studiosync.core.schedule.cron import MONTH_WORDS, Cron, join

_WEEKDAY_WORDS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")


def describe_cron(cron: Cron) -> str | None:
    time = _describe_time(cron)
    raw_dom, raw_month, raw_dow = cron.raw[2], cron.raw[3], cron.raw[4]
    if time is None or any(f.startswith("*") and f != "*" for f in (raw_dom, raw_month, raw_dow)):
        return None
    days: list[str] = []
    if cron.dom_restricted:
        nums = sorted(cron.dom)
        if len(nums) > 4:
            return None
        label = "day" if len(nums) == 1 else "days"
        days.append(f"on {label} {join([str(d) for d in nums])} of the month")
    if cron.dow_restricted:
        days.append(f"on {_weekday_words(cron.dow)}")
    parts = [time]
    if days:
        parts.append(" or ".join(days))  # both restricted -> cron's OR rule, said out loud
    elif time.startswith("at "):
        parts.append("every day")
    if raw_month != "*":
        parts.append("in " + join([MONTH_WORDS[m - 1] for m in sorted(cron.month)]))
    return " ".join(parts)


def _step(raw: str) -> int | None:
    m = re.fullmatch(r"\*/(\d+)", raw)
    return int(m.group(1)) if m else None


def _contiguous(values: list[int]) -> bool:
    return len(values) > 1 and values == list(range(values[0], values[-1] + 1))


def _describe_time(cron: Cron) -> str | None:
    raw_min, raw_hour = cron.raw[0], cron.raw[1]
    minutes, hours = sorted(cron.minute), sorted(cron.hour)
    if raw_min == "*" or _step(raw_min):
        every = "every minute" if raw_min == "*" else f"every {_step(raw_min)} minutes"
        if raw_hour == "*":
            return every
        if _contiguous(hours):
            return f"{every} from {hours[0]:02d}:00 to {hours[-1]:02d}:59"
        if len(hours) == 1:
            return f"{every} from {hours[0]:02d}:00 to {hours[0]:02d}:59"
        return None
    if len(minutes) == 1:
        if raw_hour == "*":
            return f"every hour at minute {minutes[0]}"
        if _step(raw_hour):
            return f"every {_step(raw_hour)} hours at minute {minutes[0]}"
        if _contiguous(hours) and len(hours) > 2:
            m = minutes[0]
            return f"every hour from {hours[0]:02d}:{m:02d} to {hours[-1]:02d}:{m:02d}"
    if len(minutes) * len(hours) <= 6:
        times = [f"{h:02d}:{m:02d}" for h in hours for m in minutes]
        return "at " + join(times)
    return None


def _weekday_words(days: frozenset[int]) -> str:
    order = [1, 2, 3, 4, 5, 6, 0]  # people read weeks Monday-first ("Monday to Friday")
    present = [d for d in order if d in days]
    groups: list[list[int]] = []
    for day in present:
        if groups and order.index(day) == order.index(groups[-1][-1]) + 1:
            groups[-1].append(day)
        else:
            groups.append([day])
    words: list[str] = []
    for group in groups:
        if len(group) >= 3:
            words.append(f"{_WEEKDAY_WORDS[group[0]]} to {_WEEKDAY_WORDS[group[-1]]}")
        else:
            words.extend(_WEEKDAY_WORDS[d] for d in group)
    return join(words)
