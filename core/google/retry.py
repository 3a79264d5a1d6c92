"""Retrying one Google API request (`execute`) under a `RetryPolicy`: exponential backoff with full
jitter, bounded in attempts AND total time, honouring Retry-After.

Retrying is ours, not `execute(num_retries=)`: the library's loop has no total-time bound, ignores
Retry-After, retries 403 quota errors that won't clear until tomorrow... and batch has no retries at all
(core.google.batch reuses `retry_decision` and `Budget` from here).

Must never retry a quota error (QuotaExceeded), a dead grant (RefreshError) or a request Google refused
for good (4xx other than 429 / 403 rate limits).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from google.auth import exceptions as auth_exceptions
from googleapiclient.errors import HttpError
from googleapiclient.http import HttpRequest
from studiosync.core.google.budget import retry_after_value
from studiosync.core.google.errors import (
    QUOTA_REASONS,
    RATE_REASONS,
    QuotaExceeded,
    http_error_info,
    is_dns_failure,
    is_transport_error,
)

_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter, bounded in attempts AND total time.

    `sleep`, `clock` and `rand` are injectable so tests run in microseconds.
    """

    max_attempts: int = 5
    max_total_s: float = 60.0
    base_delay_s: float = 1.0
    max_delay_s: float = 32.0
    # DNS failure almost always means "this computer is offline": one quick second try, no long wait.
    dns_max_attempts: int = 2
    dns_delay_s: float = 1.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    rand: Callable[[], float] = random.random

    def backoff(self, retry_number: int) -> float:
        """Full jitter: uniform in [0, min(cap, base * 2**n)] -- spreads out clients hitting one limit."""
        return self.rand() * min(self.max_delay_s, self.base_delay_s * (2**retry_number))


DEFAULT_POLICY = RetryPolicy()


def quick_policy(timeout: float) -> RetryPolicy:
    """For probes that report rather than wait out outages (the doctor): one retry at most, within `timeout`."""
    return RetryPolicy(
        max_attempts=2, max_total_s=timeout, base_delay_s=0.2, max_delay_s=1.0, dns_max_attempts=1
    )


@dataclass
class CallStats:
    """What one `execute` did: observable by callers (and asserted by tests) even when it raised."""

    attempts: int = 0
    retries: int = 0
    slept_s: float = 0.0
    reasons: list[str] = field(default_factory=list)  # why each retry happened, e.g. "429", "transport"


@dataclass(frozen=True)
class Retry:
    """A failure worth retrying: its kind, and the wait Google asked for (Retry-After seconds), if any."""

    kind: str  # "429", "403-rate", "5xx", "transport", "dns"
    retry_after: float | None = None


def retry_decision(exc: BaseException) -> Retry | None:
    """Whether an error is worth retrying, and how. Raises QuotaExceeded for quota errors (never retried)."""
    if isinstance(exc, HttpError):
        info = http_error_info(exc)
        if info.status in (403, 429) and info.reasons & QUOTA_REASONS:
            raise QuotaExceeded(exc) from exc
        after = retry_after_seconds(exc.resp)
        if info.status == 429:
            return Retry("429", after)
        if info.status == 403 and info.reasons & RATE_REASONS:
            return Retry("403-rate", after)
        if info.status in _RETRY_STATUSES:
            return Retry(str(info.status), after)
        return None
    if isinstance(exc, auth_exceptions.RefreshError):
        return None  # invalid_grant & co: retrying cannot help; google-auth already retried 5xx itself
    if is_dns_failure(exc):
        return Retry("dns")
    if is_transport_error(exc):
        return Retry("transport")
    return None


def retry_after_seconds(resp: Mapping[str, Any] | None) -> float | None:
    """Retry-After as seconds (delta-seconds or HTTP-date), None when absent or unreadable."""
    if not resp:
        return None
    return retry_after_value(resp.get("retry-after") or resp.get("Retry-After"))


class Budget:
    """Tracks attempts and elapsed time of one retried operation; decides the next delay or gives up."""

    def __init__(self, policy: RetryPolicy) -> None:
        self.policy = policy
        self.start = policy.clock()
        self.dns_failures = 0

    def delay_for(self, decision: Retry, retry_number: int, attempts: int) -> float | None:
        p = self.policy
        if decision.kind == "dns":
            self.dns_failures += 1
            if self.dns_failures >= p.dns_max_attempts:
                return None
            delay = p.dns_delay_s
        elif decision.retry_after is not None:
            delay = decision.retry_after  # the server said when; honour it exactly
        else:
            delay = p.backoff(retry_number)
        if attempts >= p.max_attempts:
            return None
        if (p.clock() - self.start) + delay > p.max_total_s:
            return None  # waiting would blow the time budget: fail now rather than later
        return delay


def execute(
    request: HttpRequest, *, policy: RetryPolicy = DEFAULT_POLICY, stats: CallStats | None = None
) -> Any:
    """Run one API request with our retry rules; returns the decoded response or raises the last error.

    Raises QuotaExceeded (never retried), HttpError for other non-retryable or exhausted errors,
    RefreshError for a dead grant, transport errors when the network never came back.
    """
    stats = stats if stats is not None else CallStats()
    budget = Budget(policy)
    while True:
        stats.attempts += 1
        try:
            return request.execute(num_retries=0)
        except Exception as exc:
            decision = retry_decision(exc)  # may raise QuotaExceeded
            if decision is None:
                raise
            delay = budget.delay_for(decision, stats.retries, stats.attempts)
            if delay is None:
                raise
            stats.retries += 1
            stats.reasons.append(decision.kind)
            stats.slept_s += delay
            policy.sleep(delay)
