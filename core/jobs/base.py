"""What a job body receives and returns."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from studiosync.core.jobs.catalogue import JobSettings
    from studiosync.core.studio.studio import Studio

Outcome = Literal["ok", "warning", "error"]


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
