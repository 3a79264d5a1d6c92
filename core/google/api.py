"""Google service builders, retrying `execute`, and batches that retry their failed sub-calls.

One switch, `api_root`, moves every call -- batch included. `client_options={"api_endpoint": ...}`
would move ordinary calls but leave batch on https://www.googleapis.com/batch/..., so instead we load
the discovery document bundled with google-api-python-client (no network) and rewrite its `rootUrl`,
from which the library derives both the base URL and the batch URL. That document is trimmed of what
only feeds docstrings and cached once per process (`discovery_document`), so building a service and
touching a resource costs about a millisecond instead of 5-80 ms of docstring rendering.

Retrying is ours, not `execute(num_retries=)`: the library's loop has no total-time bound, ignores
Retry-After, retries 403 quota errors that won't clear until tomorrow... and batch has no retries at all.
"""

from __future__ import annotations

import functools
import json
import random
import threading
import time
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import google_auth_httplib2
import httplib2
from google.auth import exceptions as auth_exceptions
from googleapiclient import discovery, discovery_cache
from googleapiclient.errors import BatchError, HttpError
from googleapiclient.http import HttpRequest
from studiosync.core.google.budget import Budget, batch_calls, retry_after_value
from studiosync.core.google.errors import (
    QUOTA_REASONS,
    RATE_REASONS,
    QuotaExceeded,
    http_error_info,
    is_dns_failure,
    is_transport_error,
)

DEFAULT_TIMEOUT_S = 30.0
MAX_BATCH = 50  # Google's documented ceiling is 1000, but Calendar misbehaves above 50 calls per batch.
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

K = TypeVar("K", bound=Hashable)


# -- request counting ---------------------------------------------------------------------------------
class RequestCounter:
    """Thread-safe HTTP request counts per category ("calendar", "people", "batch"), for run records.

    With a `budget` (core.google.budget), every Calendar request of the services counting here first waits
    for room in `owner`'s and the project's per-minute windows, and Google's rate refusals back it off."""

    def __init__(self, *, owner: str | None = None, budget: Budget | None = None) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        self.owner = owner
        self.budget = budget

    def add(self, category: str, n: int = 1) -> None:
        with self._lock:
            self._counts[category] = self._counts.get(category, 0) + n

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    def total(self) -> int:
        with self._lock:
            return sum(self._counts.values())


class CountingAuthorizedHttp(google_auth_httplib2.AuthorizedHttp):
    """AuthorizedHttp that counts each API request it sends (token refreshes are not counted).

    Subclassing (rather than wrapping) keeps the `.credentials` attribute where googleapiclient's
    batch code looks for it to authorize each sub-request.
    """

    def __init__(self, credentials: Any, *, category: str, counter: RequestCounter, timeout: float) -> None:
        super().__init__(credentials, http=httplib2.Http(timeout=timeout))
        self.category = category
        self.counter = counter

    def request(self, uri: str, method: str = "GET", *args: Any, **kwargs: Any) -> Any:
        batch = "/batch/" in uri
        self.counter.add("batch" if batch else self.category)
        budget = self.counter.budget if self.category == "calendar" else None
        if budget is None:
            return super().request(uri, method, *args, **kwargs)
        body = kwargs.get("body", args[0] if args else None)
        budget.acquire(self.counter.owner, batch_calls(body) if batch else 1)
        resp, content = super().request(uri, method, *args, **kwargs)
        budget.observe(self.counter.owner, int(getattr(resp, "status", 0) or 0), resp, content or b"")
        return resp, content


# -- builders -----------------------------------------------------------------------------------------
def normalise_root(api_root: str) -> str:
    root = api_root.strip()
    if not root.startswith(("http://", "https://")):
        raise ValueError(f"Google API root must be an http(s) URL, got {api_root!r}")
    return root if root.endswith("/") else root + "/"


# resource path ("events", "people.connections") -> names of the methods to keep
Methods = Mapping[str, Iterable[str]]
_PAGE_TOKENS = ("pageToken", "nextPageToken")


def discovery_document(name: str, version: str, methods: Methods | None = None) -> str:
    """The bundled discovery document without what only feeds docstrings (cached per process).

    googleapiclient renders every method of a resource into a docstring when the resource is first touched:
    request and response schemas pretty-printed, every description. Nothing reads those docstrings, and
    JSON bodies are sent and parsed without the schemas, so each schema is reduced to an empty object
    (keeping only a page-token property, from which the library derives `list_next`) and descriptions
    are dropped. `methods` keeps only those methods (the sync's services: a few kilobytes to parse).
    """
    frozen = None if methods is None else tuple(sorted((k, tuple(v)) for k, v in methods.items()))
    return _trimmed_document(name, version, frozen)


@functools.lru_cache(maxsize=16)
def _trimmed_document(
    name: str, version: str, methods: tuple[tuple[str, tuple[str, ...]], ...] | None
) -> str:
    doc = json.loads(discovery_cache.get_static_doc(name, version))
    if methods is not None:
        resources: dict[str, Any] = {}
        for path, keep in methods:
            source: dict[str, Any] = doc
            target = resources
            node: dict[str, Any] = {}
            parts = path.split(".")
            for i, part in enumerate(parts):
                source = source["resources"][part]
                node = target.setdefault(part, {})
                if i < len(parts) - 1:
                    target = node.setdefault("resources", {})
            node["methods"] = {m: source["methods"][m] for m in keep}
        doc["resources"] = resources
        doc.pop("methods", None)
    schemas: dict[str, Any] = {}
    for key, schema in (doc.get("schemas") or {}).items():
        slim: dict[str, Any] = {"id": key, "type": "object"}
        tokens = {p: {"type": "string"} for p in _PAGE_TOKENS if p in (schema.get("properties") or {})}
        if tokens:
            slim["properties"] = tokens
        schemas[key] = slim
    doc["schemas"] = schemas
    for part in ("resources", "methods", "parameters"):
        _drop_descriptions(doc.get(part) or {})
    return json.dumps(doc)


def _drop_descriptions(node: Any) -> None:
    if isinstance(node, dict):
        for key in ("description", "enumDescriptions"):
            if isinstance(node.get(key), (str, list)):  # a parameter *named* description is a dict: kept
                del node[key]
        for value in node.values():
            _drop_descriptions(value)
    elif isinstance(node, list):
        for value in node:
            _drop_descriptions(value)


def build_service(
    name: str,
    version: str,
    credentials: Any,
    api_root: str | None = None,
    *,
    category: str,
    counter: RequestCounter | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
    methods: Methods | None = None,
) -> Any:
    """A service from the trimmed bundled document, on the chosen root, counting its requests."""
    doc = json.loads(discovery_document(name, version, methods))  # a fresh dict: the library changes it
    if api_root is not None:
        root = normalise_root(api_root)
        # rootUrl feeds both the base URL (rootUrl + servicePath) and the batch URL (rootUrl + batchPath);
        # mtlsRootUrl too, in case GOOGLE_API_USE_MTLS_ENDPOINT=always is set in the environment.
        doc["rootUrl"] = root
        doc["mtlsRootUrl"] = root
        doc["baseUrl"] = root + doc.get("servicePath", "")
    http = CountingAuthorizedHttp(
        credentials, category=category, counter=counter or RequestCounter(), timeout=timeout
    )
    return discovery.build_from_document(doc, http=http)


def build_calendar(
    credentials: Any,
    api_root: str | None = None,
    *,
    counter: RequestCounter | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
) -> Any:
    """Calendar v3 service. api_root None = real Google; else e.g. the emulator's "http://127.0.0.1:PORT"."""
    return build_service(
        "calendar", "v3", credentials, api_root, category="calendar", counter=counter, timeout=timeout
    )


def build_people(
    credentials: Any,
    api_root: str | None = None,
    *,
    counter: RequestCounter | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
) -> Any:
    """People v1 service (contacts import), same root switch as build_calendar."""
    return build_service(
        "people", "v1", credentials, api_root, category="people", counter=counter, timeout=timeout
    )


def request_counter(service: Any) -> RequestCounter:
    """The RequestCounter a service built here counts into."""
    return service._http.counter


# -- retry policy -------------------------------------------------------------------------------------
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
class _Retry:
    kind: str  # "429", "403-rate", "5xx", "transport", "dns"
    retry_after: float | None = None


def retry_decision(exc: BaseException) -> _Retry | None:
    """Whether an error is worth retrying, and how. Raises QuotaExceeded for quota errors (never retried)."""
    if isinstance(exc, HttpError):
        info = http_error_info(exc)
        if info.status in (403, 429) and info.reasons & QUOTA_REASONS:
            raise QuotaExceeded(exc) from exc
        after = retry_after_seconds(exc.resp)
        if info.status == 429:
            return _Retry("429", after)
        if info.status == 403 and info.reasons & RATE_REASONS:
            return _Retry("403-rate", after)
        if info.status in _RETRY_STATUSES:
            return _Retry(str(info.status), after)
        return None
    if isinstance(exc, auth_exceptions.RefreshError):
        return None  # invalid_grant & co: retrying cannot help; google-auth already retried 5xx itself
    if is_dns_failure(exc):
        return _Retry("dns")
    if is_transport_error(exc):
        return _Retry("transport")
    return None


def retry_after_seconds(resp: Mapping[str, Any] | None) -> float | None:
    """Retry-After as seconds (delta-seconds or HTTP-date), None when absent or unreadable."""
    if not resp:
        return None
    return retry_after_value(resp.get("retry-after") or resp.get("Retry-After"))


class _Budget:
    """Tracks attempts and elapsed time of one retried operation; decides the next delay or gives up."""

    def __init__(self, policy: RetryPolicy) -> None:
        self.policy = policy
        self.start = policy.clock()
        self.dns_failures = 0

    def delay_for(self, decision: _Retry, retry_number: int, attempts: int) -> float | None:
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
    budget = _Budget(policy)
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


# -- batches ------------------------------------------------------------------------------------------
@dataclass
class BatchStats:
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
        budget: _Budget | None = None  # starts at the first failure: only retrying is time-bounded
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
                budget = budget or _Budget(self.policy)
                # One pause for the whole round: the largest Retry-After asked for, else backoff.
                decision = _Retry("sub", max(waits) if waits else None)
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
        budget = _Budget(self.policy)
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
                decision: _Retry | None = _Retry("5xx")
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
