"""Cursor paging for list calls: a page walks numbered sources (stored events, change-log entries) and
stops at its size, remembering (source, items of it already returned) in the page token.

Google documents that a page "may be less than [maxResults], or none at all, even if there are more
events matching the query. Incomplete pages can be detected by a non-empty nextPageToken" (events.list,
maxResults, calendar.v3.json); a short page is made here when the caller caps it (the short_page fault).
Must never import anything outside the emulator package.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from .errors import ApiError, bad_request

T = TypeVar("T")
Cursor = tuple[int, int]  # (source position, items of that source already returned)


def page(
    count: int, produce: Callable[[int], list[T]], cursor: Cursor, limit: int
) -> tuple[list[T], Cursor | None]:
    """Up to `limit` items from sources [cursor..count); the next cursor, or None when all are done."""
    items: list[T] = []
    pos, skip = cursor
    while pos < count and len(items) < limit:
        produced = produce(pos)[skip:]
        room = limit - len(items)
        if len(produced) > room:
            items += produced[:room]
            return items, (pos, skip + room)
        items += produced
        pos, skip = pos + 1, 0
    if skip:
        return items, (pos, skip)
    # Look ahead so the last page carries the sync token instead of leaving an empty final page.
    while pos < count and not produce(pos):
        pos += 1
    return items, ((pos, 0) if pos < count else None)


def page_size(max_results: int, cap: int | None) -> int:
    return max_results if cap is None else max(0, min(max_results, cap))


def bad_page_token() -> ApiError:
    return bad_request("Invalid page token value.", location="pageToken")


def full_sync_required() -> ApiError:
    return ApiError(410, "fullSyncRequired", "Sync token is no longer valid, a full sync is required.")
