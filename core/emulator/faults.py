"""Injected failures: Google's throttling/quota/server errors, dropped connections, latency, short pages.

A fault fires for its next `count` matching requests, or for every matching request during `seconds_active`
seconds (a time span: "quota exhausted for the next 90 s"), or both (whichever ends first). Matching:
optional account (the token's owner), optional project (the OAuth client the token was minted for),
optional path substring, optional HTTP method, and where it applies: top-level requests (default),
sub-calls inside batches, or both. OAuth endpoints are only hit by faults whose `path` names them, so a
plain "429 everything" fault does not break token refreshes by accident.

Error bodies are those of Calendar's errors page (developers.google.com/calendar/api/guides/errors):
403 usageLimits userRateLimitExceeded "User Rate Limit Exceeded", 403 usageLimits rateLimitExceeded "Rate
Limit Exceeded", 403 usageLimits quotaExceeded "Calendar usage limits exceeded.", 429 usageLimits
rateLimitExceeded "Rate Limit Exceeded", 500 backendError "Backend Error" — `{"error": {"errors": [...],
"code", "message"}}`, no other keys. `retry_after` adds a Retry-After header. A "short_page" fault makes
the next events.list pages hold at most `items` items while more remain (Google: a page "may be less
than this value, or none at all, even if there are more events", events.list maxResults). Must never
import anything outside the emulator package.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from dataclasses import asdict, dataclass

from .errors import ApiError

# kind -> (HTTP code, domain, reason, message)
_ERRORS: dict[str, tuple[int, str, str, str]] = {
    "400": (400, "global", "badRequest", "Bad Request"),  # a permanent refusal of one request
    "429": (429, "usageLimits", "rateLimitExceeded", "Rate Limit Exceeded"),
    "403_rate": (403, "usageLimits", "rateLimitExceeded", "Rate Limit Exceeded"),
    "403_user_rate": (403, "usageLimits", "userRateLimitExceeded", "User Rate Limit Exceeded"),
    "403_quota": (403, "usageLimits", "quotaExceeded", "Calendar usage limits exceeded."),
    "500": (500, "global", "backendError", "Backend Error"),
    "503": (503, "global", "backendError", "The service is currently unavailable."),
}
ALIASES = {
    "rateLimitExceeded": "403_rate",
    "userRateLimitExceeded": "403_user_rate",
    "quotaExceeded": "403_quota",
    "dailyLimitExceeded": "403_quota",
    "backendError": "500",
    "unavailable": "503",
    "timeout": "drop",
    "delay": "latency",
    "shortPage": "short_page",
}
KINDS = (*_ERRORS, "drop", "latency", "short_page")
OAUTH_PREFIXES = ("/o/oauth2", "/token", "/revoke")
_EVENTS_LIST = re.compile(r"^/calendar/v3/calendars/[^/]+/events(/[^/]+/instances)?/?$")
UNLIMITED = 10**9


def quota_error(kind: str, retry_after: float | None = None, reason: str | None = None) -> ApiError:
    """The documented body of one of the usage-limit/server errors, with an optional Retry-After."""
    code, domain, why, message = _ERRORS[kind]
    headers = {}
    if retry_after is not None:
        ra = float(retry_after)
        headers["Retry-After"] = str(int(ra)) if ra.is_integer() else str(ra)
    return ApiError(code, reason or why, message, domain=domain, headers=headers, status="")


@dataclass
class Fault:
    """One injected failure (`FaultBook.add`): its kind, the requests it hits and how long it lasts
    (`remaining` requests, or until `until`). A latency fault waits `seconds`; a short_page fault caps pages
    at `items`."""

    id: int
    kind: str
    remaining: int
    retry_after: float | None = None
    seconds: float = 0.0
    account: str | None = None
    project: str | None = None
    path: str | None = None
    method: str | None = None
    in_batch: bool | None = False  # False: top-level requests; True: batch sub-calls; None: both
    reason: str | None = None
    items: int = 0
    until: float | None = None  # time.monotonic() after which the fault is over

    def live(self, now: float) -> bool:
        return self.remaining > 0 and (self.until is None or now < self.until)

    def matches(
        self, account: str | None, project: str | None, path: str, method: str, in_batch: bool
    ) -> bool:
        if self.in_batch is not None and self.in_batch != in_batch:
            return False
        if self.account is not None and (account or "").lower() != self.account.lower():
            return False
        if self.project is not None and (project or "") != self.project:
            return False
        if self.method is not None and self.method.upper() != method.upper():
            return False
        if self.kind == "short_page" and not (method.upper() == "GET" and _EVENTS_LIST.match(path)):
            return False
        if self.path is None:
            return not path.startswith(OAUTH_PREFIXES)
        return self.path in path

    def error(self) -> ApiError:
        return quota_error(self.kind, self.retry_after, self.reason)

    def describe(self) -> dict[str, object]:
        out = asdict(self)
        out["remaining"] = None if self.remaining > UNLIMITED // 2 else self.remaining
        out["seconds_left"] = (
            None if self.until is None else max(0.0, round(self.until - time.monotonic(), 3))
        )
        out.pop("until")
        return out


@dataclass
class Hit:
    """What the faults matching one request do to it."""

    delay: float = 0.0
    error: Fault | None = None
    page_cap: int | None = None


def normalize_kind(kind: str | int) -> str:
    name = str(kind).replace("-", "_")  # "403-rate" reads as naturally as "403_rate"
    name = ALIASES.get(name, name)
    if name not in KINDS:
        raise ValueError(f"unknown fault kind {kind!r}; expected one of {', '.join(KINDS)}")
    return name


class FaultBook:
    def __init__(self, lock: threading.RLock | None = None) -> None:
        # Shares the emulator state's lock when given one: one lock guards everything.
        self._lock = lock or threading.RLock()
        self._ids = itertools.count(1)
        self._faults: list[Fault] = []

    def add(
        self,
        kind: str | int,
        count: int | None = 1,
        *,
        retry_after: float | None = None,
        seconds: float | None = None,
        seconds_active: float | None = None,
        account: str | None = None,
        project: str | None = None,
        path: str | None = None,
        method: str | None = None,
        in_batch: bool | None = False,
        reason: str | None = None,
        items: int = 0,
    ) -> Fault:
        name = normalize_kind(kind)
        if count is None and seconds_active is None:
            raise ValueError("a fault needs a count, a time span (seconds_active), or both")
        if count is not None and count < 1:
            raise ValueError("count must be >= 1")
        if seconds_active is not None and seconds_active <= 0:
            raise ValueError("seconds_active must be > 0")
        if name == "latency" and (seconds is None or seconds < 0):
            raise ValueError("a latency fault needs seconds >= 0")
        if name == "short_page" and items < 0:
            raise ValueError("a short_page fault needs items >= 0")
        fault = Fault(
            next(self._ids),
            name,
            UNLIMITED if count is None else int(count),
            retry_after=retry_after,
            seconds=float(seconds or 0.0),
            account=account,
            project=project,
            path=path,
            method=method,
            in_batch=in_batch,
            reason=reason,
            items=int(items),
            until=None if seconds_active is None else time.monotonic() + float(seconds_active),
        )
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, account: str | None, project: str | None, path: str, method: str, in_batch: bool) -> Hit:
        """Consume what applies to this request: total latency, the first error/drop, a page cap."""
        hit = Hit()
        now = time.monotonic()
        with self._lock:
            for fault in self._faults:
                if not fault.live(now) or not fault.matches(account, project, path, method, in_batch):
                    continue
                if fault.kind == "latency":
                    fault.remaining -= 1
                    hit.delay += fault.seconds
                elif fault.kind == "short_page":
                    if hit.page_cap is None:
                        fault.remaining -= 1
                        hit.page_cap = fault.items
                elif hit.error is None:
                    fault.remaining -= 1
                    hit.error = fault
            self._faults = [f for f in self._faults if f.live(now)]
        return hit

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def pending(self) -> list[Fault]:
        now = time.monotonic()
        with self._lock:
            return [f for f in self._faults if f.live(now)]
