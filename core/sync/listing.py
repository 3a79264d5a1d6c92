"""Listing Google's changes: events.list pages with the sync token, or a full listing.

`list_changes` sends the saved syncToken (incremental) or none (full: the first run, Populate studio, a
calendar switch); when Google answers 410 (token expired) it falls back to a full listing. A full listing
asks for deleted events (showDeleted), so it tells "deleted on Google" apart from "never there"; an
incremental one gets every deletion since the token anyway, as Google's sync guide lists it (syncToken
alone) -- and as minimal tombstones (`id` and `status`, plus `recurringEventId`/`originalStartTime` for an
instance: all Google guarantees), which the sync handles as such.
This module only reads from Google: it never decides, never touches the store or the sync state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from googleapiclient.errors import HttpError
from studiosync.core.google.api import execute
from studiosync.core.sync.calendar_run import CalendarRun


@dataclass
class Listing:
    """What `list_changes` brought: the events, the sync token to save once they are applied, the calendar's
    time zone, and whether it was a full listing."""

    items: list[dict[str, Any]]
    token: str | None  # nextSyncToken: saved last, once everything the listing brought is applied
    time_zone: str | None
    full: bool


def list_changes(run: CalendarRun, token: str | None) -> Listing:
    """Changes since `token`, or everything when there is none or Google no longer honours it (410)."""
    if token:
        try:
            return list_pages(run, token)
        except HttpError as exc:
            if getattr(exc.resp, "status", None) != 410:
                raise
            run.log.info("Google's sync token expired (410): full listing and reconcile (nothing is wiped)")
    return list_pages(run, None)


def list_pages(run: CalendarRun, token: str | None) -> Listing:
    """Every page of one listing (incremental with `token`, else full)."""
    items: list[dict[str, Any]] = []
    page: str | None = None
    while True:
        kwargs: dict[str, Any] = {
            "calendarId": run.calendar_id,
            "maxResults": run.options.page_size,
            "singleEvents": False,
        }
        if token:
            kwargs["syncToken"] = token
        else:
            kwargs["showDeleted"] = True
        if page:
            kwargs["pageToken"] = page
        resp = execute(run.events.list(**kwargs), policy=run.options.policy)
        items.extend(resp.get("items") or [])
        page = resp.get("nextPageToken")
        if not page:
            kind = "incremental" if token else "full"
            run.log.debug(f"{kind} listing: {len(items)} item(s)")
            return Listing(items, resp.get("nextSyncToken"), resp.get("timeZone"), full=token is None)
