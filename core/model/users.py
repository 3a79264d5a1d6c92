"""A studio user or resource, and the user's Google tab (Maintenance > Preferences > User Preferences >
Google). Plain data: never does I/O, never validates (core.studio.users does)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

UserKind = Literal["staff", "resource"]
USER_KINDS: tuple[str, ...] = ("staff", "resource")


@dataclass
class User:
    """A staff member (who may sync with Google) or a resource such as a room (which never does)."""

    login: str
    name: str
    kind: UserKind = "staff"
    admin: bool = False
    password_hash: str | None = None
    created: str = ""

    @property
    def can_sync(self) -> bool:
        # Seed: "Resources such as locations or rooms can NOT sync with Google."
        return self.kind == "staff"

    def public(self) -> dict[str, Any]:
        return {
            "login": self.login,
            "name": self.name,
            "kind": self.kind,
            "admin": self.admin,
            "has_password": self.password_hash is not None,
            "created": self.created,
        }


@dataclass
class GooglePrefs:
    """A user's Google tab (Maintenance > Preferences > User Preferences > Google)."""

    login: str
    enabled: bool = False
    account_email: str | None = None
    calendar_id: str | None = None
    calendar_summary: str | None = None
    populate_google: bool = False
    populate_studio: bool = False
    two_way: bool = False
    tentative: bool = False
    contacts: bool = False
    client_group: str | None = None  # group id
    warn_email: str | None = None  # "Email Warnings and Errors to Me": on when an address is set
    detailed_logs: bool = False
    enabled_at: str | None = None
    last_sync: str | None = None  # last successful sync
    last_attempt: str | None = None
    last_error: str | None = None
    last_error_cause: str | None = None
    last_error_fix: str | None = None
    consecutive_failures: int = 0
    escalated: bool = False
