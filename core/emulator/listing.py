"""events.list and events.instances with Google's semantics: filters (eventTypes included), cursor
paging, sync tokens, singleEvents expansion, and minimal tombstones.

Paging walks the calendar's insertion order (or, for incremental sync, its change log) with a cursor
stored in the page token, so each page costs about its own size, and events changed while a client
pages are not skipped. A sync token names (calendar, change number, epoch): what changed after that
number is a bisect away; invalidation bumps the epoch and every older token answers 410. Only the last
page carries nextSyncToken. Parameters per events.list in calendar.v3.json: `eventTypes` "If unset,
returns all event types"; `showDeleted`; `syncToken` refuses iCalUID, orderBy, privateExtendedProperty,
q, sharedExtendedProperty, timeMin, timeMax, updatedMin. Must never import anything outside the emulator.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from . import paging, series
from .errors import bad_request
from .eventtypes import EVENT_TYPES, type_of
from .ids import decode_token, encode_token
from .render import render, tombstone
from .state import CalendarData, EventRecord
from .timeutil import now_utc, parse_bool, parse_datetime, rfc3339_ms, zone
from .when import overlaps
from .wire import Request

SYNC_PREFIX = "CAL"
PAGE_PREFIX = "CALP"
DEFAULT_MAX = 250
MAX_RESULTS = 2500
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
    """An events.list or events.instances request's parameters, read and checked by `parse_query`; `page_cap`
    comes from a short_page fault."""

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
    event_types: frozenset[str] | None = None
    max_results: int = DEFAULT_MAX
    page_token: str | None = None
    sync_token: str | None = None
    view_tz: str | None = None
    page_cap: int | None = None


def _props(values: list[str], name: str) -> list[tuple[str, str]]:
    out = []
    for value in values:
        key, sep, wanted = value.partition("=")
        if not sep or not key:
            raise bad_request(f"Invalid {name} value {value!r}: expected key=value.", location=name)
        out.append((key, wanted))
    return out


def _event_types(values: list[str]) -> frozenset[str] | None:
    # The client library repeats the parameter; comma-joined values are accepted too.
    wanted = {v.strip() for value in values for v in value.split(",") if v.strip()}
    for kind in sorted(wanted):
        if kind not in EVENT_TYPES:
            raise bad_request(f"Invalid value for eventTypes: {kind!r}.", location="eventTypes")
    return frozenset(wanted) or None


def _max_results(raw: str | None) -> int:
    if not raw:
        return DEFAULT_MAX
    try:
        value = int(raw)
    except ValueError:
        raise bad_request(f"Invalid maxResults value {raw!r}.", location="maxResults") from None
    if value < 1:
        raise bad_request("Invalid maxResults value: must be at least 1.", location="maxResults")
    return min(value, MAX_RESULTS)


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
    q.event_types = _event_types(req.args("eventTypes"))
    q.max_results = _max_results(req.arg("maxResults"))
    q.page_token = req.arg("pageToken") or None
    q.view_tz = req.arg("timeZone") or None
    q.page_cap = req.page_cap
    return q


def _fields_ok(rec: EventRecord, q: ListQuery) -> bool:
    if q.event_types is not None and type_of(rec.body) not in q.event_types:
        return False
    props = rec.body.get("extendedProperties") or {}
    for scope, wanted in (("private", q.private_props), ("shared", q.shared_props)):
        have = props.get(scope) or {}
        if any(have.get(k) != v for k, v in wanted):
            return False
    if q.ical_uid and rec.ical_uid != q.ical_uid:
        return False
    if q.updated_min and dt.datetime.fromisoformat(rec.updated) < q.updated_min:
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
        # "Cancelled instances of recurring events (but not the underlying recurring event) will still be
        # included if showDeleted and singleEvents are both False" (events.list, showDeleted).
        if rec.recurring_event_id and not self.q.single_events:
            master = self.cal.events.get(rec.recurring_event_id)
            return master is not None and not master.cancelled
        return False

    def _time_ok(self, rec: EventRecord) -> bool:
        if self.q.time_min is None and self.q.time_max is None:
            return True
        if rec.recurrence is not None:
            return series.series_overlaps(self.cal, rec, self.q.time_min, self.q.time_max)
        return overlaps(*series.span(rec, self.tz), self.q.time_min, self.q.time_max)

    def full_items(self, rec: EventRecord) -> list[EventRecord]:
        """What one stored record contributes to a (non-incremental) listing."""
        if self.q.single_events:
            if rec.recurring_event_id and rec.recurring_event_id in self.cal.events:
                return []  # listed through its series
            if rec.recurrence is not None and not rec.cancelled:
                found = series.instances(
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
        if self.q.event_types is not None and type_of(rec.body) not in self.q.event_types:
            return []
        if self.q.single_events and rec.recurrence is not None and not rec.cancelled:
            generated = series.instances(self.cal, rec, include_cancelled=True)
            return [i for i in generated if i.virtual]
        return [rec]

    def show(self, rec: EventRecord, viewer: str) -> dict[str, Any]:
        """Full resource, or the minimal tombstone of a cancelled event when showDeleted is not set."""
        if rec.cancelled and not self.q.show_deleted:
            return tombstone(rec, self.cal, self.q.view_tz)
        return render(rec, self.cal, viewer, self.q.view_tz)


def _page_token(kind: str, cal: CalendarData, nonce: str, upto: int, nxt: paging.Cursor) -> str:
    log = cal.changes
    return encode_token(
        PAGE_PREFIX,
        {"k": kind, "c": cal.id, "n": nonce, "e": log.epoch, "u": upto, "p": nxt[0], "x": nxt[1]},
    )


def _incremental(
    cal: CalendarData, lister: _Lister, q: ListQuery, page: dict[str, Any] | None, nonce: str
) -> tuple[int, list[EventRecord], paging.Cursor | None]:
    log = cal.changes
    if page is None:
        token = decode_token(SYNC_PREFIX, q.sync_token or "") or {}
        since = token.get("s")
        same = token.get("c") == cal.id and token.get("n") == nonce and token.get("e") == log.epoch
        if not same or not isinstance(since, int) or since > log.seq:
            raise paging.full_sync_required()
        upto, cursor = log.seq, (log.position_after(since), 0)
    else:
        if page.get("e") != log.epoch:
            raise paging.full_sync_required()
        upto, cursor = int(page["u"]), (int(page["p"]), int(page["x"]))

    def produce(pos: int) -> list[EventRecord]:
        seq, event_id = log.at(pos)
        rec = cal.events[event_id]
        return lister.sync_items(rec) if rec.seq == seq else []

    size = paging.page_size(q.max_results, q.page_cap)
    items, nxt = paging.page(log.position_after(upto), produce, cursor, size)
    return upto, items, nxt


def _ordered(
    cal: CalendarData, lister: _Lister, q: ListQuery, page: dict[str, Any] | None
) -> tuple[int, list[EventRecord], paging.Cursor | None]:
    upto = int(page["u"]) if page else cal.changes.seq
    offset = int(page["p"]) if page else 0
    everything = [item for rid in cal.order for item in lister.full_items(cal.events[rid])]
    if q.order_by == "startTime":
        everything.sort(key=lambda r: (series.span(r, lister.tz)[0], r.id))
    else:
        everything.sort(key=lambda r: (r.updated, r.id))
    size = paging.page_size(q.max_results, q.page_cap)
    items = everything[offset : offset + size]
    return upto, items, ((offset + size, 0) if offset + size < len(everything) else None)


def list_events(cal: CalendarData, q: ListQuery, *, viewer: str, role: str, nonce: str) -> dict[str, Any]:
    lister = _Lister(cal, q)
    log = cal.changes
    page: dict[str, Any] | None = None
    if q.page_token:
        page = decode_token(PAGE_PREFIX, q.page_token)
        if page is None or page.get("c") != cal.id or page.get("n") != nonce:
            raise paging.bad_page_token()
    kind = str(page.get("k")) if page else ("i" if q.sync_token else "o" if q.order_by else "f")
    if kind == "i":
        upto, items, nxt = _incremental(cal, lister, q, page, nonce)
    elif kind == "o":
        upto, items, nxt = _ordered(cal, lister, q, page)
    elif kind == "f":
        upto = int(page["u"]) if page else log.seq
        cursor = (int(page["p"]), int(page["x"])) if page else (0, 0)
        order = cal.order
        size = paging.page_size(q.max_results, q.page_cap)
        items, nxt = paging.page(
            len(order), lambda pos: lister.full_items(cal.events[order[pos]]), cursor, size
        )
    else:
        raise paging.bad_page_token()
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
        body["nextPageToken"] = _page_token(kind, cal, nonce, upto, nxt)
    else:
        body["nextSyncToken"] = encode_token(
            SYNC_PREFIX, {"c": cal.id, "n": nonce, "e": log.epoch, "s": upto}
        )
    body["items"] = [lister.show(rec, viewer) for rec in items]
    return body


def list_instances(
    cal: CalendarData, master: EventRecord, q: ListQuery, *, viewer: str, role: str, nonce: str
) -> dict[str, Any]:
    """events.instances: one series' instances in the window, offset-paged."""
    if master.recurrence is None:
        found = [master]
    else:
        found = series.instances(
            cal, master, time_min=q.time_min, time_max=q.time_max, include_cancelled=q.show_deleted
        )
    offset = 0
    if q.page_token:
        page = decode_token(PAGE_PREFIX, q.page_token)
        if page is None or page.get("c") != cal.id or page.get("k") != "n":
            raise paging.bad_page_token()
        offset = int(page["p"])
    size = paging.page_size(q.max_results, q.page_cap)
    chunk = found[offset : offset + size]
    lister = _Lister(cal, q)
    body: dict[str, Any] = {
        "kind": "calendar#events",
        "etag": master.etag,
        "summary": cal.summary,
        "updated": master.updated,
        "timeZone": cal.timezone,
        "accessRole": role,
        "defaultReminders": [],
        "items": [lister.show(rec, viewer) for rec in chunk],
    }
    if offset + size < len(found):
        body["nextPageToken"] = encode_token(
            PAGE_PREFIX, {"k": "n", "c": cal.id, "n": nonce, "p": offset + size}
        )
    return body
