"""core.schedule: cron as crontab(5) means it (not as APScheduler 3 numbers weekdays), intervals, words."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from studiosync.core.errors import InputError
from studiosync.core.schedule import MIN_INTERVAL_SECONDS, Schedule, parse_schedule
from studiosync.core.schedule.cron import parse_cron as _parse_cron

PARIS = ZoneInfo("Europe/Paris")
NY = ZoneInfo("America/New_York")
# A Wednesday, so "next Monday" and "next Sunday" are both a few days away.
WED_NOON = datetime(2026, 3, 4, 12, 0, tzinfo=PARIS)


def runs(text: str, n: int = 5, tz: ZoneInfo = PARIS, after: datetime = WED_NOON) -> list[datetime]:
    return parse_schedule(text).next_runs(n, tz, after)


# --- weekday numbering -----------------------------------------------------------------------


def test_1_is_monday_as_in_cron_not_tuesday_as_in_apscheduler() -> None:
    result = runs("0 9 * * 1", 3)
    assert result[0] == datetime(2026, 3, 9, 9, 0, tzinfo=PARIS)
    assert all(r.weekday() == 0 and (r.hour, r.minute) == (9, 0) for r in result)
    assert all(r.tzinfo == PARIS for r in result)


@pytest.mark.parametrize("dow", ["0", "7", "sun", "SUN", "0,7"])
def test_0_and_7_and_sun_are_sunday(dow: str) -> None:
    result = runs(f"30 10 * * {dow}", 3)
    assert result[0] == datetime(2026, 3, 8, 10, 30, tzinfo=PARIS)
    assert all(r.weekday() == 6 for r in result)


@pytest.mark.parametrize(
    ("dow", "weekdays"),
    [
        ("1-5", {0, 1, 2, 3, 4}),
        ("mon-fri", {0, 1, 2, 3, 4}),
        ("sat,sun", {5, 6}),
        ("5-7", {4, 5, 6}),  # Friday to Sunday, 7 = Sunday
        ("*/2", {6, 1, 3, 5}),  # cron 0,2,4,6 = Sun, Tue, Thu, Sat
        ("mon,wed,fri", {0, 2, 4}),
    ],
)
def test_weekday_sets(dow: str, weekdays: set[int]) -> None:
    seen = {r.weekday() for r in runs(f"0 9 * * {dow}", 14)}
    assert seen == weekdays


# --- minutes, hours, lists, ranges, steps ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "times"),
    [
        ("*/20 * * * *", ["12:20", "12:40", "13:00", "13:20"]),
        ("10-20/5 12 * * *", ["12:10", "12:15", "12:20", "12:10"]),
        ("0 8,12,18 * * *", ["18:00", "08:00", "12:00", "18:00"]),
        ("5/20 * * * *", ["12:05", "12:25", "12:45", "13:05"]),
        ("0 */6 * * *", ["18:00", "00:00", "06:00", "12:00"]),
        ("* * * * *", ["12:01", "12:02", "12:03", "12:04"]),
    ],
)
def test_minute_hour_expressions(text: str, times: list[str]) -> None:
    assert [r.strftime("%H:%M") for r in runs(text, len(times))] == times


def test_month_names_and_day_of_month() -> None:
    result = runs("0 0 1 jan,jul *", 3)
    assert [(r.year, r.month, r.day) for r in result] == [(2026, 7, 1), (2027, 1, 1), (2027, 7, 1)]


def test_february_29_waits_for_a_leap_year() -> None:
    assert runs("0 12 29 feb *", 2) == [
        datetime(2028, 2, 29, 12, tzinfo=PARIS),
        datetime(2032, 2, 29, 12, tzinfo=PARIS),
    ]


def test_runs_are_strictly_after() -> None:
    at_nine = datetime(2026, 3, 9, 9, 0, tzinfo=PARIS)
    assert runs("0 9 * * 1", 1, after=at_nine)[0] == datetime(2026, 3, 16, 9, 0, tzinfo=PARIS)
    assert runs("15m", 1, after=at_nine)[0] == at_nine + timedelta(minutes=15)


def test_naive_after_is_studio_local_time() -> None:
    assert runs("0 13 * * *", 1, after=datetime(2026, 3, 4, 12, 0))[0] == datetime(
        2026, 3, 4, 13, 0, tzinfo=PARIS
    )


# --- day-of-month OR day-of-week (crontab(5)) --------------------------------------------------


def test_dom_and_dow_both_restricted_means_either() -> None:
    schedule = parse_schedule("0 9 13 * 5")
    assert isinstance(schedule.trigger(PARIS), OrTrigger)
    result = schedule.next_runs(12, PARIS, WED_NOON)
    assert all(r.day == 13 or r.weekday() == 4 for r in result)
    assert any(r.day == 13 and r.weekday() != 4 for r in result)  # Friday 13 March, Monday 13 April
    assert any(r.weekday() == 4 and r.day != 13 for r in result)
    assert result == sorted(set(result))  # no duplicate when both match (Friday the 13th)


def test_star_prefixed_field_is_unrestricted_so_fields_combine_with_and() -> None:
    # Vixie cron: "*/2" starts with '*', so the OR rule does not apply: odd days that are Mondays.
    schedule = parse_schedule("0 9 */2 * 1")
    assert isinstance(schedule.trigger(PARIS), CronTrigger)
    assert all(r.weekday() == 0 and r.day % 2 == 1 for r in schedule.next_runs(4, PARIS, WED_NOON))


def test_only_dom_restricted_ignores_weekday() -> None:
    assert [r.day for r in runs("0 9 1,15 * *", 4)] == [15, 1, 15, 1]


# --- time zones -------------------------------------------------------------------------------


def test_dst_spring_forward_keeps_nine_oclock_local() -> None:
    # America/New_York moves from -05:00 to -04:00 on Sunday 8 March 2026.
    result = runs("0 9 * * *", 4, tz=NY, after=datetime(2026, 3, 6, 12, tzinfo=NY))
    assert [(r.day, r.hour) for r in result] == [(7, 9), (8, 9), (9, 9), (10, 9)]
    assert [r.utcoffset() for r in result] == [timedelta(hours=h) for h in (-5, -4, -4, -4)]
    elapsed = [b.astimezone(UTC) - a.astimezone(UTC) for a, b in zip(result, result[1:], strict=False)]
    assert elapsed == [timedelta(hours=23), timedelta(hours=24), timedelta(hours=24)]


def test_interval_is_elapsed_time_across_dst() -> None:
    result = runs("1d", 2, tz=NY, after=datetime(2026, 3, 7, 9, tzinfo=NY))
    assert result[0].astimezone(UTC) - datetime(2026, 3, 7, 14, tzinfo=UTC) == timedelta(hours=24)
    assert result[0].hour == 10  # 24 h after 09:00 EST is 10:00 EDT


def test_trigger_uses_the_given_zone_name() -> None:
    trig = parse_schedule("0 9 * * 1").trigger("America/New_York")
    nxt = trig.get_next_fire_time(None, datetime(2026, 3, 4, 12, tzinfo=UTC))
    assert nxt == datetime(2026, 3, 9, 9, tzinfo=NY)


def test_unknown_zone_is_input_error() -> None:
    with pytest.raises(InputError, match="not a known time zone"):
        parse_schedule("15m").trigger("Mars/Olympus")


# --- intervals --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds", "canonical"),
    [
        ("30s", 30, "30s"),
        ("15m", 900, "15m"),
        ("1h", 3600, "1h"),
        ("2h30m", 9000, "2h30m"),
        ("1h 30m", 5400, "1h30m"),
        ("every 15m", 900, "15m"),
        ("Every 15 Minutes", 900, "15m"),
        ("90s", 90, "1m30s"),
        ("1d", 86400, "1d"),
        ("  every   2 hours ", 7200, "2h"),
    ],
)
def test_intervals(text: str, seconds: int, canonical: str) -> None:
    schedule = parse_schedule(text)
    assert schedule == Schedule("interval", canonical, seconds)
    assert parse_schedule(schedule.text) == schedule
    trig = schedule.trigger(PARIS)
    assert isinstance(trig, IntervalTrigger)
    assert trig.interval == timedelta(seconds=seconds)


def test_interval_next_runs_and_trigger_start() -> None:
    schedule = parse_schedule("15m")
    assert runs("15m", 3) == [WED_NOON + timedelta(minutes=15 * i) for i in (1, 2, 3)]
    start = WED_NOON + timedelta(minutes=1)
    assert schedule.trigger(PARIS, start=start).get_next_fire_time(None, WED_NOON) == start


# --- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("61 * * * *", "minute 61 is out of range 0-59"),
        ("0 24 * * *", "hour 24 is out of range 0-23"),
        ("0 0 0 * *", "day-of-month 0 is out of range 1-31"),
        ("0 0 32 * *", "day-of-month 32 is out of range 1-31"),
        ("0 0 * 13 *", "month 13 is out of range 1-12"),
        ("0 9 * * 8", "day-of-week 8 is out of range 0-7"),
        ("0 9 * * funday", "'funday' is not a valid day-of-week"),
        ("0 9 * foo *", "'foo' is not a valid month"),
        ("x 9 * * *", "'x' is not a valid minute"),
        ("0 9 * * mon-", "'mon-' in the day-of-week field is not a valid range"),
        ("1-0 * * * *", "range 1-0 in the minute field goes backwards"),
        ("*/0 * * * *", "step 0 in the minute field is out of range 1-59"),
        ("*/x * * * *", "the step after '/' must be a number"),
        ("*/² * * * *", "the step after '/' must be a number"),  # a digit to isdigit(), not to int()
        ("² * * * *", "'²' is not a valid minute"),
        ("1,,2 * * * *", "has an empty list item"),
        ("0 0 31 2 *", "day-of-month 31 never occurs in February"),
        ("0 0 30,31 feb *", "never occurs in February"),
        ("0 9 * *", "needs 5 fields (minute hour day-of-month month day-of-week), got 4"),
        ("0 9 * * * *", "got 6"),
        ("5 5", "got 2"),
        ("0s", f"an interval must be at least {MIN_INTERVAL_SECONDS} seconds"),
        ("5s", f"at least {MIN_INTERVAL_SECONDS} seconds"),
        ("400d", "at most 365 days"),
        ("1h1h", "gives the hours twice"),
        ("every day", "'every day' needs a number or a time"),
        ("every hour", "use an interval like '1h'"),
        ("daily", "'daily' is not a schedule"),
        ("every 5 parsecs", "is not a schedule"),
        ("30", "'30' needs a unit"),
        ("", "the schedule is empty"),
        ("   ", "the schedule is empty"),
        ("@reboot", "'@reboot' is not supported"),
    ],
)
def test_refusals(text: str, message: str) -> None:
    with pytest.raises(InputError) as info:
        parse_schedule(text)
    assert message in str(info.value)
    assert "\n" not in str(info.value)
    assert info.value.exit_code == 2


def test_nicknames() -> None:
    assert parse_schedule("@daily").next_runs(1, PARIS, WED_NOON)[0] == datetime(2026, 3, 5, tzinfo=PARIS)
    assert parse_schedule("@weekly").next_runs(1, PARIS, WED_NOON)[0].weekday() == 6
    assert parse_schedule("@hourly").describe() == "every hour at minute 0"


def test_cron_text_is_canonical() -> None:
    schedule = parse_schedule("  0   9 * *   MON ")
    assert schedule == Schedule("cron", "0 9 * * mon", None)
    assert parse_schedule(schedule.text) == schedule


# --- words ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("15m", "every 15 minutes"),
        ("1h", "every hour"),
        ("1h30m", "every 1 hour 30 minutes"),
        ("45s", "every 45 seconds"),
        ("* * * * *", "every minute"),
        ("*/15 * * * *", "every 15 minutes"),
        ("0 * * * *", "every hour at minute 0"),
        ("30 */2 * * *", "every 2 hours at minute 30"),
        ("0 9 * * 1", "at 09:00 on Monday"),
        ("0 9 * * *", "at 09:00 every day"),
        ("30 8 * * 1-5", "at 08:30 on Monday to Friday"),
        ("0 9,17 * * sat,sun", "at 09:00 and 17:00 on Saturday and Sunday"),
        ("0 9 * * 1,3,5", "at 09:00 on Monday, Wednesday and Friday"),
        ("0 9-17 * * mon-fri", "every hour from 09:00 to 17:00 on Monday to Friday"),
        ("*/5 9-17 * * 1-5", "every 5 minutes from 09:00 to 17:59 on Monday to Friday"),
        ("0 0 1 * *", "at 00:00 on day 1 of the month"),
        ("0 0 1,15 * *", "at 00:00 on days 1 and 15 of the month"),
        ("0 9 13 * 5", "at 09:00 on day 13 of the month or on Friday"),
        ("0 0 1 1 *", "at 00:00 on day 1 of the month in January"),
        ("5-59/15 * * * *", "cron: 5-59/15 * * * *"),
    ],
)
def test_describe(text: str, words: str) -> None:
    assert parse_schedule(text).describe() == words


# --- property: any valid cron parses and runs forward, matching crontab(5) ----------------------


def _field(low: int, high: int, names: tuple[str, ...] = ()) -> st.SearchStrategy[str]:
    number = st.integers(low, high)
    token = number.map(str) if not names else st.one_of(number.map(str), st.sampled_from(names))
    rng = st.tuples(number, number).map(lambda ab: f"{min(ab)}-{max(ab)}")
    step = st.integers(1, high)
    item = st.one_of(
        token,
        rng,
        st.just("*"),
        step.map(lambda s: f"*/{s}"),
        st.tuples(rng, step).map(lambda t: f"{t[0]}/{t[1]}"),
    )
    return st.lists(item, min_size=1, max_size=3).map(",".join)


CRONS = st.tuples(
    _field(0, 59),
    _field(0, 23),
    _field(1, 31),
    _field(1, 12, ("jan", "jun", "dec")),
    _field(0, 7, ("sun", "mon", "sat")),
).map(" ".join)


def _day_ok(day: date, text: str) -> bool:
    """Reference crontab(5) day rule, independent of APScheduler: OR only if both are restricted."""
    cron = _parse_cron(text)
    by_dom = day.day in cron.dom
    by_dow = (day.weekday() + 1) % 7 in cron.dow  # cron: 0 = Sunday
    either = cron.dom_restricted and cron.dow_restricted
    return day.month in cron.month and ((by_dom or by_dow) if either else (by_dom and by_dow))


def _matches(when: datetime, text: str) -> bool:
    cron = _parse_cron(text)
    return when.minute in cron.minute and when.hour in cron.hour and _day_ok(when.date(), text)


def _brute_next(text: str, after: datetime) -> datetime:
    """The first matching minute after `after` (UTC), scanning day by day."""
    cron = _parse_cron(text)
    day = after.date()
    while day < date(2040, 1, 1):
        if _day_ok(day, text):
            for hour in sorted(cron.hour):
                for minute in sorted(cron.minute):
                    when = datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)
                    if when > after:
                        return when
        day += timedelta(days=1)
    raise AssertionError("no run found")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=CRONS, after=st.datetimes(datetime(2025, 1, 1), datetime(2030, 1, 1)))
def test_random_crons_parse_and_agree_with_crontab(text: str, after: datetime) -> None:
    try:
        schedule = parse_schedule(text)
    except InputError as exc:
        assume("never occurs" not in str(exc))  # e.g. "0 0 31 2 *" is refused on purpose
        raise
    after = after.replace(tzinfo=UTC)
    result = schedule.next_runs(3, "UTC", after)
    assert len(result) == 3
    assert after < result[0] < result[1] < result[2]
    assert all(_matches(r, text) for r in result)
    assert result[0] == _brute_next(text, after)
    assert result[1] == _brute_next(text, result[0])
    assert schedule.describe()
