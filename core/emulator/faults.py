"""Injected failures: Google's throttling/quota/server errors, dropped connections and latency.

Each fault fires for its next `count` matching requests. Matching: optional account (the token's owner),
optional path substring, optional HTTP method, and where it applies: top-level requests (default),
sub-calls inside batches, or both. OAuth endpoints are only hit by faults whose `path` names them, so a
plain "429 everything" fault does not break token refreshes by accident.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import asdict, dataclass

from .errors import ApiError

# kind -> (HTTP code, domain, reason, message)
_ERRORS: dict[str, tuple[int, str, str, str]] = {
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
}
KINDS = (*_ERRORS, "drop", "latency")
OAUTH_PREFIXES = ("/o/oauth2", "/token", "/revoke")


@dataclass
class Fault:
    id: int
    kind: str
    remaining: int
    retry_after: float | None = None
    seconds: float = 0.0
    account: str | None = None
    path: str | None = None
    method: str | None = None
    in_batch: bool | None = False  # False: top-level requests; True: batch sub-calls; None: both
    reason: str | None = None

    def matches(self, account: str | None, path: str, method: str, in_batch: bool) -> bool:
        if self.remaining <= 0:
            return False
        if self.in_batch is not None and self.in_batch != in_batch:
            return False
        if self.account is not None and (account or "").lower() != self.account.lower():
            return False
        if self.method is not None and self.method.upper() != method.upper():
            return False
        if self.path is None:
            return not path.startswith(OAUTH_PREFIXES)
        return self.path in path

    def error(self) -> ApiError:
        code, domain, reason, message = _ERRORS[self.kind]
        headers = {}
        if self.retry_after is not None:
            ra = self.retry_after
            headers["Retry-After"] = str(int(ra)) if float(ra).is_integer() else str(ra)
        return ApiError(code, self.reason or reason, message, domain=domain, headers=headers)

    def describe(self) -> dict[str, object]:
        return asdict(self)


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
        count: int = 1,
        *,
        retry_after: float | None = None,
        seconds: float | None = None,
        account: str | None = None,
        path: str | None = None,
        method: str | None = None,
        in_batch: bool | None = False,
        reason: str | None = None,
    ) -> Fault:
        name = normalize_kind(kind)
        if count < 1:
            raise ValueError("count must be >= 1")
        if name == "latency" and (seconds is None or seconds < 0):
            raise ValueError("a latency fault needs seconds >= 0")
        fault = Fault(
            next(self._ids),
            name,
            int(count),
            retry_after=retry_after,
            seconds=float(seconds or 0.0),
            account=account,
            path=path,
            method=method,
            in_batch=in_batch,
            reason=reason,
        )
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, account: str | None, path: str, method: str, in_batch: bool) -> tuple[float, Fault | None]:
        """Consume what applies to this request: total latency, and the first error/drop fault (if any)."""
        delay = 0.0
        hit: Fault | None = None
        with self._lock:
            for fault in self._faults:
                if not fault.matches(account, path, method, in_batch):
                    continue
                if fault.kind == "latency":
                    fault.remaining -= 1
                    delay += fault.seconds
                elif hit is None:
                    fault.remaining -= 1
                    hit = fault
            self._faults = [f for f in self._faults if f.remaining > 0]
        return delay, hit

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def pending(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)
