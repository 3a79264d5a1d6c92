"""The Schedule a job runs on, as people type it: a 5-field cron (crontab(5) semantics, core.schedule.cron)
or a simple interval (core.schedule.interval). `parse_schedule` validates and canonicalises;
`Schedule.describe` says it in words, `trigger` builds the APScheduler trigger, `next_runs` previews.

Must never import APScheduler at module level: `studiosync jobs list`'s parsing and the console's job
editor stay cheap, and only `trigger`/`next_runs` of a cron load it (core.schedule.triggers).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from studiosync.core.errors import InputError
from studiosync.core.schedule.cron import NICKNAMES, parse_cron
from studiosync.core.schedule.describe import describe_cron
from studiosync.core.schedule.interval import NOT_A_SCHEDULE, duration_words, interval_units, parse_interval

if TYPE_CHECKING:
    from apscheduler.triggers.base import BaseTrigger


@dataclass(frozen=True)
class Schedule:
    """A validated schedule. ``text`` is canonical: ``parse_schedule(s.text) == s``.

    ``seconds`` is the interval length for ``kind == "interval"`` and None for cron.
    """

    kind: Literal["cron", "interval"]
    text: str
    seconds: int | None

    def describe(self) -> str:
        """Plain English for the job editor; falls back to ``cron: <text>`` for unusual crons."""
        if self.kind == "interval":
            assert self.seconds is not None
            return "every " + duration_words(self.seconds)
        return describe_cron(parse_cron(self.text)) or f"cron: {self.text}"

    def trigger(self, tz: str | ZoneInfo, *, start: datetime | None = None) -> BaseTrigger:
        """An APScheduler 3 trigger evaluated in the studio time zone ``tz``.

        For intervals, ``start`` is the first fire time (APScheduler's default: now + interval).
        """
        from studiosync.core.schedule.triggers import cron_trigger, interval_trigger

        if self.kind == "interval":
            assert self.seconds is not None
            return interval_trigger(self.seconds, zone(tz), start)
        return cron_trigger(self.text, zone(tz), start)

    def next_runs(self, n: int, tz: str | ZoneInfo, after: datetime) -> list[datetime]:
        """The next ``n`` fire times strictly after ``after`` (naive = studio local time), in ``tz``."""
        local = zone(tz)
        if after.tzinfo is None:
            after = after.replace(tzinfo=local)
        if self.kind == "interval":
            assert self.seconds is not None
            step = timedelta(seconds=self.seconds)
            # UTC arithmetic: an interval is elapsed time, not wall-clock time, across DST changes.
            base = after.astimezone(UTC)
            return [(base + step * i).astimezone(local) for i in range(1, n + 1)]
        trig = self.trigger(local)
        runs: list[datetime] = []
        cursor = after.astimezone(UTC)
        while len(runs) < n:
            # +1 µs: APScheduler returns `now` itself when it matches; we want strictly after.
            nxt = trig.get_next_fire_time(None, (cursor + timedelta(microseconds=1)).astimezone(local))
            if nxt is None:  # pragma: no cover - impossible dates are refused by the parser
                break
            runs.append(nxt.astimezone(local))
            cursor = nxt.astimezone(UTC)
        return runs


def parse_schedule(text: str) -> Schedule:
    """Parse what a person typed into a Schedule, or raise InputError with a one-line reason."""
    cleaned = " ".join(str(text).split()).lower()
    if not cleaned:
        raise InputError(
            "the schedule is empty: type a cron expression like '0 9 * * 1' or an interval like '15m'"
        )
    if cleaned.startswith("@"):
        if cleaned not in NICKNAMES:
            raise InputError(
                f"'{text.strip()}' is not supported: use @hourly, @daily, @weekly, @monthly or @yearly"
            )
        parse_cron(cleaned)
        return Schedule("cron", cleaned, None)
    parts = cleaned.split(" ")
    if cleaned.startswith("every ") or interval_units(cleaned):
        canonical, seconds = parse_interval(cleaned, text.strip())
        return Schedule("interval", canonical, seconds)
    if cleaned.isdigit():
        raise InputError(f"'{cleaned}' needs a unit: s, m, h or d (for example '{cleaned}m')")
    if len(parts) == 1 and not any(ch in cleaned for ch in "*,/-"):
        raise InputError(NOT_A_SCHEDULE.format(text.strip()))
    if len(parts) != 5:
        raise InputError(
            f"a cron expression needs 5 fields (minute hour day-of-month month day-of-week), got {len(parts)}"
        )
    parse_cron(cleaned)
    return Schedule("cron", cleaned, None)


def zone(tz: str | ZoneInfo) -> ZoneInfo:
    if isinstance(tz, ZoneInfo):
        return tz
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InputError(f"'{tz}' is not a known time zone (use a name like Europe/Paris)") from exc
