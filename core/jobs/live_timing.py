"""Live sync's timing, as small pure classes over a monotonic clock (tests drive them with a fake one).

- `Debouncer`: studio changes arrive in bursts (a script editing 50 appointments, a console saving a
  form twice); the users they touch are collected and handed over together once QUIET_S seconds passed
  without a new change, or LONGEST_S after the first one, so a burst becomes one push pass and a steady
  trickle still goes out every few seconds.
- `Holds`: a user whose live pass failed is left alone for a while (pull_every, doubling up to MAX_HOLD_S),
  so a revoked grant is not retried every minute; the scheduled full run keeps reporting it.
- `pull_interval`: pull_every, stretched when the users' fast pulls would take more than PULL_SHARE of the
  project's request budget, so the scheduled full run always has room.

No I/O, no threads, no wall clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

QUIET_S = 1.0
LONGEST_S = 3.0
MAX_HOLD_S = 1800.0
PULL_SHARE = 0.5  # of the per-project budget, at most, for the fast pulls


class Debouncer:
    def __init__(
        self, quiet: float = QUIET_S, longest: float = LONGEST_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.quiet = quiet
        self.longest = longest
        self._clock = clock
        self._users: set[str] = set()
        self._first: float | None = None
        self._last: float | None = None

    def add(self, users: Iterable[str], *, at_once: bool = False) -> None:
        """Users with new studio changes (`at_once`: work put back after a busy lock, due without waiting
        for quiet)."""
        users = set(users)
        if not users:
            return
        now = self._clock()
        self._users |= users
        if self._first is None:
            self._first = now
        self._last = now - self.quiet if at_once else now

    def due_in(self) -> float:
        """Seconds until the collected users are due (inf: none collected)."""
        if self._first is None or self._last is None:
            return float("inf")
        now = self._clock()
        return max(0.0, min(self._last + self.quiet, self._first + self.longest) - now)

    def take(self) -> set[str]:
        """The collected users if they are due (else nothing); the collection starts over."""
        if not self._users or self.due_in() > 0:
            return set()
        users, self._users = self._users, set()
        self._first = self._last = None
        return users

    def __bool__(self) -> bool:
        return bool(self._users)


class Holds:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._until: dict[str, float] = {}
        self._strikes: dict[str, int] = {}

    def fail(self, user: str, interval: float) -> float:
        """The user's live pass failed: hold it for interval * 2**(failures-1) (capped); returns that."""
        strikes = self._strikes.get(user, 0)
        delay = min(MAX_HOLD_S, interval * (2**strikes))
        self._strikes[user] = strikes + 1
        self._until[user] = self._clock() + delay
        return delay

    def ok(self, user: str) -> None:
        self._until.pop(user, None)
        self._strikes.pop(user, None)

    def held(self, user: str) -> bool:
        until = self._until.get(user)
        return until is not None and until > self._clock()

    def release_in(self, user: str) -> float:
        """Seconds until this user may go again (0: not held)."""
        return max(0.0, self._until.get(user, 0.0) - self._clock())


def pull_interval(pull_every: float, users: int, per_project: int) -> float:
    """Seconds between fast pull rounds: pull_every, or longer when `users` pulls per round would use more
    than PULL_SHARE of the project's per-minute budget."""
    if users <= 0:
        return pull_every
    floor = 60.0 * users / max(1.0, PULL_SHARE * per_project)
    return max(float(pull_every), floor)
