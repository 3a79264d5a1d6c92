"""What a job is (its kind and its settings) and what its body receives and returns.

Holds the plain data every other jobs module shares: `OptionSpec`, `JobKind`, `JobSettings`,
`JobContext`, `JobOutcome`. Must never import the catalogue, the runner, the scheduler or a job body:
they all import this module, so anything here that reached back would close a circle.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from studiosync.core.schedule import Schedule, parse_schedule

if TYPE_CHECKING:
    from studiosync.core.studio.studio import Studio

Outcome = Literal["ok", "warning", "error"]


@dataclass(frozen=True)
class OptionSpec:
    default: int
    low: int
    high: int
    help: str


@dataclass(frozen=True)
class JobKind:
    name: str
    title: str
    description: str
    body: Body | str  # the function, or its import path "package.module:function" (loaded when run)
    default_schedule: str
    default_enabled: bool
    options: dict[str, OptionSpec] = field(default_factory=dict)


@dataclass
class JobSettings:
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
