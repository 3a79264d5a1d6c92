"""execute(): which errors are retried, how long we wait, and the bounds -- with a scripted http."""

from __future__ import annotations

import http.client

import httplib2
import pytest
from googleapiclient.errors import HttpError
from studiosync.core.google.api import CallStats, execute, retry_after_seconds
from studiosync.core.google.errors import QuotaExceeded

from tests.google.helpers import OK, FakeTime, err, scripted_request


@pytest.mark.parametrize(
    "failure",
    [
        err(429, "rateLimitExceeded"),
        err(403, "rateLimitExceeded"),
        err(403, "userRateLimitExceeded"),
        err(500, "backendError"),
        err(502),
        err(503),
        err(504),
        ConnectionRefusedError(111, "refused"),
        ConnectionResetError(104, "reset"),
        BrokenPipeError(32, "pipe"),
        TimeoutError("timed out"),
        http.client.RemoteDisconnected("closed"),
        http.client.IncompleteRead(b"x", 5),
    ],
    ids=lambda f: f[0] if isinstance(f, tuple) else type(f).__name__,
)
def test_retryable_failures_are_retried_until_success(failure: object) -> None:
    t = FakeTime()
    req, http = scripted_request([failure, failure, OK])
    stats = CallStats()
    assert execute(req, policy=t.policy(), stats=stats) == {"ok": True}
    assert stats.attempts == 3 == http.calls
    assert stats.retries == 2
    assert t.sleeps == [0.5, 1.0]  # full jitter upper bounds (rand=1): base * 2**n


def test_full_jitter_draws_between_zero_and_the_cap() -> None:
    t = FakeTime()
    req, _ = scripted_request([err(503)] * 4 + [OK])
    execute(req, policy=t.policy(rand=lambda: 0.25, base_delay_s=1.0, max_delay_s=3.0))
    assert t.sleeps == [0.25, 0.5, 0.75, 0.75]  # 0.25 * min(3, 1, 2, 4, 8)


def test_retry_after_is_honoured() -> None:
    t = FakeTime()
    req, _ = scripted_request([err(429, "rateLimitExceeded", {"retry-after": "7"}), OK])
    stats = CallStats()
    execute(req, policy=t.policy(), stats=stats)
    assert t.sleeps == [7.0]
    assert stats.reasons == ["429"]


def test_retry_after_http_date() -> None:
    assert retry_after_seconds({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0
    assert retry_after_seconds({"retry-after": "12"}) == 12.0
    assert retry_after_seconds({"retry-after": "soon"}) is None
    assert retry_after_seconds({}) is None


def test_quota_is_not_retried() -> None:
    t = FakeTime()
    req, http = scripted_request([err(403, "quotaExceeded"), OK])
    stats = CallStats()
    with pytest.raises(QuotaExceeded) as info:
        execute(req, policy=t.policy(), stats=stats)
    assert http.calls == 1 and stats.attempts == 1 and t.sleeps == []
    assert info.value.problem.cause == "quota"
    assert isinstance(info.value.http_error, HttpError)


def test_daily_limit_is_quota_too() -> None:
    req, _ = scripted_request([err(403, "dailyLimitExceeded")])
    with pytest.raises(QuotaExceeded):
        execute(req, policy=FakeTime().policy())


@pytest.mark.parametrize(
    "status,reason",
    [
        (400, "invalid"),
        (404, "notFound"),
        (409, "duplicate"),
        (412, "conditionNotMet"),
        (403, "forbidden"),
        (410, "fullSyncRequired"),
    ],
)
def test_non_retryable_errors_raise_at_once(status: int, reason: str) -> None:
    t = FakeTime()
    req, http = scripted_request([err(status, reason), OK])
    with pytest.raises(HttpError) as info:
        execute(req, policy=t.policy())
    assert info.value.resp.status == status
    assert http.calls == 1 and t.sleeps == []


def test_bounded_attempts_then_the_last_error() -> None:
    t = FakeTime()
    req, http = scripted_request([err(503)] * 10)
    stats = CallStats()
    with pytest.raises(HttpError) as info:
        execute(req, policy=t.policy(max_attempts=4), stats=stats)
    assert info.value.resp.status == 503
    assert stats.attempts == 4 == http.calls
    assert stats.retries == 3


def test_bounded_total_time() -> None:
    t = FakeTime()
    req, http = scripted_request([err(503)] * 10)
    stats = CallStats()
    with pytest.raises(HttpError):
        execute(req, policy=t.policy(max_attempts=10, base_delay_s=4.0, max_total_s=10.0), stats=stats)
    # waits 4 (t=4), 8 would reach 12 > 10: give up rather than sleep past the budget
    assert t.sleeps == [4.0]
    assert stats.attempts == 2


def test_retry_after_beyond_the_budget_fails_now() -> None:
    t = FakeTime()
    req, http = scripted_request([err(429, "rateLimitExceeded", {"retry-after": "3600"}), OK])
    with pytest.raises(HttpError):
        execute(req, policy=t.policy())
    assert http.calls == 1 and t.sleeps == []


def test_dns_failure_is_retried_once_briefly() -> None:
    t = FakeTime()
    dns = httplib2.ServerNotFoundError("Unable to find the server at www.googleapis.com")
    req, http = scripted_request([dns, dns, dns, OK])
    stats = CallStats()
    with pytest.raises(httplib2.ServerNotFoundError):
        execute(req, policy=t.policy(dns_delay_s=0.2), stats=stats)
    assert stats.attempts == 2 and t.sleeps == [0.2]


def test_unknown_exceptions_propagate_untouched() -> None:
    req, http = scripted_request([KeyError("x")])
    with pytest.raises(KeyError):
        execute(req, policy=FakeTime().policy())
    assert http.calls == 1
