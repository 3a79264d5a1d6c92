"""Request counters per account and per project (OAuth client), and Google's per-minute quotas.

Calendar's usage limits page (developers.google.com/calendar/api/guides/quota): two quotas, "per minute
per project" and "per minute per user per project", "calculated per minute using a sliding window"
(defaults 10,000 and 600). Over a limit, Google answers 403 usageLimits `rateLimitExceeded` (errors page,
"403: Rate limit exceeded": "the maximum request rate per calendar or per authenticated user") — the
emulator enforces limits only when a test or benchmark sets them (`Meter.limits`). Every Calendar/People
call counts, batch sub-calls one each ("a batch request of n requests counts as n" toward quota); the
outer batch POST and OAuth requests are counted under their own kinds. Writes (Calendar/People calls
other than GET) are also counted apart, per account (`report()["writes"]`), so a test can tell that a
run sent no change at all. Must never import anything outside the emulator package.
"""

from __future__ import annotations

import collections
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

KINDS = ("calendar", "people", "batch", "oauth")
QUOTA_KINDS = ("calendar", "people")
WINDOW = 60.0
KEEP = 3600.0  # how far back windowed counts can look


@dataclass
class Limits:
    """Per-minute request limits; None means unlimited (Google's defaults are 600 and 10,000)."""

    per_user_per_minute: int | None = None
    per_project_per_minute: int | None = None
    retry_after: float | None = None


class Meter:
    def __init__(self, lock: threading.RLock, clock: Callable[[], float] = time.monotonic) -> None:
        self._lock = lock
        self._clock = clock
        self.by_account: dict[str, Counter[str]] = {}
        self.by_project: dict[str, Counter[str]] = {}
        self.writes: dict[str, Counter[str]] = {}  # account -> calendar/people calls that are not GET
        self._recent: dict[tuple[str, str], collections.deque[tuple[float, str]]] = {}
        self.limits = Limits()

    def record(self, account: str | None, project: str | None, kind: str, *, write: bool = False) -> None:
        now = self._clock()
        with self._lock:
            self.by_account.setdefault(account or "", Counter())[kind] += 1
            if write:
                self.writes.setdefault(account or "", Counter())[kind] += 1
            self.by_project.setdefault(project or "", Counter())[kind] += 1
            for key in (("account", account or ""), ("project", project or "")):
                recent = self._recent.setdefault(key, collections.deque())
                recent.append((now, kind))
                while recent and recent[0][0] < now - KEEP:
                    recent.popleft()

    def _window(self, scope: str, name: str, seconds: float) -> Counter[str]:
        since = self._clock() - seconds
        return Counter(kind for at, kind in self._recent.get((scope, name), ()) if at >= since)

    def counts(self, *, account: str | None = None, project: str | None = None) -> dict[str, int]:
        """Totals per kind since the last reset: one account, one project, or everything."""
        with self._lock:
            if account is not None:
                total = Counter(self.by_account.get(account.lower(), Counter()))
            elif project is not None:
                total = Counter(self.by_project.get(project, Counter()))
            else:
                total = Counter()
                for counts in self.by_account.values():
                    total.update(counts)
            return {kind: total.get(kind, 0) for kind in KINDS}

    def report(self, *, account: str | None, project: str | None, window: float) -> dict[str, Any]:
        """Totals and the last `window` seconds for one account or project (or the sums of all)."""
        with self._lock:
            out: dict[str, Any] = {"counts": self.counts(account=account, project=project)}
            out["counts"]["total"] = sum(out["counts"][k] for k in QUOTA_KINDS)
            scope, names = (
                ("account", [account.lower()])
                if account is not None
                else ("project", [project])
                if project is not None
                else ("account", list(self.by_account))
            )
            recent: Counter[str] = Counter()
            for name in names:
                recent.update(self._window(scope, name, window))
            out["window"] = {"seconds": window, **{k: recent.get(k, 0) for k in KINDS}}
            out["window"]["total"] = sum(recent.get(k, 0) for k in QUOTA_KINDS)
            out["accounts"] = {a or "(none)": dict(c) for a, c in sorted(self.by_account.items())}
            out["projects"] = {p or "(none)": dict(c) for p, c in sorted(self.by_project.items())}
            writes: Counter[str] = Counter()
            for name, counts in self.writes.items():
                if account is None or name == account.lower():
                    writes.update(counts)
            out["writes"] = {k: writes.get(k, 0) for k in QUOTA_KINDS}
            out["limits"] = asdict(self.limits)
            return out

    def reset(self, account: str | None = None) -> None:
        with self._lock:
            if account is None:
                self.by_account.clear()
                self.by_project.clear()
                self.writes.clear()
                self._recent.clear()
            else:
                self.by_account.pop(account.lower(), None)
                self.writes.pop(account.lower(), None)
                self._recent.pop(("account", account.lower()), None)

    def over_limit(self, account: str | None, project: str | None) -> bool:
        """True when this (already recorded) request goes past a per-minute limit."""
        limits = self.limits
        with self._lock:
            for scope, name, limit in (
                ("account", account or "", limits.per_user_per_minute),
                ("project", project or "", limits.per_project_per_minute),
            ):
                if (
                    limit is not None
                    and sum(self._window(scope, name, WINDOW)[k] for k in QUOTA_KINDS) > limit
                ):
                    return True
        return False
