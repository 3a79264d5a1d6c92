"""Batches: many calls through batch requests of <= 50 (`BatchRunner`, `run_batch`), retrying the failed
sub-calls and the failed batch requests with the same rules as single calls (core.google.retry).

Must never retry a call Google refused for good (its exception is returned for the caller to decide), and
never re-send a call that already has an answer.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from google.auth import exceptions as auth_exceptions
from googleapiclient.errors import BatchError
from googleapiclient.http import HttpRequest
from studiosync.core.google.errors import QuotaExceeded
from studiosync.core.google.retry import DEFAULT_POLICY, Budget, Retry, RetryPolicy, retry_decision

MAX_BATCH = 50  # Google's documented ceiling is 1000, but Calendar misbehaves above 50 calls per batch.

K = TypeVar("K", bound=Hashable)


@dataclass
class BatchStats:
    """What a BatchRunner's calls have cost so far: calls, HTTP requests, rounds, retries and time slept."""

    calls: int = 0  # distinct calls submitted
    http_requests: int = 0  # batch HTTP requests sent (outer retries included)
    rounds: int = 0  # passes over the pending calls (1 = nothing needed a retry)
    sub_retries: int = 0  # individual calls re-sent because their own response was retryable
    outer_retries: int = 0  # whole chunks re-sent because the batch request itself failed
    slept_s: float = 0.0


class BatchRunner:
    """Run many calls through batch requests of <= 50, retrying what is worth retrying.

    - sub-calls failing with a retryable error (429, 403 rate, 5xx) are collected and re-sent on their own
      in the next round, after a backoff (the largest Retry-After among them, if any);
    - a failed batch HTTP request (5xx, 429, dropped connection) re-sends the calls of that chunk that got
      no answer, with backoff, inside the same round;
    - everything else (409 duplicate, 404, 412, 400...) is returned as the exception for the caller;
      quota errors are returned as QuotaExceeded.
    RefreshError (dead grant) propagates: no call of this user can succeed.
    """

    def __init__(
        self, service: Any, *, policy: RetryPolicy = DEFAULT_POLICY, chunk_size: int = MAX_BATCH
    ) -> None:
        if not 1 <= chunk_size <= MAX_BATCH:
            raise ValueError(f"chunk_size must be between 1 and {MAX_BATCH}")
        self.service = service
        self.policy = policy
        self.chunk_size = chunk_size
        self.stats = BatchStats()

    def run(self, calls: Iterable[tuple[K, HttpRequest]]) -> dict[K, Any]:
        """{key: response dict | Exception} for every (key, request) given. Keys must be unique."""
        pending: dict[K, HttpRequest] = {}
        for key, req in calls:
            if key in pending:
                raise ValueError(f"duplicate batch key {key!r}")
            pending[key] = req
        self.stats.calls += len(pending)
        results: dict[K, Any] = {}
        attempts: dict[K, int] = dict.fromkeys(pending, 0)
        budget: Budget | None = None  # starts at the first failure: only retrying is time-bounded
        round_number = 0
        while pending:
            self.stats.rounds += 1
            round_number += 1
            retry: dict[K, HttpRequest] = {}
            waits: list[float] = []
            keys = list(pending)
            for i in range(0, len(keys), self.chunk_size):
                chunk = keys[i : i + self.chunk_size]
                for key in chunk:
                    attempts[key] += 1
                for key, (response, exc, final) in self._send_chunk(chunk, pending).items():
                    if exc is None:
                        results[key] = response
                        continue
                    results[key] = exc  # provisional: replaced if a retry succeeds
                    if final or attempts[key] >= self.policy.max_attempts:
                        continue
                    try:
                        decision = retry_decision(exc)
                    except QuotaExceeded as quota:
                        results[key] = quota
                        continue
                    if decision is not None and decision.kind != "dns":
                        retry[key] = pending[key]
                        if decision.retry_after is not None:
                            waits.append(decision.retry_after)
            if retry:
                budget = budget or Budget(self.policy)
                # One pause for the whole round: the largest Retry-After asked for, else backoff.
                decision = Retry("sub", max(waits) if waits else None)
                delay = budget.delay_for(decision, round_number - 1, 0)
                if delay is None:
                    break  # out of time: the provisional errors stand
                self.stats.sub_retries += len(retry)
                self.stats.slept_s += delay
                self.policy.sleep(delay)
            pending = retry
        return results

    def _send_chunk(
        self, chunk: list[K], requests: Mapping[K, HttpRequest]
    ) -> dict[K, tuple[Any, BaseException | None, bool]]:
        """Send one chunk as a batch, retrying the batch request itself while it fails transiently.

        Returns {key: (response, exception, final)}; final = the batch request itself failed for good,
        so the round loop must not retry those calls again.
        """
        outcomes: dict[K, tuple[Any, BaseException | None, bool]] = {}
        ids = {str(n): key for n, key in enumerate(chunk)}
        budget = Budget(self.policy)
        tries = 0

        def callback(request_id: str, response: Any, exception: BaseException | None) -> None:
            outcomes[ids[request_id]] = (response, exception, False)

        while True:
            missing = [rid for rid, key in ids.items() if key not in outcomes]
            if not missing:
                return outcomes
            batch = self.service.new_batch_http_request(callback=callback)
            for rid in missing:
                batch.add(requests[ids[rid]], request_id=rid)
            tries += 1
            self.stats.http_requests += 1
            try:
                batch.execute()
                continue
            except auth_exceptions.RefreshError:
                raise
            except (BatchError, KeyError) as exc:
                # An unparseable reply (a proxy's HTML page) or one missing a part: Google may have run
                # some calls, so a re-sent insert can come back 409 -- the caller treats that as done.
                err: BaseException = exc
                decision: Retry | None = Retry("5xx")
            except Exception as exc:
                err = exc
                try:
                    decision = retry_decision(exc)
                except QuotaExceeded as quota:
                    err, decision = quota, None
            delay = budget.delay_for(decision, tries - 1, tries) if decision else None
            if delay is None:
                for rid in missing:
                    outcomes.setdefault(ids[rid], (None, err, True))
                return outcomes
            self.stats.outer_retries += 1
            self.stats.slept_s += delay
            self.policy.sleep(delay)


def run_batch(
    service: Any,
    calls: Iterable[tuple[K, HttpRequest]],
    policy: RetryPolicy = DEFAULT_POLICY,
    *,
    chunk_size: int = MAX_BATCH,
) -> tuple[dict[K, Any], BatchStats]:
    """Convenience: BatchRunner(service, policy=policy).run(calls) plus its stats."""
    runner = BatchRunner(service, policy=policy, chunk_size=chunk_size)
    return runner.run(calls), runner.stats
