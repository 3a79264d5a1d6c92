"""What a job is (its kind and its settings) and what its body receives and returns.

Holds the plain data every other jobs module shares: `OptionSpec`, `JobKind`, `JobSettings`,
`JobContext`, `JobOutcome`. Must never import the catalogue, the runner, the scheduler or a job body:
they all import this module, so anything here that reached back would close a circle.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from studiosync.core.errors import InputError
from studiosync.core.schedule import Schedule, parse_schedule

if TYPE_CHECKING:
    from studiosync.core.studio.studio import Studio

Outcome = Literal["ok", "warning", "error"]


OptionType = Literal["number", "seconds", "switch"]
_SWITCH = {
    **dict.fromkeys(("on", "true", "yes", "1"), True),
    **dict.fromkeys(("off", "false", "no", "0"), False),
}
_SECONDS_RE = re.compile(r"^(\d+)\s*(s|m|h)?$")
_UNIT = {"s": 1, "m": 60, "h": 3600, None: 1}


@dataclass(frozen=True)
class OptionSpec:
    """One job option. `number`: a whole number; `seconds`: a duration typed as 30s, 2m, 1h (or plain
    seconds) and stored in seconds; `switch`: on/off, stored as a boolean (low/high unused)."""

    default: int
    low: int
    high: int
    help: str
    type: OptionType = "number"

    def parse(self, key: str, job: str, value: object) -> int:
        """The stored value of what a person typed; InputError (exit 2) when it is not valid."""
        text = str(value).strip().lower()
        if self.type == "switch":
            if isinstance(value, bool):
                return value
            if text not in _SWITCH:
                raise InputError(f"option {key} of {job} is on or off, not {value!r}")
            return _SWITCH[text]
        if self.type == "seconds":
            found = _SECONDS_RE.match(text)
            if not found:
                raise InputError(f"option {key} of {job} is a duration such as 30s, 2m or 1h, not {value!r}")
            number = int(found.group(1)) * _UNIT[found.group(2)]
            unit = " seconds"
        else:
            try:
                number = int(text)
            except ValueError:
                raise InputError(f"option {key} of {job} must be a whole number, not {value!r}") from None
            unit = ""
        if not self.low <= number <= self.high:
            raise InputError(f"option {key} of {job} must be {self.low}-{self.high}{unit}, not {number}")
        return number

    def stored(self, value: object) -> int:
        """A stored value as this option's type (a hand-edited file may hold "1" or 1.0)."""
        if self.type == "switch":
            if isinstance(value, bool):
                return value
            return _SWITCH.get(str(value).strip().lower(), bool(self.default))
        return int(value)  # type: ignore[call-overload]


@dataclass(frozen=True)
class JobKind:
    """A kind of job, defined in code (the catalogue, or `register()`): its texts, its body, its default
    schedule and state, and the options it takes."""

    name: str
    title: str
    description: str
    body: Body | str  # the function, or its import path "package.module:function" (loaded when run)
    default_schedule: str
    default_enabled: bool
    options: dict[str, OptionSpec] = field(default_factory=dict)


@dataclass
class JobSettings:
    """How one job is set up, as the JOBS store file keeps it: on or off, its schedule, the computer that runs
    it, and its options' values."""

    name: str
    enabled: bool
    schedule: str  # canonical text from core.schedule
    computer: str
    anchor: str  # ISO UTC; see core.jobs.catalogue's docstring
    updated: str = ""
    options: dict[str, int] = field(default_factory=dict)

    def parsed_schedule(self) -> Schedule:
        return parse_schedule(self.schedule)

    def to_doc(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class JobContext:
    """What a job's body gets for one run: the studio, the job's settings, the run's id and computer, and the
    stop signal."""

    studio: Studio
    job: JobSettings
    run_id: str
    computer: str
    # Set when the process is stopping: bodies finish their current unit of work (one user's sync,
    # one file) and return, so a SIGTERM never leaves half a job's writes behind.
    stop: threading.Event = field(default_factory=threading.Event)

    def option(self, key: str) -> int:
        return int(self.job.options[key])


@dataclass
class JobOutcome:
    """What a job's body returns: ok, warning or error, a one-line summary, google-sync's per-user lines."""

    status: Outcome
    summary: str
    users: list[dict[str, Any]] = field(default_factory=list)  # google-sync: one entry per user


Body = Callable[[JobContext], JobOutcome]


def load_body(kind: JobKind) -> Body:
    """The kind's body, importing it when it is named by path ("package.module:function")."""
    if callable(kind.body):
        return kind.body
    module, _, name = kind.body.partition(":")
    return getattr(__import__(module, fromlist=[name]), name)
