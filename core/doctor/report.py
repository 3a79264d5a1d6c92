"""What the doctor hands back: checks, per-user verdicts, and the whole report (CLI, JSON, console)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["pass", "warn", "fail"]
STATUSES: tuple[str, ...] = ("pass", "warn", "fail")
_RANK = {"pass": 0, "warn": 1, "fail": 2}

# Where a check lives, so the console can group them the way the seed document walks through them.
SECTION_USER = "User"
SECTION_TAB = "Google tab"
SECTION_COMPANY = "Company Preferences"
SECTION_CONTROL = "Control Center"
SECTION_COMPUTER = "This computer"
SECTION_HISTORY = "Sync history"
SECTION_MOBILE = "Mobile device"


@dataclass(frozen=True)
class Check:
    """One item of the troubleshooting checklist.

    `detail` says what was found, `fix` what to do about it (the exact screen/field and the CLI command);
    a passing check may still carry a fix that says how to change the setting.
    """

    name: str
    status: Status
    detail: str
    fix: str = ""
    section: str = ""
    title: str = ""

    @property
    def failed(self) -> bool:
        return self.status == "fail"

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "detail": self.detail,
            "fix": self.fix,
            "section": self.section,
            "title": self.title,
        }


VerdictStatus = Literal["ok", "warn", "fail", "off", "resource"]


@dataclass(frozen=True)
class UserVerdict:
    """One line per user when the doctor runs for the whole studio."""

    login: str
    name: str
    status: VerdictStatus  # ok | warn | fail | off (sync not enabled) | resource (cannot sync)
    line: str  # the one-line verdict
    fix: str = ""
    check: str | None = None  # the name of the check that decided a warn/fail verdict

    @property
    def failed(self) -> bool:
        return self.status == "fail"

    def to_json(self) -> dict[str, Any]:
        return {
            "login": self.login,
            "name": self.name,
            "status": self.status,
            "line": self.line,
            "fix": self.fix,
            "check": self.check,
        }


@dataclass
class DoctorReport:
    """The doctor's whole report: the studio-wide checks plus, with `login`, that user's checks; without, one
    verdict per user."""

    login: str | None
    checks: list[Check] = field(default_factory=list)
    verdicts: list[UserVerdict] = field(default_factory=list)
    generated: str = ""

    @property
    def failed(self) -> bool:
        """A failed check, or (studio-wide) a user whose enabled sync is broken. Warnings never fail."""
        return any(c.failed for c in self.checks) or any(v.failed for v in self.verdicts)

    @property
    def status(self) -> Status:
        return worst(c.status for c in self.checks)

    def check(self, name: str) -> Check:
        for c in self.checks:
            if c.name == name:
                return c
        raise KeyError(name)

    def counts(self) -> dict[str, int]:
        return {s: sum(1 for c in self.checks if c.status == s) for s in STATUSES}

    def to_json(self) -> dict[str, Any]:
        return {
            "login": self.login,
            "generated": self.generated,
            "failed": self.failed,
            "counts": self.counts(),
            "checks": [c.to_json() for c in self.checks],
            "verdicts": [v.to_json() for v in self.verdicts],
        }


def worst(statuses: Any) -> Status:
    found: Status = "pass"
    for s in statuses:
        if _RANK[s] > _RANK[found]:
            found = s
    return found
