"""What one run of the Google Sync Processor reports: per user and overall, plus progress events.

These are the processor's public interface (the scheduler, the CLI and the console read them) and the
shape of the run records kept in each user's sync state file.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

UserStatus = Literal["ok", "warning", "error", "skipped"]
RunStatus = Literal["ok", "warning", "error"]

COUNT_KEYS: tuple[str, ...] = (
    "pushed_created",
    "pushed_updated",
    "pushed_deleted",
    "pulled_created",
    "pulled_updated",
    "pulled_deleted",
    "contacts_created",
    "contacts_updated",
    "conflicts",
    "removed",  # not appointments (working locations, birthdays) leaving the studio book, never Google
    "refused",  # studio changes Google refused for good: Google's version kept, never sent again
)
REQUEST_KEYS: tuple[str, ...] = ("calendar", "people", "batch")
# Conflict records (one per appointment with fields changed on both sides, core.sync.actions) listed with both
# values in a result; every conflicting field is counted in counts["conflicts"] and logged.
CONFLICT_LIMIT = 50


def zero_counts() -> dict[str, int]:
    return dict.fromkeys(COUNT_KEYS, 0)


@dataclass
class ProgressEvent:
    """Progress of a run for the caller's callback, once at the start (no login) and as each user finishes:
    users done of all, and that user's counts and line."""

    users_done: int
    users_total: int
    login: str | None
    pushed: int
    pulled: int
    message: str


@dataclass
class UserRunResult:
    """One user's part of a run: its status, counts and warnings, or the error with its cause and fix;
    `record` is what the sync state file keeps."""

    login: str
    status: UserStatus
    started: str
    duration_s: float
    counts: dict[str, int] = field(default_factory=zero_counts)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    cause: str | None = None
    fix: str | None = None
    requests: dict[str, int] = field(default_factory=dict)  # calendar/people/batch HTTP requests
    # Extras (defaults keep the interface above unchanged for callers that build these themselves):
    run_id: str | None = None
    conflicts: list[dict[str, Any]] = field(default_factory=list)  # both versions (first CONFLICT_LIMIT)
    # After the run (core.sync.alerting): the user's diagnosis then -- its first error or warning (code,
    # severity, message, fix; None when clean) -- and the emails the run sent (kind, to, why, status, at).
    problem: dict[str, Any] | None = None
    emailed: list[dict[str, Any]] = field(default_factory=list)
    held: dict[str, Any] | None = None  # deletions held back by the guard after this run (core.sync.held)

    @property
    def pushed(self) -> int:
        return sum(self.counts.get(k, 0) for k in ("pushed_created", "pushed_updated", "pushed_deleted"))

    @property
    def pulled(self) -> int:
        return sum(self.counts.get(k, 0) for k in ("pulled_created", "pulled_updated", "pulled_deleted"))

    @property
    def changed(self) -> bool:
        return any(self.counts.get(k, 0) for k in COUNT_KEYS)

    def one_line(self) -> str:
        """`ann: ok (pushed 3+1~0-, pulled 0+2~0-, 1 field conflict (title)) in 0.4 s` -- the CLI's line."""
        c = self.counts
        parts = [
            f"pushed {c.get('pushed_created', 0)}+{c.get('pushed_updated', 0)}~{c.get('pushed_deleted', 0)}-",
            f"pulled {c.get('pulled_created', 0)}+{c.get('pulled_updated', 0)}~{c.get('pulled_deleted', 0)}-",
        ]
        if c.get("contacts_created") or c.get("contacts_updated"):
            parts.append(f"contacts {c.get('contacts_created', 0)}+{c.get('contacts_updated', 0)}~")
        if c.get("conflicts"):
            parts.append(conflicts_text(c["conflicts"], self.conflicts))
        if c.get("removed"):
            parts.append(f"{c['removed']} not appointment(s) removed from the studio")
        if c.get("refused"):
            parts.append(f"{c['refused']} change(s) refused by Google")
        line = f"{self.login}: {self.status} ({', '.join(parts)}) in {self.duration_s:.1f} s"
        if self.error:
            line += f" -- {self.error}"
            if self.fix:
                line += f" Fix: {self.fix}"
        elif self.warnings:
            line += f" -- {len(self.warnings)} warning(s): {self.warnings[0]}"
        return line

    def record(self) -> dict[str, Any]:
        """The stored run record (no detailed log: that goes to the log file and the optional email)."""
        doc = asdict(self)
        doc["conflicts"] = doc["conflicts"][:20]  # bounded: a record must stay small
        doc["warnings"] = doc["warnings"][:20]
        return doc


def conflicts_text(count: int, records: list[dict[str, Any]]) -> str:
    """`1 field conflict (title)`: how many fields were changed on both sides, and which. Edits to different
    fields on the two sides are merged, never a conflict."""
    names = sorted({str(f) for r in records for f in (r.get("fields") or [])})
    shown = f" ({', '.join(names)})" if names else ""
    return f"{count} field conflict{'' if count == 1 else 's'}{shown}"


@dataclass
class ProcessorResult:
    """What one run of the processor reports overall: its id, start and end, status and summary, and each
    user's result."""

    run_id: str
    started: str
    finished: str
    status: RunStatus
    summary: str
    users: list[UserRunResult] = field(default_factory=list)

    def user(self, login: str) -> UserRunResult | None:
        return next((u for u in self.users if u.login == login), None)
