"""A Google account's calendars as the Google tab shows them: `CalendarInfo` (id, name, primary, access role,
time zone), the paged calendarList listing, and `google_error_for`, a failed call's error with its fix
naming the user.

Must never choose or store a calendar (core.studio.google_accounts does, after checking it is writable).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from studiosync.core.google.api import RetryPolicy
    from studiosync.core.google.errors import GoogleError

WRITABLE_ROLES = ("owner", "writer")


@dataclass
class CalendarInfo:
    """One calendar of a Google account, from its calendarList entry: id, name, whether it is primary, the
    account's access role and the time zone."""

    id: str
    summary: str
    primary: bool
    access_role: str
    time_zone: str | None

    @property
    def writable(self) -> bool:
        return self.access_role in WRITABLE_ROLES

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "summary": self.summary,
            "primary": self.primary,
            "access_role": self.access_role,
            "time_zone": self.time_zone,
            "writable": self.writable,
        }


def list_calendars(service: Any, policy: RetryPolicy) -> list[CalendarInfo]:
    """Every calendar on the account's calendar list, following pages (Calendar v3 calendarList.list)."""
    from studiosync.core.google.api import execute

    found: list[CalendarInfo] = []
    page: str | None = None
    while True:
        resp = execute(service.calendarList().list(pageToken=page, maxResults=250), policy=policy)
        for item in resp.get("items", []):
            found.append(
                CalendarInfo(
                    id=item["id"],
                    summary=item.get("summaryOverride") or item.get("summary") or item["id"],
                    primary=bool(item.get("primary")),
                    access_role=item.get("accessRole", "reader"),
                    time_zone=item.get("timeZone"),
                )
            )
        page = resp.get("nextPageToken")
        if not page:
            return found


def google_error_for(login: str, exc: BaseException) -> GoogleError:
    """The classified GoogleError of a failed call, its fix naming this user instead of LOGIN."""
    from studiosync.core.explain import fill_login
    from studiosync.core.google.errors import GoogleError, as_google_error

    error = as_google_error(exc)
    filled = replace(error.problem, fix=fill_login(error.problem.fix, login))
    return error if filled == error.problem else GoogleError(filled)
