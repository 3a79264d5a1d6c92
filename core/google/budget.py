"""The studio's Calendar request budget: per-user and per-project sliding windows, and the project's back-off.

Google counts Calendar API requests per minute, in a sliding window, per project (default 10,000) and per
user per project (default 600) -- every sub-call of a batch counts as one (developers.google.com/workspace/
calendar/api/guides/quota). Company prefs > Google can lower or raise both (`studiosync prefs google
--per-user-per-minute N --per-project-per-minute N`). Every Calendar request of this process passes
`acquire()` first (core.google.api's counting http does it), which waits until it fits both windows: the
processor never sends more than the budget allows.

When Google answers 403/429 `rateLimitExceeded` or `quotaExceeded` anyway (another program on the same
project, a lower quota than configured), `observe()` backs the WHOLE project off: no request leaves this
process until the Retry-After Google sent has passed (else the retry policy's first delay -- 1 s --
doubling while refusals repeat, up to its longest). `userRateLimitExceeded` backs off that one user. A request that would have to wait longer than
`max_wait_s` fails at once as "rate_limited" (a transient cause: the run records it, the next run retries).

Process-wide (`shared()`): the one process that runs the google-sync job on its computer sends nearly all
of the studio's requests. Thread-safe; `clock`/`sleep` are injectable so tests run without waiting. This
module never makes a request itself and never reads the store.
"""

from __future__ import annotations

import collections
import email.utils
import json
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from studiosync.core import clock as the_clock
from studiosync.core.google.errors import GoogleError, problem

WINDOW_S = 60.0
DEFAULT_PER_USER = 600  # Google's documented default: per minute per user per project
DEFAULT_PER_PROJECT = 10_000  # ... and per minute per project
FIRST_BACKOFF_S = 1.0  # core.google.api.RetryPolicy's base delay and cap (configure() takes the run's)
MAX_BACKOFF_S = 32.0
MAX_WAIT_S = 60.0
PROJECT_REASONS = frozenset({"rateLimitExceeded", "quotaExceeded"})
USER_REASONS = frozenset({"userRateLimitExceeded"})
_REASON_RE = re.compile(rb'"reason"\s*:\s*"(\w+)"')
_STATUS_RE = re.compile(rb"^HTTP/1\.[01] (\d{3})", re.MULTILINE)
_RETRY_AFTER_RE = re.compile(rb"^retry-after:[ \t]*([^\r\n]+)", re.MULTILINE | re.IGNORECASE)


@dataclass(frozen=True)
class Limits:
    """The Calendar request budget: requests per minute per user, and per project (Google's default quotas
    unless Company prefs > Google says otherwise)."""

    per_user: int = DEFAULT_PER_USER
    per_project: int = DEFAULT_PER_PROJECT


class RequestBudget:
    def __init__(
        self,
        limits: Limits | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        max_wait_s: float = MAX_WAIT_S,
    ) -> None:
        self.limits = limits or Limits()
        self.max_wait_s = max_wait_s
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._project: collections.deque[tuple[float, int]] = collections.deque()
        self._users: dict[str, collections.deque[tuple[float, int]]] = {}
        self._paused_until = 0.0  # the project's back-off (monotonic)
        self._user_paused: dict[str, float] = {}
        self._strikes = 0  # project back-offs in a row, for the doubling delay
        self.first_backoff_s = FIRST_BACKOFF_S
        self.max_backoff_s = MAX_BACKOFF_S
        self.backoffs = 0  # project back-offs so far (the doctor and tests read it)
        self.waited_s = 0.0  # total time requests waited for the budget or a back-off

    # -- settings ----------------------------------------------------------------------------------
    def configure(
        self,
        per_user: int | None,
        per_project: int | None,
        *,
        first_backoff_s: float | None = None,
        max_backoff_s: float | None = None,
    ) -> None:
        """Take the Company prefs' numbers (None: Google's defaults) and the run's retry delays."""
        self.limits = Limits(per_user or DEFAULT_PER_USER, per_project or DEFAULT_PER_PROJECT)
        if first_backoff_s is not None:
            self.first_backoff_s = first_backoff_s
        if max_backoff_s is not None:
            self.max_backoff_s = max_backoff_s

    # -- before each request -----------------------------------------------------------------------
    def acquire(self, user: str | None, cost: int = 1) -> None:
        """Wait until `cost` more requests of `user` fit both windows and no back-off holds them; then
        count them. Raises GoogleError("rate_limited") when that would take longer than max_wait_s."""
        key = user or ""
        started = self._clock()
        while True:
            with self._lock:
                now = self._clock()
                wait = self._wait_for(key, cost, now)
                if wait <= 0:
                    self._project.append((now, cost))
                    self._users.setdefault(key, collections.deque()).append((now, cost))
                    return
                if now - started + wait > self.max_wait_s:
                    raise GoogleError(
                        problem(
                            "rate_limited",
                            f"the studio's Calendar request budget is used up for the next {wait:.0f} s",
                        )
                    )
                self.waited_s += wait
            self._sleep(wait)

    def _wait_for(self, key: str, cost: int, now: float) -> float:
        """Seconds until the request may go (<= 0: now). Called under the lock."""
        paused = max(self._paused_until, self._user_paused.get(key, 0.0)) - now
        if paused > 0:
            return paused
        user = self._users.setdefault(key, collections.deque())
        waits = [
            _window_wait(self._project, self.limits.per_project, cost, now),
            _window_wait(user, self.limits.per_user, cost, now),
        ]
        return max(waits)

    # -- after each response -----------------------------------------------------------------------
    def observe(self, user: str | None, status: int, headers: Mapping[str, Any], content: bytes) -> None:
        """Look at a Calendar answer (a batch's parts too) for Google's rate and quota refusals."""
        reasons, retry_after = limited(status, headers, content)
        if reasons & PROJECT_REASONS:
            self.pause(retry_after)
        elif reasons & USER_REASONS:
            self.pause(retry_after, user=user or "")
        elif status < 400:
            with self._lock:
                self._strikes = 0

    def pause(self, retry_after: float | None, *, user: str | None = None) -> float:
        """Back off the project (or one user) for Retry-After, else a doubling delay; returns it."""
        with self._lock:
            if retry_after is None:
                delay = min(self.max_backoff_s, self.first_backoff_s * (2**self._strikes))
            else:
                delay = retry_after
            until = self._clock() + delay
            if user is None:
                self._strikes += 1
                self.backoffs += 1
                self._paused_until = max(self._paused_until, until)
            else:
                self._user_paused[user] = max(self._user_paused.get(user, 0.0), until)
        return delay

    # -- what the live sync and the doctor read ------------------------------------------------------
    def paused_for(self) -> float:
        """Seconds left in the project's back-off (0: none)."""
        with self._lock:
            return max(0.0, self._paused_until - self._clock())

    def used(self, user: str | None = None) -> int:
        """Requests in the last minute: the project's, or one user's."""
        with self._lock:
            now = self._clock()
            window = self._project if user is None else self._users.get(user, collections.deque())
            _expire(window, now)
            return sum(cost for _, cost in window)

    def share_used(self) -> float:
        """The project window's use as a share of its budget (0.0 - 1.0+)."""
        return self.used() / max(1, self.limits.per_project)

    def snapshot(self) -> dict[str, Any]:
        """Plain data for the live state file (core.sync.live_state): the doctor shows it."""
        with self._lock:
            now = self._clock()
            _expire(self._project, now)
            users = {}
            for key, window in self._users.items():
                _expire(window, now)
                if window:
                    users[key] = sum(cost for _, cost in window)
            return {
                "project_last_minute": sum(cost for _, cost in self._project),
                "users_last_minute": users,
                "per_user_per_minute": self.limits.per_user,
                "per_project_per_minute": self.limits.per_project,
                "backoffs": self.backoffs,
                "paused_for_s": round(max(0.0, self._paused_until - now), 1),
            }


def _expire(window: collections.deque[tuple[float, int]], now: float) -> None:
    while window and window[0][0] <= now - WINDOW_S:
        window.popleft()


def _window_wait(window: collections.deque[tuple[float, int]], limit: int, cost: int, now: float) -> float:
    """Seconds until `cost` more fit in a sliding minute holding at most `limit` (one request bigger than the
    whole budget goes alone into an empty window, rather than never)."""
    _expire(window, now)
    used = sum(c for _, c in window)
    if used + cost <= limit or not window:
        return 0.0
    freed = 0
    for at, c in window:  # oldest first: wait until enough of them leave the window
        freed += c
        if used - freed + cost <= limit:
            return at + WINDOW_S - now
    return window[-1][0] + WINDOW_S - now


def limited(status: int, headers: Mapping[str, Any], content: bytes) -> tuple[set[str], float | None]:
    """Google's usage-limit reasons in an answer (a batch's refused parts included) and the largest
    Retry-After it asked for."""
    reasons: set[str] = set()
    waits: list[float] = []
    if status in (403, 429):
        reasons.update(_reasons(content))
        after = retry_after_value(headers.get("retry-after") or headers.get("Retry-After"))
        if after is not None:
            waits.append(after)
    elif (
        status < 300
        and b"HTTP/1." in content[:4096]
        and any(code in (b"403", b"429") for code in _STATUS_RE.findall(content))
    ):
        # A batch: its refused parts carry their own status line, reason and Retry-After header.
        reasons.update(r.decode() for r in _REASON_RE.findall(content))
        waits.extend(
            v for v in (retry_after_value(m) for m in _RETRY_AFTER_RE.findall(content)) if v is not None
        )
    return reasons & (PROJECT_REASONS | USER_REASONS), max(waits) if waits else None


def _reasons(content: bytes) -> set[str]:
    try:
        doc = json.loads(content or b"{}")
    except ValueError:
        return {r.decode() for r in _REASON_RE.findall(content or b"")}
    errors = ((doc.get("error") or {}).get("errors") or []) if isinstance(doc, dict) else []
    return {str(e.get("reason")) for e in errors if isinstance(e, dict)}


def retry_after_value(value: Any) -> float | None:
    """Retry-After as seconds: delta-seconds, or an HTTP-date (RFC 9110)."""
    if value is None:
        return None
    text = (value.decode("latin-1") if isinstance(value, bytes) else str(value)).strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # "-0000": UTC, its zone unknown (RFC 5322)
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - the_clock.now()).total_seconds())  # the product's one clock


_SHARED = RequestBudget()


def shared() -> RequestBudget:
    """This process's budget (every user's Calendar requests go through it)."""
    return _SHARED


def batch_calls(body: Any) -> int:
    """How many calls a batch request body holds (each counts against the quota)."""
    if isinstance(body, bytes):
        return max(1, body.count(b"Content-ID:"))
    if isinstance(body, str):
        return max(1, body.count("Content-ID:"))
    return 1
