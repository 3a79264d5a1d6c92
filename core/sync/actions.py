"""Each decided `Action` turned into commit-ready records: the writes, purges, cleared pending entries and
pushes it means (added to `Decisions`), with its run log lines and counts.

Every record that links an appointment to its event also carries the synced base (core.sync.synced): the
values both sides hold once the decision is applied, so the next run can tell which side changed which
field. A pair changed on both sides is merged field by field (core.sync.merge): the studio gets Google's
changes, Google gets a patch of the studio's, and only a field changed on both is a conflict.

This module never reads or writes the book, never calls Google, and never judges a pair itself (the
rules and the merge do): it works on copies of the appointments it is handed.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from studiosync.core.model.appointments import Appointment
from studiosync.core.studio.appointments import add_trace
from studiosync.core.studio.timeparse import stamp
from studiosync.core.sync import mapping, merge, synced
from studiosync.core.sync.calendar_run import CalendarRun
from studiosync.core.sync.commit import Clear, Purge, Write
from studiosync.core.sync.decisions import Decisions, PushOp, copy
from studiosync.core.sync.mapping import EventData
from studiosync.core.sync.rules import Act, Action

# Acts about the studio's own change: they need the appointment, and the event only to address a push.
STUDIO_SIDE = frozenset({Act.PURGE, Act.PUSH_DELETE, Act.PUSH_PATCH, Act.PUSH_INSERT, Act.FETCH_GOOGLE})


def apply(
    run: CalendarRun,
    action: Action,
    aid: str,
    appt: Appointment | None,
    ev: EventData | None,
    d: Decisions,
) -> None:
    """Turn one action into writes / purges / clears / pushes (and its log lines and counts)."""
    act, log = action.act, run.log
    if act is Act.NOTHING:
        return
    if act is Act.LEAVE_OURS:
        run.unknown_left += 1
        return
    if act is Act.CLEAR:
        d.clears.append(Clear(aid, appt.revision if appt is not None else 0))
        return
    if appt is None:
        assert ev is not None
        _new_from_google(run, action, aid, ev, d)
        return
    if act in STUDIO_SIDE:
        _studio_change(appt, act, d, ev)
        return
    assert ev is not None
    base = appt.revision
    if act is Act.PULL_DELETE and action.removal:
        d.purges.append(Purge(appt.id, appt.revision))
        log.count("removed")
        log.info(f"removed {appt.id} from the studio book: {action.note}", event_id=ev.id, title=appt.title)
    elif act is Act.PULL_DELETE:
        d.purges.append(Purge(appt.id, appt.revision))
        if aid not in d.deletions:  # else counted when the mass-deletion guard lets it through
            deleted_from_google(run, appt, ev.id)
    elif act is Act.PUSH_RESTORE:
        log.info(f"{appt.id} was deleted on Google but changed in the studio: restoring it on Google")
        d.pushes.append(PushOp("patch", appt, base, ev.id, restore=ev.cancelled))
    elif act is Act.UNDELETE:
        restored = copy(appt)
        restored.deleted = False
        _pull_into(run, restored, ev, action.note)
        d.writes.append(Write(restored, base))
        log.count("pulled_updated")
    elif act is Act.LINK:
        changed = copy(appt)
        _link(changed, ev)
        if appt.google_event_id is None:
            add_trace(changed, "linked", f"to Google event {ev.id}", log.run_id)
        d.writes.append(Write(changed, base))
    elif act is Act.PULL_UPDATE:
        changed = copy(appt)
        _pull_into(run, changed, ev, action.note)
        d.writes.append(Write(changed, base))
        log.count("pulled_updated")
    elif act is Act.LINK_AND_PUSH:
        _link_and_push(appt, ev, d)
    elif act is Act.MERGE:
        _merge(run, appt, ev, d)
    else:
        raise AssertionError(f"unhandled sync action {act}")



def _new_from_google(run: CalendarRun, action: Action, aid: str, ev: EventData, d: Decisions) -> None:
    """PULL_NEW / RESTORE_OURS: an appointment made from a Google event."""
    log = run.log
    if action.act is Act.PULL_NEW:
        new = mapping.new_appointment(run.login, ev, stamp())
        _link(new, ev)
        add_trace(new, "pulled", action.note, log.run_id)
        d.writes.append(Write(new, None))
        log.count("pulled_created")
        log.info(f"pulled new event {ev.id} as {new.id}", title=ev.title)
        return
    # One of our events whose appointment the studio has no record of: the store was restored from a
    # backup, or another data folder syncs this calendar. Two-way brings it back under its own id.
    restored = replace(mapping.new_appointment(run.login, ev, stamp()), id=aid, origin="studio")
    _link(restored, ev)
    add_trace(restored, "pulled", action.note, log.run_id)
    d.writes.append(Write(restored, None))
    log.count("pulled_created")
    run.restored += 1
    log.info(f"restored {aid} from its Google event {ev.id}", title=ev.title)


def _studio_change(appt: Appointment, act: Act, d: Decisions, ev: EventData | None = None) -> None:
    """Studio-side acts: forget a tombstone, or send the studio's change to the event it is about."""
    base = appt.revision
    if act is Act.PURGE:
        d.purges.append(Purge(appt.id, base))
    elif act is Act.PUSH_DELETE:
        # The linked event; else the listed one; else the one our insert may have made before a crash.
        target = appt.google_event_id or (ev.id if ev is not None else mapping.event_id_for(appt.id))
        d.pushes.append(PushOp("delete", appt, base, target))
    elif act is Act.PUSH_PATCH:
        d.pushes.append(PushOp("patch", appt, base, appt.google_event_id or ""))
    elif act is Act.FETCH_GOOGLE:
        d.pushes.append(PushOp("fetch", appt, base, appt.google_event_id or ""))
    else:
        d.pushes.append(PushOp("insert", appt, base, mapping.event_id_for(appt.id)))


def _merge(run: CalendarRun, appt: Appointment, ev: EventData, d: Decisions) -> None:
    """Changed on both sides: each field comes from the side that changed it; a field changed on both is a
    conflict the later change wins, recorded with both values. The studio takes the merged record now
    (linked to this Google version, which becomes the base); what Google lacks goes in one patch."""
    log = run.log
    result = merge.merge(
        synced.base_values(appt.synced),
        synced.appointment_values(appt),
        synced.event_values(ev),
        studio_later=mapping.is_later(appt.updated, ev.updated),
    )
    changed = copy(appt)
    synced.apply_values(changed, result.values)
    if result.to_studio:
        changed.revision += 1
        changed.updated = stamp()
        log.count("pulled_updated")
    _link(changed, ev)  # clean now, unless the studio's fields still have to reach Google:
    if result.to_google:
        changed.synced_revision = appt.synced_revision
        d.pushes.append(PushOp("patch", changed, changed.revision, ev.id))
    note = result.note
    if result.conflicts:
        log.conflict(_conflict_record(appt, ev, result))
        add_trace(changed, "conflict", note, log.run_id)
    else:
        add_trace(changed, "merged", note, log.run_id)
    log.info(f"changed on both sides, merged {appt.id}: {note}", event_id=ev.id, title=ev.title)
    d.writes.append(Write(changed, appt.revision))


def _conflict_record(appt: Appointment, ev: EventData, result: merge.Merged) -> dict[str, Any]:
    """A conflict as the run reports it: the fields changed on both sides, both values, the winner."""
    fields = [c.field for c in result.conflicts]
    return {
        "appointment_id": appt.id,
        "event_id": ev.id,
        "policy": "the later change wins",
        "fields": fields,
        "winner": result.conflicts[0].winner,  # one side: whose last change is the later
        "values": {
            c.field: {
                "studio": synced.shown(c.field, c.studio),
                "google": synced.shown(c.field, c.google),
                "base": synced.shown(c.field, c.base),
                "winner": c.winner,
            }
            for c in result.conflicts
        },
        "from_studio": [f for f in result.to_google if f not in fields],
        "from_google": [f for f in result.to_studio if f not in fields],
        "studio": mapping.appointment_summary(appt),
        "google": ev.summary(),
    }


def _link_and_push(appt: Appointment, ev: EventData, d: Decisions) -> None:
    """One-way: link to the event met and send it the studio's changes (every field without a base)."""
    changed = copy(appt)
    changed.google_event_id = ev.id
    changed.google_etag = ev.etag
    changed.google_updated = ev.updated
    mapping.take_google_facts(changed, ev)
    if changed.synced is not None:  # the studio's base stays; the event's own zones are Google's facts
        changed.synced = {**changed.synced, "start_tz": ev.start_tz, "end_tz": ev.end_tz}
    d.writes.append(Write(changed, appt.revision))
    d.pushes.append(PushOp("patch", changed, changed.revision, ev.id))


def _pull_into(run: CalendarRun, appt: Appointment, ev: EventData, note: str) -> None:
    mapping.apply_event(appt, ev)
    appt.revision += 1
    appt.updated = stamp()
    _link(appt, ev)
    add_trace(appt, "pulled", note, run.log.run_id)
    run.log.info(f"{note}: {appt.id}", event_id=ev.id, title=ev.title)


def _link(appt: Appointment, ev: EventData) -> None:
    """The appointment holds the event's version now: link it, and that version is the synced base."""
    appt.google_event_id = ev.id
    appt.google_etag = ev.etag
    appt.google_updated = ev.updated
    appt.synced = synced.base_of_event(ev)
    appt.synced_revision = appt.revision
    appt.sync_error = None
    mapping.take_google_facts(appt, ev)


def deleted_from_google(run: CalendarRun, appt: Appointment, event_id: str) -> None:
    """The run log's count and line for a Google deletion that reaches the studio."""
    run.log.count("pulled_deleted")
    run.log.info(f"deleted {appt.id} (its Google event {event_id} was deleted or declined)", title=appt.title)
