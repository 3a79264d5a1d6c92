"""events.list with Google's semantics: filters, cursor paging, sync tokens, singleEvents expansion.

Paging walks the calendar's insertion order (or, for incremental sync, its change log) with a cursor
stored in the page token, so each page costs about its own size, and events changed while a client
pages are not skipped. A sync token names (calendar, change number, epoch): what changed after that
number is a bisect away; invalidation bumps the epoch and every older token answers 410.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import events
from .errors import ApiError, bad_request
from .ids import decode_token, encode_token
from .state import CalendarData, EventRecord
from .timeutil import now_utc, parse_bool, parse_datetime, rfc3339_ms, zone
from .wire import Request

SYNC_PREFIX = "CAL"
PAGE_PREFIX = "CALP"
DEFAULT_MAX = 250
MAX_RESULTS = 2500
# Parameters Google refuses next to a syncToken.
NOT_WITH_SYNC = (
    "timeMin",
    "timeMax",
    "updatedMin",
    "q",
    "orderBy",
    "privateExtendedProperty",
    "sharedExtendedProperty",
    "iCalUID",
)


@dataclass
class ListQuery:
    time_min: dt.datetime | None = None
    time_max: dt.datetime | None = None
    updated_min: dt.datetime | None = None
    show_deleted: bool = False
    single_events: bool = False
    order_by: str | None = None
    private_props: list[tuple[str, str]] = field(default_factory=list)
    shared_props: list[tuple[str, str]] = field(default_factory=list)
    text: str | None = None
    ical_uid: str | None = None
    max_results: int = DEFAULT_MAX
    page_token: str | None = None
    sync_token: str | None = None
    view_tz: str | None = None


def _props(values: list[str], name: str) -> list[tuple[str, str]]:
    out = []
    for value in values:
        key, sep, wanted = value.partition("=")
        if not sep or not key:
            raise bad_request(f"Invalid {name} value {value!r}: expected key=value.", location=name)
        out.append((key, wanted))
    return out


def parse_query(req: Request) -> ListQuery:
    q = ListQuery()
    q.sync_token = req.arg("syncToken") or None
    if q.sync_token:
        clashing = [name for name in NOT_WITH_SYNC if req.arg(name)]
        if clashing:
            raise bad_request(
                f"Sync token cannot be combined with: {', '.join(clashing)}.", location="syncToken"
            )
    if req.arg("timeMin"):
        q.time_min = parse_datetime(req.arg("timeMin") or "", field="timeMin")
    if req.arg("timeMax"):
        q.time_max = parse_datetime(req.arg("timeMax") or "", field="timeMax")
    if q.time_min and q.time_max and q.time_max <= q.time_min:
        raise bad_request("The specified time range is empty.", "timeRangeEmpty", location="timeMax")
    if req.arg("updatedMin"):
        q.updated_min = parse_datetime(req.arg("updatedMin") or "", field="updatedMin")
    q.show_deleted = parse_bool(req.arg("showDeleted"))
    q.single_events = parse_bool(req.arg("singleEvents"))
    q.order_by = req.arg("orderBy") or None
    if q.order_by not in (None, "startTime", "updated"):
        raise bad_request(f"Invalid orderBy value {q.order_by!r}.", location="orderBy")
    if q.order_by == "startTime" and not q.single_events:
        raise bad_request(
            "The requested ordering is not available for the particular query.", location="orderBy"
        )
    q.private_props = _props(req.args("privateExtendedProperty"), "privateExtendedProperty")
    q.shared_props = _props(req.args("sharedExtendedProperty"), "sharedExtendedProperty")
    q.text = (req.arg("q") or "").strip().lower() or None
    q.ical_uid = req.arg("iCalUID") or None
    raw_max = req.arg("maxResults")
    if raw_max:
        try:
            q.max_results = int(raw_max)
        except ValueError:
            raise bad_request(f"Invalid maxResults value {raw_max!r}.", location="maxResults") from None
        if q.max_results < 1:
            raise bad_request("Invalid maxResults value: must be at least 1.", location="maxResults")
        q.max_results = min(q.max_results, MAX_RESULTS)
    q.page_token = req.arg("pageToken") or None
    q.view_tz = req.arg("timeZone") or None
    return q


def _updated(rec: EventRecord) -> dt.datetime:
    return dt.datetime.fromisoformat(rec.updated)


def _fields_ok(rec: EventRecord, q: ListQuery) -> bool:
    props = rec.body.get("extendedProperties") or {}
    for scope, wanted in (("private", q.private_props), ("shared", q.shared_props)):
        have = props.get(scope) or {}
        if any(have.get(k) != v for k, v in wanted):
            return False
    if q.ical_uid and rec.ical_uid != q.ical_uid:
        return False
    if q.updated_min and _updated(rec) < q.updated_min:
        return False
    if q.text:
        hay = [str(rec.body.get(k, "")) for k in ("summary", "description", "location")]
        hay += [
            str(a.get("email", "")) + " " + str(a.get("displayName", ""))
            for a in rec.body.get("attendees") or []
        ]
        if q.text not in " ".join(hay).lower():
            return False
    return True


class _Lister:
    def __init__(self, cal: CalendarData, q: ListQuery) -> None:
        self.cal = cal
        self.q = q
        self.tz = zone(cal.timezone)

    def _status_ok(self, rec: EventRecord) -> bool:
        if not rec.cancelled or self.q.show_deleted or self.q.updated_min:
            return True
        # Google quirk: cancelled instances of a live series still show without showDeleted, unless
        # singleEvents expands them away.
        if rec.recurring_event_id and not self.q.single_events:
            master = self.cal.events.get(rec.recurring_event_id)
            return master is not None and not master.cancelled
        return False

    def _time_ok(self, rec: EventRecord) -> bool:
        if self.q.time_min is None and self.q.time_max is None:
            return True
        if rec.recurrence is not None:
            return events.series_overlaps(self.cal, rec, self.q.time_min, self.q.time_max)
        return events.overlaps(*events.span(rec, self.tz), self.q.time_min, self.q.time_max)

    def full_items(self, rec: EventRecord) -> list[EventRecord]:
        """What one stored record contributes to a (non-incremental) listing."""
        if self.q.single_events:
            if rec.recurring_event_id and rec.recurring_event_id in self.cal.events:
                return []  # listed through its series
            if rec.recurrence is not None and not rec.cancelled:
                found = events.instances(
                    self.cal,
                    rec,
                    time_min=self.q.time_min,
                    time_max=self.q.time_max,
                    include_cancelled=self.q.show_deleted,
                )
                return [i for i in found if _fields_ok(i, self.q)]
        ok = self._status_ok(rec) and self._time_ok(rec) and _fields_ok(rec, self.q)
        return [rec] if ok else []

    def sync_items(self, rec: EventRecord) -> list[EventRecord]:
        """What a changed record contributes to an incremental listing (cancelled ones included)."""
        if self.q.single_events and rec.recurrence is not None and not rec.cancelled:
            generated = events.instances(self.cal, rec, include_cancelled=True)
            return [i for i in generated if i.virtual]
        return [rec]


Cursor = tuple[int, int]  # (source position, items of that source already returned)


def _page(
    count: int, produce: Callable[[int], list[EventRecord]], cursor: Cursor, limit: int
) -> tuple[list[EventRecord], Cursor | None]:
    items: list[EventRecord] = []
    pos, skip = cursor
    while pos < count and len(items) < limit:
        produced = produce(pos)[skip:]
        room = limit - len(items)
        if len(produced) > room:
            items += produced[:room]
            return items, (pos, skip + room)
        items += produced
        pos, skip = pos + 1, 0
    # Look ahead so the last page carries the sync token instead of leaving an empty final page.
    while pos < count and not produce(pos):
        pos += 1
    return items, ((pos, 0) if pos < count else None)


def _bad_page_token() -> ApiError:
    return bad_request("Invalid page token value.", location="pageToken")


def _full_sync_required() -> ApiError:
    return ApiError(410, "fullSyncRequired", "Sync token is no longer valid, a full sync is required.")


def list_events(cal: CalendarData, q: ListQuery, *, viewer: str, role: str, nonce: str) -> dict[str, Any]:
    lister = _Lister(cal, q)
    log = cal.changes
    page: dict[str, Any] | None = None
    if q.page_token:
        page = decode_token(PAGE_PREFIX, q.page_token)
        if page is None or page.get("c") != cal.id or page.get("n") != nonce:
            raise _bad_page_token()
    kind = str(page.get("k")) if page else ("i" if q.sync_token else "o" if q.order_by else "f")
    if kind == "i":
        if page is None:
            token = decode_token(SYNC_PREFIX, q.sync_token or "") or {}
            since = token.get("s")
            same = token.get("c") == cal.id and token.get("n") == nonce and token.get("e") == log.epoch
            if not same or not isinstance(since, int) or since > log.seq:
                raise _full_sync_required()
            upto, cursor = log.seq, (log.position_after(since), 0)
        else:
            if page.get("e") != log.epoch:
                raise _full_sync_required()
            upto, cursor = int(page["u"]), (int(page["p"]), int(page["x"]))
        count = log.position_after(upto)

        def produce(pos: int) -> list[EventRecord]:
            seq, event_id = log.at(pos)
            rec = cal.events[event_id]
            return lister.sync_items(rec) if rec.seq == seq else []

        items, nxt = _page(count, produce, cursor, q.max_results)
    elif kind == "o":
        upto = int(page["u"]) if page else log.seq
        offset = int(page["p"]) if page else 0
        everything = [item for rid in cal.order for item in lister.full_items(cal.events[rid])]
        if q.order_by == "startTime":
            everything.sort(key=lambda r: (events.span(r, lister.tz)[0], r.id))
        else:
            everything.sort(key=lambda r: (r.updated, r.id))
        items = everything[offset : offset + q.max_results]
        nxt = (offset + q.max_results, 0) if offset + q.max_results < len(everything) else None
    elif kind == "f":
        upto = int(page["u"]) if page else log.seq
        cursor = (int(page["p"]), int(page["x"])) if page else (0, 0)
        order = cal.order
        items, nxt = _page(
            len(order), lambda pos: lister.full_items(cal.events[order[pos]]), cursor, q.max_results
        )
    else:
        raise _bad_page_token()
    body: dict[str, Any] = {
        "kind": "calendar#events",
        "etag": f'"{log.epoch}{log.seq:012d}"',
        "summary": cal.summary,
        "description": cal.description,
        "updated": cal.updated or rfc3339_ms(now_utc()),
        "timeZone": cal.timezone,
        "accessRole": role,
        "defaultReminders": [],
    }
    if nxt is not None:
        body["nextPageToken"] = encode_token(
            PAGE_PREFIX,
            {"k": kind, "c": cal.id, "n": nonce, "e": log.epoch, "u": upto, "p": nxt[0], "x": nxt[1]},
        )
    else:
        body["nextSyncToken"] = encode_token(
            SYNC_PREFIX, {"c": cal.id, "n": nonce, "e": log.epoch, "s": upto}
        )
    body["items"] = [events.render(rec, cal, viewer, q.view_tz) for rec in items]
    return body


def list_instances(
    cal: CalendarData, master: EventRecord, q: ListQuery, *, viewer: str, role: str, nonce: str
) -> dict[str, Any]:
    """events.instances: one series' instances in the window, offset-paged."""
    if master.recurrence is None:
        found = [master]
    else:
        found = events.instances(
            cal, master, time_min=q.time_min, time_max=q.time_max, include_cancelled=q.show_deleted
        )
    offset = 0
    if q.page_token:
        page = decode_token(PAGE_PREFIX, q.page_token)
        if page is None or page.get("c") != cal.id or page.get("k") != "n":
            raise _bad_page_token()
        offset = int(page["p"])
    chunk = found[offset : offset + q.max_results]
    body: dict[str, Any] = {
        "kind": "calendar#events",
        "etag": master.etag,
        "summary": cal.summary,
        "updated": master.updated,
        "timeZone": cal.timezone,
        "accessRole": role,
        "defaultReminders": [],
        "items": [events.render(rec, cal, viewer, q.view_tz) for rec in chunk],
    }
    if offset + q.max_results < len(found):
        body["nextPageToken"] = encode_token(
            PAGE_PREFIX, {"k": "n", "c": cal.id, "n": nonce, "p": offset + q.max_results}
        )
    return body
