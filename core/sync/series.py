"""Recurring series: Google's listing turned into the events the studio pairs with (one appointment each).

Singles pass as they are. A recurring master the studio syncs is expanded (events.instances, batched) over
the window [start of today, now + horizon]; its instances are tracked in the sync state so that an instance
that vanishes (or a whole series that goes) comes back as a deletion, and a rolling horizon brings new
instances in as days pass. Exceptions of a tracked series update its tracking. Past instances leave the
tracking: the past is not reconciled. A tracked series of a type the studio never keeps (working location,
birthday: expanded by an older version) stops being tracked and its instances leave the studio book.

This module reads Google (events.instances) and keeps the series part of the sync state (saved by the run);
it never writes the appointment book and never decides what happens to an appointment.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from studiosync.core.google.api import BatchRunner, execute
from studiosync.core.google.errors import GoogleError, classify
from studiosync.core.sync import mapping
from studiosync.core.sync.calendar_run import CalendarRun
from studiosync.core.sync.failures import FATAL_CAUSES
from studiosync.core.sync.mapping import EventData
from studiosync.core.sync.pairing import GoogleSide, not_appointment, ours, pullable


def google_sides(run: CalendarRun, parsed: list[EventData]) -> list[GoogleSide]:
    """Singles as they are; recurring masters expanded into instances (one appointment each)."""
    sides: list[GoogleSide] = []
    series = run.state.series
    # A deleted series may come as Google's minimal tombstone (id and status, no `recurrence`): it is the
    # master all the same when we track a series under that id.
    masters = {e.id: e for e in parsed if e.recurring or (e.cancelled and e.id in series)}
    to_expand: set[str] = set()
    for master in masters.values():
        if ours(run.login, master) is not None:
            continue  # one of our own events made recurring on Google: its appointment stays single
        tracked = master.id in series
        if master.cancelled:
            if tracked:
                sides.extend(_vanished(run, master.id, series.pop(master.id), all_of_them=True))
            continue
        if not_appointment(master):
            if tracked:  # expanded by an older version: its instances leave the studio book, not Google
                sides.extend(_not_appointments(master, series.pop(master.id)))
            continue
        if run.two_way and (tracked or _new_series_wanted(run, master)):
            to_expand.add(master.id)
    if run.two_way:
        horizon_due = run.window_end - run.options.roll_after
        for master_id, info in series.items():
            end = mapping.parse_stamp(info.get("window_end"))
            if master_id not in masters and (end is None or end < horizon_due):
                to_expand.add(master_id)  # rolling horizon: new instances came into the window
    expanded = _expand(run, sorted(to_expand)) if to_expand else {}
    for master_id, instances in expanded.items():
        old = series.get(master_id) or {}
        if instances is None:  # the series is gone
            if master_id in series:
                sides.extend(_vanished(run, master_id, series.pop(master_id), all_of_them=True))
            continue
        if any(not_appointment(inst) for inst in instances):  # the type of a series never changes
            sides.extend(GoogleSide(inst, series_tracked=True) for inst in instances)
            series.pop(master_id, None)
            continue
        tracked_now: dict[str, str] = {}
        for inst in instances:
            tracked_now[inst.id] = _text(inst.original_start or inst.start)
            sides.append(GoogleSide(inst, series_tracked=True))
        old_instances = dict(old.get("instances") or {})
        gone = {k: v for k, v in old_instances.items() if k not in tracked_now}
        sides.extend(_vanished(run, master_id, {"instances": gone}, all_of_them=False))
        # Past instances leave the tracking (the past is not reconciled), future ones stay tracked.
        series[master_id] = {"window_end": run.window_end.isoformat(), "instances": tracked_now}
    for ev in parsed:
        if ev.id in masters:
            continue
        if ev.cancelled and not ev.recurring_event_id:
            _untrack(series, ev.id)  # an instance's minimal tombstone (id and status only)
        if ev.recurring_event_id and ours(run.login, ev) is None:
            side = _exception(run, ev, expanded)
            if side is not None:
                sides.append(side)
            continue
        sides.append(GoogleSide(ev))
    return sides


def _untrack(series: dict[str, dict[str, Any]], instance_id: str) -> None:
    """Stop tracking a deleted instance (its tombstone itself pairs with the appointment)."""
    master_id = instance_id.rpartition("_")[0]
    instances = (series.get(master_id) or {}).get("instances")
    if instances and instance_id in instances:
        del instances[instance_id]


def _new_series_wanted(run: CalendarRun, master: EventData) -> bool:
    """An untracked series becomes appointments under the same filter as a single event."""
    return pullable(
        master,
        tentative_ok=run.prefs.tentative,
        populate_studio=run.populate_studio,
        enabled_at=run.enabled_at,
        existing=False,
        series_tracked=False,
    )


def _exception(
    run: CalendarRun, ev: EventData, expanded: dict[str, list[EventData] | None]
) -> GoogleSide | None:
    """A changed instance of a series listed on its own: tracked when the series is, inside the window."""
    master_id = ev.recurring_event_id or ""
    if master_id in expanded:
        return None  # the expansion already covered it
    info = run.state.series.get(master_id)
    if info is None:
        return None  # an exception of a series we do not sync
    instances = info.setdefault("instances", {})
    original = ev.original_start or ev.start
    if ev.id not in instances and original is not None and not run.in_window(original):
        return None
    if ev.cancelled:
        instances.pop(ev.id, None)
    else:
        instances[ev.id] = _text(original)
    return GoogleSide(ev, series_tracked=True)


def _vanished(
    run: CalendarRun, master_id: str, info: dict[str, Any], *, all_of_them: bool
) -> Iterator[GoogleSide]:
    """Tracked instances no longer on Google: deletions (only inside the window, unless the series went)."""
    for inst_id, original in (info.get("instances") or {}).items():
        if not all_of_them and original and run.before_window(original):
            continue  # just slid out of the window into the past: keep it
        yield GoogleSide(
            EventData(id=inst_id, etag="", status="cancelled", recurring_event_id=master_id), True
        )


def _not_appointments(master: EventData, info: dict[str, Any]) -> Iterator[GoogleSide]:
    """The tracked instances of a series of a type the studio never keeps (working location, birthday),
    as the events they are: each pairs with its appointment, which leaves the studio book."""
    for inst_id in info.get("instances") or {}:
        stub = EventData(
            id=inst_id,
            etag=master.etag,
            status=master.status,
            recurring_event_id=master.id,
            event_type=master.event_type,
        )
        yield GoogleSide(stub, series_tracked=True)


def _expand(run: CalendarRun, master_ids: list[str]) -> dict[str, list[EventData] | None]:
    """events.instances for each series over [start of today, now + horizon], batched. None: series gone."""
    time_min = run.window_start.isoformat()
    time_max = run.window_end.isoformat()

    def request(master_id: str, page: str | None = None) -> Any:
        kwargs: dict[str, Any] = {
            "calendarId": run.calendar_id,
            "eventId": master_id,
            "timeMin": time_min,
            "timeMax": time_max,
            "maxResults": run.options.page_size,
        }
        if page:
            kwargs["pageToken"] = page
        return run.events.instances(**kwargs)

    runner = BatchRunner(run.service, policy=run.options.policy, chunk_size=run.options.batch_size)
    results = runner.run((m, request(m)) for m in master_ids)
    out: dict[str, list[EventData] | None] = {}
    for master_id in master_ids:
        resp = results.get(master_id)
        if isinstance(resp, BaseException):
            problem = classify(resp)
            if problem.cause == "not_found" or getattr(getattr(resp, "resp", None), "status", 0) in (
                404,
                410,
            ):
                out[master_id] = None
                continue
            if problem.cause in FATAL_CAUSES or problem.transient:
                raise GoogleError(problem) from resp
            # Google's change to this series is not applied: the run fails and keeps its old sync token,
            # so the next run lists the series again.
            run.pull_failures += 1
            run.log.fail(
                f"recurring event {master_id} could not be expanded: {problem.message}",
                cause=problem.cause,
                fix=problem.fix,
            )
            continue
        items = list(resp.get("items") or [])
        page = resp.get("nextPageToken")
        while page:  # > page_size instances in the window: rare (a minutely series), page on
            more = execute(request(master_id, page), policy=run.options.policy)
            items.extend(more.get("items") or [])
            page = more.get("nextPageToken")
        out[master_id] = [mapping.parse_event(i, run.tz) for i in items]
    return out


def _text(value: Any) -> str:
    return value.isoformat() if value is not None else ""
