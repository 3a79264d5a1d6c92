"""The one clock every time-dependent path of the product reads.

The wall clock by default. Tests, the screenshot script and the console's fixed-clock mode install another
one (`install`/`using`), so nothing they produce depends on the day they ran. Code never calls
`datetime.now()` itself: it asks `now()` here (or receives a `now` argument from a caller that did).
Monotonic timers (timeouts, backoff, durations) are not wall time and stay on `time.monotonic`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def fixed_clock(moment: datetime) -> Clock:
    """A clock that never moves: snapshots and screenshots must not depend on the time they were made."""
    value = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return lambda: value


_current: Clock = system_clock


def now() -> datetime:
    """The current time, aware, in UTC."""
    return _current().astimezone(UTC)


def current() -> Clock:
    return _current


def install(clock: Clock | None) -> Clock:
    """Make `clock` the process's clock (None: the wall clock); returns the one it replaced."""
    global _current
    previous = _current
    _current = clock or system_clock
    return previous


@contextmanager
def using(clock: Clock) -> Iterator[None]:
    previous = install(clock)
    try:
        yield
    finally:
        install(previous)
