"""The Calendar request budget: sliding per-user and per-project minute windows every request waits for,
and the project-wide back-off on Google's rate and quota refusals (Retry-After honoured) -- as tables on a
fake clock, then against the emulator over HTTP with injected 403s."""

from __future__ import annotations

import json
import time

import pytest
from studiosync.core.google.budget import Limits, RequestBudget, batch_calls, limited
from studiosync.core.google.errors import GoogleError

from tests.sync.helpers import SyncWorld, fast_options


class Clock:
    """A fake monotonic clock whose sleep moves it (and records how long)."""

    def __init__(self) -> None:
        self.now = 500.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def _budget(clock: Clock, per_user: int = 5, per_project: int = 8, **kw: float) -> RequestBudget:
    return RequestBudget(Limits(per_user, per_project), clock=clock, sleep=clock.sleep, **kw)


def _error(reason: str) -> bytes:
    return json.dumps(
        {"error": {"code": 403, "errors": [{"domain": "usageLimits", "reason": reason}]}}
    ).encode()


def test_requests_wait_for_room_in_the_users_and_the_projects_minute() -> None:
    clock = Clock()
    budget = _budget(clock)
    for _ in range(5):
        budget.acquire("ann")
        clock.now += 1
    assert clock.slept == [] and budget.used("ann") == 5
    budget.acquire("ann")  # the 6th of ann waits until her first leaves the window (60 s after it)
    assert clock.slept == [pytest.approx(55.0)]
    for _ in range(3):
        budget.acquire("bob")
    assert budget.used() == 8 and len(clock.slept) == 1
    budget.acquire("bob")  # the project's 9th in a minute waits too, whoever sends it
    assert len(clock.slept) == 2 and budget.used() <= 8


def test_a_batch_counts_each_call() -> None:
    clock = Clock()
    budget = _budget(clock, per_user=100, per_project=100)
    body = "".join(f"--b\nContent-Type: application/http\nContent-ID: <x+{i}>\n\nGET /x\n" for i in range(7))
    assert batch_calls(body) == 7 and batch_calls(body.encode()) == 7 and batch_calls(None) == 1
    budget.acquire("ann", batch_calls(body))
    assert budget.used("ann") == 7


@pytest.mark.parametrize("reason", ["rateLimitExceeded", "quotaExceeded"])
def test_a_rate_refusal_backs_the_whole_project_off_for_retry_after(reason: str) -> None:
    clock = Clock()
    budget = _budget(clock, per_user=100, per_project=100)
    budget.observe("ann", 403, {"retry-after": "7"}, _error(reason))
    assert budget.paused_for() == pytest.approx(7) and budget.backoffs == 1
    budget.acquire("bob")  # another user: the project waits as a whole
    assert clock.slept == [pytest.approx(7)]
    budget.acquire("bob")
    assert clock.slept == [pytest.approx(7)]  # over: no more waiting


def test_without_retry_after_the_back_off_doubles_and_success_resets_it() -> None:
    clock = Clock()
    budget = _budget(clock, per_user=100, per_project=100)
    budget.configure(100, 100, first_backoff_s=2, max_backoff_s=5)
    budget.observe("ann", 429, {}, _error("rateLimitExceeded"))
    assert budget.paused_for() == pytest.approx(2)
    clock.now += 2
    budget.observe("ann", 403, {}, _error("rateLimitExceeded"))
    assert budget.paused_for() == pytest.approx(4)
    clock.now += 4
    budget.observe("ann", 403, {}, _error("rateLimitExceeded"))
    assert budget.paused_for() == pytest.approx(5)  # capped
    clock.now += 5
    budget.observe("ann", 200, {}, b"{}")
    budget.observe("ann", 403, {}, _error("quotaExceeded"))
    assert budget.paused_for() == pytest.approx(2)


def test_a_user_rate_refusal_backs_off_that_user_only() -> None:
    clock = Clock()
    budget = _budget(clock, per_user=100, per_project=100)
    budget.observe("ann", 403, {"retry-after": "4"}, _error("userRateLimitExceeded"))
    assert budget.paused_for() == 0
    budget.acquire("bob")
    assert clock.slept == []
    budget.acquire("ann")
    assert clock.slept == [pytest.approx(4)]


def test_a_batch_part_refused_is_seen_with_its_retry_after() -> None:
    part_ok = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{}"
    part_refused = (
        "HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nRetry-After: 3\r\n\r\n"
        + _error("rateLimitExceeded").decode()
    )
    content = f"--b\r\n\r\n{part_ok}\r\n--b\r\n\r\n{part_refused}\r\n--b--".encode()
    assert limited(200, {}, content) == ({"rateLimitExceeded"}, 3.0)
    assert limited(200, {}, b'{"items": [{"summary": "rateLimitExceeded"}]}') == (
        set(),
        None,
    )  # not a refusal
    clock = Clock()
    budget = _budget(clock, per_user=100, per_project=100)
    budget.observe("ann", 200, {}, content)
    assert budget.paused_for() == pytest.approx(3)


def test_waiting_longer_than_max_wait_fails_as_rate_limited() -> None:
    clock = Clock()
    budget = _budget(clock, per_user=100, per_project=100, max_wait_s=60)
    budget.pause(600)
    with pytest.raises(GoogleError) as info:
        budget.acquire("ann")
    assert info.value.problem.cause == "rate_limited" and clock.slept == []


# -- over HTTP: the emulator refuses, the processor backs off ------------------------------------------------
class Recorder:
    def __init__(self) -> None:
        self.slept: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.slept.append(seconds)
        time.sleep(seconds)


def _two_users(world: SyncWorld) -> None:
    world.add_user("ann")
    world.add_user("bob")
    world.sync_ok()


def test_quota_refusal_backs_the_project_off_honouring_retry_after(world: SyncWorld) -> None:
    _two_users(world)
    slept = Recorder()
    budget = RequestBudget(sleep=slept)
    # ann's next events.list is refused: quotaExceeded is never retried, and Google says when to come back.
    world.emu.inject_fault("403_quota", 1, account="ann@example.com", path="/events", retry_after=1.5)
    world.emu.reset_counts()
    result = world.sync("ann", "bob", options=fast_options(workers=1, budget=budget), mode="pull")
    ann, bob = result.user("ann"), result.user("bob")
    assert ann is not None and bob is not None
    assert (ann.status, ann.cause) == ("error", "quota")
    assert bob.status == "ok"
    assert budget.backoffs == 1
    # bob's request, after ann's refusal, waited out Google's Retry-After before it went.
    assert slept.slept and sum(slept.slept) >= 1.0
    assert world.emu.request_counts("bob@example.com")["calendar"] == 1


def test_rate_refusal_is_retried_after_retry_after_and_the_pass_succeeds(world: SyncWorld) -> None:
    _two_users(world)
    budget = RequestBudget()
    world.emu.inject_fault("403_rate", 1, account="ann@example.com", path="/events", retry_after=1)
    result = world.sync("ann", "bob", options=fast_options(budget=budget), mode="pull")
    assert [u.status for u in result.users] == ["ok", "ok"], [u.one_line() for u in result.users]
    assert budget.backoffs == 1 and budget.snapshot()["project_last_minute"] == 3  # 2 lists + ann's retry


def test_the_budget_counts_what_google_counts(world: SyncWorld) -> None:
    """Every request the emulator counts against the user's quota -- each call of a batch -- was counted by
    the budget before it went: its windows (tested above) are Google's windows."""
    from tests.sync.helpers import soon

    _two_users(world)
    for i in range(30):
        world.add_appt("ann", f"Session {i}", soon(1 + i % 5, hour=8 + i % 9))
    world.emu.reset_counts()
    budget = RequestBudget()
    result = world.sync("ann", options=fast_options(budget=budget, batch_size=5), mode="push")
    assert result.users[0].status == "ok" and result.users[0].counts["pushed_created"] == 30
    assert len(world.live_events("ann")) == 30
    seen = world.emu.request_counts("ann@example.com")
    assert seen["batch"] == 6 and seen["calendar"] == 30
    assert budget.used("ann") == budget.used() == 30
