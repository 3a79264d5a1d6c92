"""What the console's screens show, shaped from core's records: table rows and the Google status words.

Plain dataclasses and pure functions (no I/O, no Textual): the Backend fills them, the screens draw them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from studiosync.core.model.clients import ClientGroup
from studiosync.core.model.users import GooglePrefs, User
from studiosync.core.sync.held import CAUSE as HELD_CAUSE

# The four states the Users screen and the dashboard show (plus resources, which cannot sync at all).
NOT_SET_UP = "not set up"
AUTHENTICATED = "authenticated"
ENABLED = "enabled"  # enabled and authenticated: issue 7's word ("syncing" in `studiosync status`)
FAILING = "failing"
HELD = "deletions held"  # the mass-deletion guard holds this user's deletions until someone decides
CANNOT_SYNC = "cannot sync"
NO_ACCOUNT = "enabled, no account"

# Light check while typing; the service validates again (core.mail) when saving.
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class UserRow:
    """One row of the Users screen: the user, their Google status in words, account, last sync and error."""

    login: str
    name: str
    kind: str
    admin: bool
    has_password: bool
    status: str
    account_email: str | None
    last_sync: str | None
    last_error: str | None
    failures: int = 0
    cause: str | None = None  # the first cause of the user's diagnosis, when it is a problem (core.diagnosis)


@dataclass(frozen=True)
class GoogleTab:
    """Everything the Google tab shows for one user, read in one go."""

    user: User
    prefs: GooglePrefs
    authenticated: bool
    group_name: str | None
    groups: list[ClientGroup]
    api_ready: bool  # company Google API settings exist


@dataclass(frozen=True)
class GroupRow:
    """One row of Client Groups: the group, the users whose Google contacts land in it, and how many clients
    it holds."""

    group: ClientGroup
    used_by: list[str]
    clients: int


@dataclass
class SyncHealth:
    """One dashboard row: how a user's sync is doing."""

    login: str
    name: str
    status: str
    last_sync: str | None
    lag_seconds: float | None
    last_error: str | None
    fix: str | None
    pushed: int | None = None
    pulled: int | None = None
    failures: int = 0
    enabled: bool = False  # Enable Google Sync is checked: only then does a lag mean anything
    extra: dict[str, Any] = field(default_factory=dict)


def google_status(user: User, prefs: GooglePrefs, authenticated: bool, *, failing: bool | None = None) -> str:
    """The Google column: resource / failing / enabled / enabled, no account / authenticated / not set up."""
    if not user.can_sync:
        return CANNOT_SYNC
    if failing is None:
        failing = bool(prefs.last_error) and prefs.consecutive_failures > 0
        if failing and prefs.last_error_cause == HELD_CAUSE:
            return HELD if prefs.enabled else NOT_SET_UP
    if prefs.enabled and failing:
        return FAILING
    if prefs.enabled:
        return ENABLED if authenticated else NO_ACCOUNT
    return AUTHENTICATED if authenticated else NOT_SET_UP


def _moved(counts: dict[str, int], direction: str) -> int:
    return sum(counts.get(f"{direction}_{k}", 0) for k in ("created", "updated", "deleted"))


def health_status(user: User, h: Any) -> str:
    """The Google column from core.health.users.UserHealth, whose status follows the diagnosis' first cause."""
    if h.status == "held":
        return HELD
    prefs = GooglePrefs(login=h.login, enabled=h.enabled)
    return google_status(user, prefs, h.authenticated, failing=h.status == "failing")


def problem_text(h: Any) -> tuple[str | None, str | None]:
    """(the first cause, its fix) unless the user syncs cleanly (the diagnosis' first finding is `ok`)."""
    if h.cause_severity in ("error", "warn", "note", "off"):
        return h.cause_message, h.cause_fix
    return None, None


def health_row(h: Any, user: User) -> SyncHealth:
    """One dashboard row from core.health.users.UserHealth (its last run's counts, with their time). The error
    shown is the first cause of the user's diagnosis: the doctor and `studiosync status` name it too."""
    counts = h.last_run_counts or {}
    run = h.last_run or {}
    cause, fix = problem_text(h)
    return SyncHealth(
        login=h.login,
        name=h.name,
        status=health_status(user, h),
        last_sync=h.last_sync,
        lag_seconds=h.lag_s,
        last_error=cause if h.cause_severity in ("error", "warn") else None,
        fix=fix,
        pushed=_moved(counts, "pushed") if h.last_run else None,
        pulled=_moved(counts, "pulled") if h.last_run else None,
        failures=h.consecutive_failures,
        enabled=h.enabled,
        extra={
            "summary": h.last_run_summary,
            "account": h.account_email,
            "calendar": h.calendar,
            "run_time": run.get("finished") or run.get("started") or h.last_attempt,
            "severity": h.cause_severity,
            "note": cause if h.cause_severity in ("note", "off") else None,
            "last_emailed": h.last_emailed,
            "last_emailed_why": h.last_emailed_why,
            "next_reminder": h.next_reminder,
            "email_trouble": h.email_trouble,
            # live sync (core.health): stamps, so the dashboard can age them every second
            "last_push": h.last_push,
            "last_pull": h.last_pull,
            "pending": h.pending,
            "held": h.held,
        },
    )
