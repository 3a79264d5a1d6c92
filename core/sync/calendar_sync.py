"""Two-way sync of one user's appointments with their one chosen Google calendar: the run that composes
the steps.

One run, in three steps (each ends at a safe point: what it did is saved before the next starts):

1. Pull. List Google's changes (core.sync.listing: syncToken; a full listing on the first run, for Populate
   studio, after a calendar switch or when Google answers 410), expand recurring series into instances
   (core.sync.series), pair every changed event and every pending studio appointment and decide each pair
   (core.sync.plan over core.sync.pairing and the pure rules of core.sync.rules), let the mass-deletion
   guard hold back too many deletions (core.sync.guard), write the studio side in one commit, then save
   the new syncToken, series state and held record together -- token last, so a crash before it replays
   the same changes, which are then echoes. A Google change that could not be applied keeps the old
   token, so the next run lists it again.
2. Push. Send studio changes (the pending file; the whole book once for Populate Google) to Google in
   batches of <= 50 (core.sync.push), committing the links every few hundred results.
3. Populate boxes uncheck themselves when their work finished without error.

Between the google-sync job's full runs, its live sync (core.jobs.live, through the processor) runs two
lighter passes on the same steps: `push_pending` (push on save: the pending studio changes planned with an
empty incremental listing -- nothing from Google -- then step 2) and `pull_changes` (the fast pull: one
incremental listing; only when it brings something do the series, plan, commit, token and pushes follow).
Both need the full run to have listed the calendar once (`live_ready`).

The cost of a run follows the number of changes: nothing here scans the book except a full listing and
Populate Google, which are rare by nature. This module only sequences the steps and keeps the sync state's
calendar part; it must never judge a pair (rules), build a request (listing, series, push) or read the book.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from studiosync.core import clock
from studiosync.core.explain import explain_cause
from studiosync.core.model.users import GooglePrefs
from studiosync.core.store import layout
from studiosync.core.studio.timeparse import stamp
from studiosync.core.sync import mapping
from studiosync.core.sync.calendar_run import CalendarRun
from studiosync.core.sync.commit import commit
from studiosync.core.sync.decisions import Decisions, PushOp
from studiosync.core.sync.guard import DeletionGuard, Release
from studiosync.core.sync.listing import Listing, list_changes
from studiosync.core.sync.options import SyncOptions
from studiosync.core.sync.plan import plan, tombstone
from studiosync.core.sync.push import Pusher
from studiosync.core.sync.restore import undo_studio_deletions
from studiosync.core.sync.runlog import RunLog
from studiosync.core.sync.series import google_sides
from studiosync.core.sync.state import SyncState

# The sync state of a calendar listed fully since the sync reads Google's event types (see pull()).
EVENT_TYPES_VERSION = 1

__all__ = ["CalendarSync", "Decisions", "Listing", "PushOp", "SyncOptions", "update_google_prefs"]


class CalendarSync:
    def __init__(
        self,
        studio: Any,
        prefs: GooglePrefs,
        service: Any,
        state: SyncState,
        log: RunLog,
        *,
        tz_name: str,
        options: SyncOptions | None = None,
        stop: threading.Event | None = None,
        now: datetime | None = None,
        release: Release | None = None,
    ) -> None:
        options = options or SyncOptions()
        self.ctx = CalendarRun(
            studio, prefs, service, state, log, tz_name, options, stop, now or clock.now(), release
        )
        self.guard = DeletionGuard(self.ctx)
        if prefs.populate_studio and not prefs.two_way:
            log.warning(
                "Populate studio waits for two-way sync: turn on 'Send New, Modified, and Deleted Google "
                "Appointments to the studio' in the Google tab (the box stays checked until then)"
            )

    # ================================================================================================
    def run(self) -> None:
        run = self.ctx
        decisions = self.pull()
        self.guard.report()  # a held user's run fails (it needs a person); the rest goes on as usual
        if run.stopping():
            run.log.info("stop requested: pull step finished and saved; pushes left for the next run")
            return
        self.push(decisions.pushes)
        if run.stopping():
            return
        if run.populate_google and run.push_failures == 0:
            self._uncheck("populate_google")
            run.state.populate["google_done"] = stamp()
            run.log.info("Populate Google finished: the box unchecked itself")

    # ================================================================================================
    # live passes (core.jobs.live)
    def live_ready(self) -> str | None:
        """Why this calendar needs a full run before live passes (None: they may run). A full listing,
        Populate and a calendar or account switch are the scheduled run's work."""
        run, state = self.ctx, self.ctx.state
        if not state.calendar_matches(run.calendar_id) or not state.sync_token:
            return "waits for the first full sync run of this calendar"
        if run.populate_studio or run.populate_google:
            return "a Populate box is checked: the next full sync run does it"
        if run.two_way and state.calendar.get("two_way") is False:
            return "two-way sync was just turned on: the next full sync run lists the calendar"
        if state.calendar.get("event_types") != EVENT_TYPES_VERSION:
            return "the next full sync run lists the calendar once to learn its event types"
        return None

    def push_pending(self) -> None:
        """Push on save: the pending studio changes, decided against nothing new from Google (an empty
        incremental listing), committed, then sent. The sync token stays as it is."""
        run = self.ctx
        run.studio.appointments.settle(run.login)  # woken by the pending file: let its writer finish
        nothing = Listing([], run.state.sync_token, None, full=False)
        decisions = plan(run, [], nothing, switched=False)
        self._commit(decisions)
        self.push(decisions.pushes)

    def pull_changes(self) -> bool:
        """The fast pull: one incremental listing (one request when nothing changed, and then nothing is
        written). Only when Google has changes: series, plan, commit, token (a pull), then the pushes.
        Returns whether Google had anything."""
        run = self.ctx
        listing = list_changes(run, run.state.sync_token)  # 410: a full listing, as a full run would
        if not listing.items and not listing.full:
            return False
        decisions = self.pull(listing)
        if not run.stopping():
            self.push(decisions.pushes)
        return True

    # ================================================================================================
    # step 1: pull
    def pull(self, listing: Listing | None = None) -> Decisions:
        """List (unless the fast pull already did), expand, pair and decide; commit the studio side; save
        the token. Returns the decisions, whose pushes are step 2."""
        run = self.ctx
        state, log = run.state, run.log
        switched = not state.calendar_matches(run.calendar_id)
        if switched:
            if state.calendar.get("calendar_id"):
                log.info("calendar changed: full listing; links to the old calendar are re-created")
            state.reset_calendar(run.calendar_id)
            if state.held:
                # They were about the old calendar's events; a switch deletes nothing on either side.
                log.info(
                    "calendar changed: the deletions held for the old calendar are dropped (none applied)"
                )
                state.held.clear()
        token = None if (run.populate_studio or switched) else state.sync_token
        if token and run.two_way and state.calendar.get("two_way") is False:
            # One-way runs moved the token past Google's changes without applying them; a full listing
            # brings what changed on Google meanwhile (links and etags keep it from duplicating anything).
            log.info("two-way was turned on: full listing, so Google changes made meanwhile come over")
            token = None
        if token and state.calendar.get("event_types") != EVENT_TYPES_VERSION:
            # Synced by a version that did not read eventType: one full listing finds the working locations
            # and birthdays it imported (they leave the studio book) and the types of everything else.
            log.info("one full listing: the appointments learn their Google event types")
            token = None
        if listing is None:
            listing = list_changes(run, token)
        if listing.time_zone and listing.time_zone != run.tz_name:
            log.warning(
                f"the Google calendar's time zone ({listing.time_zone}) differs from the studio's "
                f"({run.tz_name}): times are kept as instants, but all-day and wall-clock views may differ",
                calendar_tz=listing.time_zone,
                studio_tz=run.tz_name,
            )
        parsed = [mapping.parse_event(item, run.tz) for item in listing.items]
        decisions = plan(run, google_sides(run, parsed), listing, switched, held=self._held_on_google())
        # Everything this pull (and the push after it) would do is in `decisions` now, and nothing is applied
        # yet: the guard holds back a run that would delete too much (or applies/undoes what a person released).
        undo = self.guard.check(decisions)
        self.guard.keep_held("studio", undo_studio_deletions(run, undo, decisions))
        self._commit(decisions)
        self._report_unknown()
        if run.pull_failures == 0:
            # Token last: everything it covers is saved above.
            if listing.token:
                state.calendar["sync_token"] = listing.token
            state.calendar["two_way"] = run.two_way  # what the token's listings were applied with
            state.calendar["time_zone"] = listing.time_zone
            if listing.full:
                state.calendar["full_listing"] = stamp()
                state.calendar["event_types"] = EVENT_TYPES_VERSION
        state.save(run.studio.store)
        if run.populate_studio and run.pull_failures == 0:
            self._uncheck("populate_studio")
            state.populate["studio_done"] = stamp()
            log.info("Populate studio finished: the box unchecked itself")
        return decisions

    def _held_on_google(self) -> dict[str, mapping.EventData]:
        """Google's deletions held by earlier runs, as the tombstones the listing brought then."""
        record = self.ctx.state.held.get("google") or {}
        series = record.get("series") or {}
        return {aid: tombstone(eid, series.get(aid)) for aid, eid in (record.get("items") or {}).items()}

    def _commit(self, d: Decisions) -> None:
        run = self.ctx
        if d.writes or d.purges or d.clears:
            result = commit(run.studio, run.login, d.writes, d.purges, d.clears)
            if result.merged:
                run.log.info(f"{result.merged} appointment(s) were edited during the sync: kept the edits")

    def _report_unknown(self) -> None:
        run = self.ctx
        if run.restored:
            run.log.warning(
                f"{run.restored} appointment(s) the studio had no record of were restored from their Google "
                "events (after restoring a backup, or another studiosync data folder syncs this calendar)",
                restored=run.restored,
            )
        if run.unknown_left:
            # They may be the only copy of bookings the studio lost: a person decides (not a warning).
            run.log.fail(
                f"{run.unknown_left} Google event(s) made by studiosync have no appointment in the studio "
                "(after restoring a backup, or another studiosync data folder syncs this calendar): left on "
                "Google untouched",
                cause="unknown_events",
                fix=explain_cause("unknown_events").for_login(run.login).fix,
                events=run.unknown_left,
            )

    # ================================================================================================
    # step 2: push
    def push(self, ops: list[PushOp]) -> None:
        Pusher(self.ctx).push(ops)

    # ================================================================================================
    def _uncheck(self, box: str) -> None:
        run = self.ctx
        update_google_prefs(run.studio, run.login, **{box: False})
        setattr(run.prefs, box, False)


def update_google_prefs(studio: Any, login: str, **fields: Any) -> None:
    """Change some fields of a user's Google tab in place (re-read under the lock, so a concurrent edit of
    other fields in the console is never overwritten)."""
    from studiosync.core.studio.users import GOOGLE

    with studio.store.transaction(layout.STUDIO) as tx:
        table = tx.table(layout.STUDIO, GOOGLE)
        row = table.get(doc_id=login)
        if row is None:
            return  # the user was removed meanwhile
        doc = dict(row)
        if all(doc.get(k) == v for k, v in fields.items()):
            return
        doc.update(fields)
        table.put(login, doc)
