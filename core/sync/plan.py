"""Planning one pull: every changed event and every pending appointment paired, decided, and turned into
`Decisions` -- the writes, purges, cleared pending entries and pushes of the run -- before anything is applied.

`plan()` reads the appointments involved (only those, except on a full listing or Populate Google), pairs
them with the Google side (core.sync.pairing), asks core.sync.rules what to do with each pair, and turns each
`Action` into commit-ready records (`apply`). The caller commits the writes and sends the pushes; between
the two, `Decisions` can be inspected: `decided` says which act each appointment got, `count()` sums them,
and `deletions` holds what the mass-deletion guard (core.sync.guard) counts and may hold back. Deletions
the guard held in earlier runs come back in through `held` and are decided again with everything else.

Every record that links an appointment to its event also carries the synced base (core.sync.synced): the
values both sides hold once the decision is applied, so the next run can tell which side changed which
field. A pair changed on both sides is merged field by field (core.sync.merge): the studio gets Google's
changes, Google gets a patch of the studio's, and only a field changed on both is a conflict.

This module reads the book but never writes it, never calls Google, and never judges a pair itself (the
rules and the merge do); it logs what it decided (run log counts, notes, conflict records).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from studiosync.core.model import Appointment
from studiosync.core.studio.appointments import add_trace
from studiosync.core.studio.event_kinds import NOT_APPOINTMENTS
from studiosync.core.studio.timeparse import stamp
from studiosync.core.sync import mapping, merge, pairing, synced
from studiosync.core.sync.calendar_run import CalendarRun
from studiosync.core.sync.commit import Clear, Purge, Write
from studiosync.core.sync.listing import Listing
from studiosync.core.sync.mapping import EventData
from studiosync.core.sync.pairing import GoogleSide
from studiosync.core.sync.rules import Act, Action, counts_as_deletion, decide

Side = Literal["google", "studio"]  # where a deletion was made: Google's side or the studio's


@dataclass
class PushOp:
    kind: str  # insert | patch | delete | fetch (events.get: Google's version of a refused change)
    appt: Appointment
    base_revision: int | None
    event_id: str
    restore: bool = False
    bounced: bool = False  # already retried once in the other form (409 <-> 404)

    @property
    def key(self) -> str:
        return self.appt.id


@dataclass
class Deletion:
    """A deletion of a linked pair decided in this run, not yet applied (its Purge or its delete PushOp)."""

    side: Side  # "google": deleted on Google, the studio copy would go; "studio": the other way round
    appt: Appointment
    event_id: str
    series: str | None = None  # Google's side: the recurring series the event is an instance of

    @property
    def item(self) -> str:
        """What the guard counts as one deletion: an appointment deleted in the studio; an event deleted
        on Google -- a whole series (or its "this and following") being one."""
        if self.side == "studio":
            return self.appt.id
        return self.series or self.event_id


@dataclass
class Decisions:
    writes: list[Write] = field(default_factory=list)
    purges: list[Purge] = field(default_factory=list)
    clears: list[Clear] = field(default_factory=list)
    pushes: list[PushOp] = field(default_factory=list)
    decided: dict[str, Act] = field(default_factory=dict)  # appointment id -> what the rules decided
    deletions: dict[str, Deletion] = field(default_factory=dict)  # what the mass-deletion guard counts
    empty_listing: int = 0  # a full listing with no live event while this many appointments are linked

    def count(self, *acts: Act) -> int:
        """How many pairs got one of these acts (e.g. rules.DELETIONS), before anything is applied."""
        return sum(1 for act in self.decided.values() if act in acts)

    def on_side(self, side: Side) -> dict[str, Deletion]:
        return {aid: d for aid, d in self.deletions.items() if d.side == side}

    def withdraw(self, ids: set[str]) -> None:
        """Take these deletions back: their Purge / delete PushOp is not applied in this run."""
        self.purges = [p for p in self.purges if p.appointment_id not in ids]
        self.pushes = [p for p in self.pushes if not (p.kind == "delete" and p.key in ids)]


def plan(
    run: CalendarRun,
    sides: list[GoogleSide],
    listing: Listing,
    switched: bool,
    held: Mapping[str, EventData] | None = None,
) -> Decisions:
    """Decide every pair this pull touches. Nothing is written: the caller commits and pushes.
    `held`: appointment id -> the tombstone of Google's deletions held back by earlier runs (the listing
    that reported them is behind the sync token now): decided again as deleted on Google, unless this
    listing says otherwise."""
    apps = run.studio.appointments
    candidates: dict[str, list[GoogleSide]] = {}
    for side in sides:
        candidates.setdefault(pairing.appointment_id(run.login, side.event), []).append(side)
    for aid, gone in (held or {}).items():
        if aid not in candidates:
            candidates[aid] = [GoogleSide(gone, series_tracked=True)]
    pending = set(apps.pending_ids(run.login))
    decisions = Decisions()
    handled: set[str] = set()
    if listing.full or run.populate_google:
        # Rare by nature (first run, 410, populate): the only places that read the whole book.
        found = {a.id: a for a in apps.list(run.login, include_deleted=True)}
        if listing.full:
            _not_appointments(run, found, candidates, listing)
            handled = _absent(run, found, candidates, listing, switched, decisions)
        if run.populate_google:
            pending.update(a.id for a in found.values() if not a.deleted and not a.google_event_id)
    else:
        found = apps.get_many(run.login, set(candidates) | pending)
    for aid in sorted((set(candidates) | pending) - handled):
        appt = found.get(aid)
        side = pairing.choose(candidates.get(aid), appt)
        pair, ev = pairing.pair_facts(
            appt,
            side,
            login=run.login,
            pending=aid in pending,
            two_way=run.two_way,
            tentative_ok=run.prefs.tentative,
            populate_studio=run.populate_studio,
            populate_google=run.populate_google,
            enabled_at=run.enabled_at,
        )
        action = decide(pair)
        decisions.decided[aid] = action.act
        if appt is not None and appt.google_event_id and counts_as_deletion(action):
            on_google = action.act is Act.PULL_DELETE
            series = ev.recurring_event_id if ev is not None and on_google else None
            decisions.deletions[aid] = Deletion(
                "google" if on_google else "studio", appt, appt.google_event_id, series
            )
        apply(run, action, aid, appt, ev, decisions)
    return decisions


def _not_appointments(
    run: CalendarRun, book: dict[str, Appointment], candidates: dict[str, list[GoogleSide]], listing: Listing
) -> None:
    """A full listing: appointments an older version made from instances of a working-location or birthday
    series -- past ones too, which no expansion tracks any more -- meet their series' type and leave."""
    kinds = {
        item.get("id"): str(item.get("eventType"))
        for item in listing.items
        if item.get("recurrence") and item.get("status") != "cancelled"
    }
    kinds = {k: v for k, v in kinds.items() if v in NOT_APPOINTMENTS}
    if not kinds:
        return
    for appt in book.values():
        master = (appt.google_event_id or "").rpartition("_")[0]
        if master in kinds and appt.id not in candidates:
            stub = EventData(
                id=appt.google_event_id or "",
                etag="",
                status="confirmed",
                recurring_event_id=master,
                event_type=kinds[master],
            )
            candidates[appt.id] = [GoogleSide(stub, series_tracked=True)]


def deleted_from_google(run: CalendarRun, appt: Appointment, event_id: str) -> None:
    """The run log's count and line for a Google deletion that reaches the studio."""
    run.log.count("pulled_deleted")
    run.log.info(f"deleted {appt.id} (its Google event {event_id} was deleted or declined)", title=appt.title)


def tombstone(event_id: str, series: str | None = None) -> EventData:
    """What a deleted event is known by for sure (Google guarantees only id and status)."""
    return EventData(id=event_id, etag="", status="cancelled", recurring_event_id=series)


def _absent(
    run: CalendarRun,
    book: dict[str, Appointment],
    candidates: dict[str, list[GoogleSide]],
    listing: Listing,
    switched: bool,
    decisions: Decisions,
) -> set[str]:
    """A full listing: linked appointments whose event is not in it. Returns the ids decided here."""
    _, absent = pairing.absent_from_listing(book, candidates, listing.items, run.state.series)
    if not switched:
        linked_live = sum(1 for a in book.values() if a.google_event_id and not a.deleted)
        live = any(item.get("status") != "cancelled" for item in listing.items)
        if not live and linked_live >= run.options.mass_delete_min:
            # A suddenly empty calendar (the wrong account, a broken proxy, a calendar cleared by mistake),
            # its events absent or listed as deleted: the guard holds these deletions whatever their number.
            decisions.empty_listing = linked_live
    if not absent:
        return set()
    if switched:
        # Not this calendar's events: re-create them in the chosen calendar (insert with our ids).
        for appt in absent:
            if appt.deleted:
                decisions.purges.append(Purge(appt.id, appt.revision))
                continue
            changed = replace(
                appt,
                google_event_id=None,
                google_etag=None,
                google_updated=None,
                synced=None,
                trace=list(appt.trace),
            )
            changed.synced_revision = 0
            decisions.writes.append(Write(changed, appt.revision))
            # They were synced before: they go to the new calendar whatever their age.
            decisions.pushes.append(PushOp("insert", changed, appt.revision, mapping.event_id_for(appt.id)))
        return {a.id for a in absent}
    for appt in absent:  # deleted on Google: decided as such with everything else
        candidates[appt.id] = [GoogleSide(tombstone(appt.google_event_id or ""), series_tracked=True)]
    return set()


# -- actions into records ---------------------------------------------------------------------------
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


# Acts about the studio's own change: they need the appointment, and the event only to address a push.
STUDIO_SIDE = frozenset({Act.PURGE, Act.PUSH_DELETE, Act.PUSH_PATCH, Act.PUSH_INSERT, Act.FETCH_GOOGLE})


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


def copy(appt: Appointment) -> Appointment:
    """A copy safe to change (its trace list is its own)."""
    return replace(appt, trace=list(appt.trace))
