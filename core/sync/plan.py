"""Planning one pull: every changed event and every pending appointment paired, decided, and turned into
`Decisions` (core.sync.decisions) before anything is applied.

`plan()` reads the appointments involved (only those, except on a full listing or Populate Google), pairs
them with the Google side (core.sync.pairing), asks core.sync.rules what to do with each pair, and has
core.sync.actions turn each `Action` into commit-ready records. The caller commits the writes and sends the
pushes; between the two, `Decisions` can be inspected: `decided` says which act each appointment got,
`count()` sums them, and `deletions` holds what the mass-deletion guard (core.sync.guard) counts and may
hold back. Deletions the guard held in earlier runs come back in through `held` and are decided again
with everything else. A full listing also settles the linked appointments whose event is absent from it.

This module reads the book but never writes it, never calls Google, and never judges a pair itself (the
rules do).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from studiosync.core.model.appointments import Appointment
from studiosync.core.studio.event_kinds import NOT_APPOINTMENTS
from studiosync.core.sync import mapping, pairing
from studiosync.core.sync.actions import apply
from studiosync.core.sync.calendar_run import CalendarRun
from studiosync.core.sync.commit import Purge, Write
from studiosync.core.sync.decisions import Decisions, Deletion, PushOp
from studiosync.core.sync.listing import Listing
from studiosync.core.sync.mapping import EventData
from studiosync.core.sync.pairing import GoogleSide
from studiosync.core.sync.rules import Act, counts_as_deletion, decide


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
