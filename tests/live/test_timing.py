"""Live sync's timing as tables, on a fake monotonic clock: the debouncer (a burst is one pass), the holds
after failures, the pull interval under the budget, and the job options' parsing."""

from __future__ import annotations

import pytest
from studiosync.core.errors import InputError
from studiosync.core.jobs.catalogue import GOOGLE_SYNC
from studiosync.core.jobs.live_timing import MAX_HOLD_S, Debouncer, Holds, pull_interval


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_of_50_edits_is_handed_over_once() -> None:
    clock = FakeClock()
    debounce = Debouncer(quiet=1.0, longest=3.0, clock=clock)
    assert debounce.due_in() == float("inf") and debounce.take() == set()
    for i in range(50):  # 50 edits, 20 ms apart, for two users
        debounce.add(["ann" if i % 2 else "bob"])
        assert debounce.take() == set()  # never due in the middle of the burst
        clock.now += 0.02
    assert debounce.due_in() == pytest.approx(1.0 - 0.02)
    clock.now += 1.0
    assert debounce.take() == {"ann", "bob"}
    assert debounce.take() == set() and not debounce


def test_a_steady_trickle_still_goes_out_after_the_longest_wait() -> None:
    clock = FakeClock()
    debounce = Debouncer(quiet=1.0, longest=3.0, clock=clock)
    taken = []
    for _ in range(20):  # an edit every 0.5 s for 10 s: never 1 s of quiet
        debounce.add(["ann"])
        clock.now += 0.5
        taken.append(debounce.take())
    passes = [t for t in taken if t]
    assert 3 <= len(passes) <= 4  # every ~3 s, not once at the end, not 20 times


def test_work_put_back_after_a_busy_lock_is_due_at_once() -> None:
    clock = FakeClock()
    debounce = Debouncer(quiet=1.0, longest=3.0, clock=clock)
    debounce.add(["ann"], at_once=True)
    assert debounce.due_in() == 0 and debounce.take() == {"ann"}


def test_holds_double_and_end_on_success() -> None:
    clock = FakeClock()
    holds = Holds(clock)
    assert not holds.held("ann") and holds.release_in("ann") == 0
    assert holds.fail("ann", 60) == 60 and holds.held("ann")
    clock.now += 60
    assert not holds.held("ann")
    assert holds.fail("ann", 60) == 120
    assert holds.fail("ann", 60) == 240
    for _ in range(10):
        last = holds.fail("ann", 60)
    assert last == MAX_HOLD_S
    holds.ok("ann")
    assert not holds.held("ann") and holds.fail("ann", 60) == 60


@pytest.mark.parametrize(
    ("pull_every", "users", "per_project", "expected"),
    [
        (60, 200, 10_000, 60),  # 200 users: 200/min, 2% of the default project quota
        (15, 20, 10_000, 15),
        (15, 20, 100, 24),  # a small budget: 20 pulls may use half of 100/min -> every 24 s
        (60, 0, 10, 60),
    ],
)
def test_pull_interval_leaves_half_the_budget_to_the_full_runs(
    pull_every: int, users: int, per_project: int, expected: float
) -> None:
    assert pull_interval(pull_every, users, per_project) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("key", "typed", "stored"),
    [
        ("pull_every", "30s", 30),
        ("pull_every", "2m", 120),
        ("pull_every", "1h", 3600),
        ("pull_every", "45", 45),
        ("live", "off", False),
        ("live", "ON", True),
        ("live", "no", False),
        ("horizon_days", "30", 30),
    ],
)
def test_google_sync_options_parse(key: str, typed: str, stored: object) -> None:
    assert GOOGLE_SYNC.options[key].parse(key, "google-sync", typed) == stored


@pytest.mark.parametrize(
    ("key", "typed", "message"),
    [
        ("pull_every", "14s", "15-86400 seconds"),
        ("pull_every", "soon", "30s, 2m or 1h"),
        ("pull_every", "-5s", "30s, 2m or 1h"),
        ("live", "maybe", "on or off"),
    ],
)
def test_bad_google_sync_options_are_refused(key: str, typed: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        GOOGLE_SYNC.options[key].parse(key, "google-sync", typed)
