"""Two-way sync of one user's appointments with their one chosen Google calendar.

One run, in three steps (each ends at a safe point: what it did is saved before the next starts):

1. Pull. List Google's changes (syncToken; a full listing on the first run, for Populate studio, after a
   calendar switch or when Google answers 410), expand changed recurring series into instances, pair every
   changed event and every pending studio appointment by appointment id, decide each pair
   (vdirsyncer-style, see `decide`), write the studio side in one commit, then save the new syncToken and
   series state -- token last, so a crash before it replays the same changes, which are then echoes.
2. Push. Send studio changes (the pending file; the whole book once for Populate Google) to Google in
   batches of <= 50, handle the answers (409 on insert -> it exists: patch it; 404 on patch -> gone:
   insert it again with our id), and commit the links every few hundred results.
3. Populate boxes uncheck themselves when their work finished without error.

The cost of a run follows the number of changes: nothing here scans the book except a full listing and
Populate Google, which are rare by nature.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from googleapiclient.errors import HttpError
from studiosync.core import clock
from studiosync.core.google.api import DEFAULT_POLICY, BatchRunner, RetryPolicy, execute
from studiosync.core.google.errors import GoogleError, GoogleProblem, classify
from studiosync.core.model import Appointment, GooglePrefs
from studiosync.core.store import layout
from studiosync.core.studio.appointments import add_trace
from studiosync.core.studio.timeparse import stamp
from studiosync.core.sync import mapping
from studiosync.core.sync.commit import Clear, Purge, Write, commit
from studiosync.core.sync.mapping import EventData
from studiosync.core.sync.runlog import RunLog
from studiosync.core.sync.state import SyncState

# Causes after which no further call of this user can succeed: the user's run fails.
FATAL_CAUSES = frozenset(
    {
        "grant_revoked",
        "insufficient_scope",
        "calendar_gone",
        "quota",
        "oauth_client_invalid",
        "api_not_enabled",
    }
)


@dataclass
class SyncOptions:
    horizon_days: int = 365  # recurring events: instances this far ahead become appointments
    roll_after: timedelta = timedelta(days=1)  # re-expand a series when its window fell this far behind
    mass_delete_min: int = 6  # an empty full listing deletes nothing when at least this many pairs are linked
    commit_every: int = 500  # push results committed in groups this large (crash loses at most this much)
    page_size: int = 2500  # Google's maximum for events.list
    batch_size: int = 50
    policy: RetryPolicy = DEFAULT_POLICY
    workers: int = 4  # users synced in parallel by the processor
    contacts_page_size: int = 1000


@dataclass
class Listing:
    items: list[dict[str, Any]]
    token: str | None
    time_zone: str | None
    full: bool


@dataclass
class GoogleSide:
    """A Google event as seen in this run, with what we know about where it came from."""

    event: EventData
    series_tracked: bool = False  # an instance of a series we already sync: no "before enabled" filter


@dataclass
class PushOp:
    kind: str  # insert | patch | delete
    appt: Appointment
    base_revision: int | None
    event_id: str
    restore: bool = False
    bounced: bool = False  # already retried once in the other form (409 <-> 404)

    @property
    def key(self) -> str:
        return self.appt.id


@dataclass
class Decisions:
    writes: list[Write] = field(default_factory=list)
    purges: list[Purge] = field(default_factory=list)
    clears: list[Clear] = field(default_factory=list)
    pushes: list[PushOp] = field(default_factory=list)


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
    ) -> None:
        self.studio = studio
        self.prefs = prefs
        self.login = prefs.login
        self.calendar_id = prefs.calendar_id or ""
        self.service = service
        self.events = service.events()  # building a Resource costs ~4 ms: build it once per run
        self.state = state
        self.log = log
        self.tz_name = tz_name
        self.tz = ZoneInfo(tz_name)
        self.options = options or SyncOptions()
        self.stop = stop
        self.now = now or clock.now()
        self.enabled_at = mapping.parse_stamp(prefs.enabled_at)
        self.two_way = prefs.two_way
        self.populate_studio = prefs.populate_studio and prefs.two_way
        if prefs.populate_studio and not prefs.two_way:
            log.warning(
                "Populate studio waits for two-way sync: turn on 'Send New, Modified, and Deleted Google "
                "Appointments to the studio' in the Google tab (the box stays checked until then)"
            )
        self.populate_google = prefs.populate_google
        self.push_failures = 0
        self.restored = 0  # our events the studio had no record of, brought back (two-way)
        self.unknown_left = 0  # ... and left alone on Google (one-way)
        self._pending: set[str] = set()
        today = self.now.astimezone(self.tz).date()
        self.window_start = datetime.combine(today, time(0), self.tz).astimezone(UTC)
        self.window_end = self.now + timedelta(days=self.options.horizon_days)

    # ================================================================================================
    def run(self) -> None:
        decisions = self.pull()
        if self._stopping():
            self.log.info("stop requested: pull step finished and saved; pushes left for the next run")
            return
        self.push(decisions.pushes)
        if self._stopping():
            return
        if self.populate_google and self.push_failures == 0:
            self._uncheck("populate_google")
            self.state.populate["google_done"] = stamp()
            self.log.info("Populate Google finished: the box unchecked itself")

    def _stopping(self) -> bool:
        return self.stop is not None and self.stop.is_set()

    # ================================================================================================
    # step 1: pull
    def pull(self) -> Decisions:
        state = self.state
        switched = not state.calendar_matches(self.calendar_id)
        if switched:
            if state.calendar.get("calendar_id"):
                self.log.info("calendar changed: full listing; links to the old calendar are re-created")
            state.reset_calendar(self.calendar_id)
        token = None if (self.populate_studio or switched) else state.sync_token
        if token and self.two_way and state.calendar.get("two_way") is False:
            # One-way runs moved the token past Google's changes without applying them; a full listing
            # brings what changed on Google meanwhile (links and etags keep it from duplicating anything).
            self.log.info("two-way was turned on: full listing, so Google changes made meanwhile come over")
            token = None
        listing = self._list(token)
        if listing.time_zone and listing.time_zone != self.tz_name:
            self.log.warning(
                f"the Google calendar's time zone ({listing.time_zone}) differs from the studio's "
                f"({self.tz_name}): times are kept as instants, but all-day and wall-clock views may differ",
                calendar_tz=listing.time_zone,
                studio_tz=self.tz_name,
            )
        parsed = [mapping.parse_event(item, self.tz) for item in listing.items]
        sides = self._google_sides(parsed)
        decisions = self._decide_all(sides, listing, switched)
        self._commit(decisions)
        self._report_unknown()
        if self.push_failures == 0 or listing.token == state.sync_token:
            # Token last: everything it covers is saved above.
            if listing.token:
                state.calendar["sync_token"] = listing.token
            state.calendar["two_way"] = self.two_way  # what the token's listings were applied with
            state.calendar["time_zone"] = listing.time_zone
            if listing.full:
                state.calendar["full_listing"] = stamp()
        self._save_state()
        if self.populate_studio and self.push_failures == 0:
            self._uncheck("populate_studio")
            state.populate["studio_done"] = stamp()
            self.log.info("Populate studio finished: the box unchecked itself")
        self.push_failures = 0
        return decisions

    # -- listing ----------------------------------------------------------------------------------------
    def _list(self, token: str | None) -> Listing:
        if token:
            try:
                return self._list_pages(token)
            except HttpError as exc:
                if getattr(exc.resp, "status", None) != 410:
                    raise
                self.log.info(
                    "Google's sync token expired (410): full listing and reconcile (nothing is wiped)"
                )
        return self._list_pages(None)

    def _list_pages(self, token: str | None) -> Listing:
        items: list[dict[str, Any]] = []
        page: str | None = None
        while True:
            # showDeleted: a full listing then tells "deleted on Google" apart from "never there".
            kwargs: dict[str, Any] = {
                "calendarId": self.calendar_id,
                "maxResults": self.options.page_size,
                "singleEvents": False,
                "showDeleted": True,
            }
            if token:
                kwargs["syncToken"] = token
            if page:
                kwargs["pageToken"] = page
            resp = execute(self.events.list(**kwargs), policy=self.options.policy)
            items.extend(resp.get("items") or [])
            page = resp.get("nextPageToken")
            if not page:
                kind = "incremental" if token else "full"
                self.log.debug(f"{kind} listing: {len(items)} item(s)")
                return Listing(items, resp.get("nextSyncToken"), resp.get("timeZone"), full=token is None)

    # -- recurring series -------------------------------------------------------------------------------
    def _google_sides(self, parsed: list[EventData]) -> list[GoogleSide]:
        """Singles as they are; recurring masters expanded into instances (one appointment each)."""
        sides: list[GoogleSide] = []
        series = self.state.series
        masters = {e.id: e for e in parsed if e.recurring}
        to_expand: set[str] = set()
        for master in masters.values():
            if self._ours(master) is not None:
                continue  # one of our own events made recurring on Google: its appointment stays single
            tracked = master.id in series
            if master.cancelled:
                if tracked:
                    sides.extend(self._vanished(master.id, series.pop(master.id), all_of_them=True))
                continue
            if self.two_way and (tracked or self._pullable(master, existing=False, series_tracked=False)):
                to_expand.add(master.id)
        if self.two_way:
            horizon_due = self.window_end - self.options.roll_after
            for master_id, info in series.items():
                end = mapping.parse_stamp(info.get("window_end"))
                if master_id not in masters and (end is None or end < horizon_due):
                    to_expand.add(master_id)  # rolling horizon: new instances came into the window
        expanded = self._expand(sorted(to_expand)) if to_expand else {}
        for master_id, instances in expanded.items():
            old = series.get(master_id) or {}
            if instances is None:  # the series is gone
                if master_id in series:
                    sides.extend(self._vanished(master_id, series.pop(master_id), all_of_them=True))
                continue
            tracked_now: dict[str, str] = {}
            for inst in instances:
                tracked_now[inst.id] = _text(inst.original_start or inst.start)
                sides.append(GoogleSide(inst, series_tracked=True))
            old_instances = dict(old.get("instances") or {})
            gone = {k: v for k, v in old_instances.items() if k not in tracked_now}
            sides.extend(self._vanished(master_id, {"instances": gone}, all_of_them=False))
            # Past instances leave the tracking (the past is not reconciled), future ones stay tracked.
            series[master_id] = {"window_end": self.window_end.isoformat(), "instances": tracked_now}
        for ev in parsed:
            if ev.recurring:
                continue
            if ev.recurring_event_id and self._ours(ev) is None:
                master_id = ev.recurring_event_id
                if master_id in expanded:
                    continue  # the expansion already covered it
                info = series.get(master_id)
                if info is None:
                    continue  # an exception of a series we do not sync
                instances = info.setdefault("instances", {})
                original = ev.original_start or ev.start
                if ev.id not in instances and original is not None and not self._in_window(original):
                    continue
                if ev.cancelled:
                    instances.pop(ev.id, None)
                else:
                    instances[ev.id] = _text(original)
                sides.append(GoogleSide(ev, series_tracked=True))
                continue
            sides.append(GoogleSide(ev))
        return sides

    def _vanished(self, master_id: str, info: dict[str, Any], *, all_of_them: bool) -> Iterator[GoogleSide]:
        """Tracked instances no longer on Google: deletions (only inside the window, unless the series went)."""
        for inst_id, original in (info.get("instances") or {}).items():
            if not all_of_them and original and self._before_window(original):
                continue  # just slid out of the window into the past: keep it
            yield GoogleSide(
                EventData(id=inst_id, etag="", status="cancelled", recurring_event_id=master_id), True
            )

    def _expand(self, master_ids: list[str]) -> dict[str, list[EventData] | None]:
        """events.instances for each series over [start of today, now + horizon], batched."""
        time_min = self.window_start.isoformat()
        time_max = self.window_end.isoformat()

        def request(master_id: str, page: str | None = None) -> Any:
            kwargs: dict[str, Any] = {
                "calendarId": self.calendar_id,
                "eventId": master_id,
                "timeMin": time_min,
                "timeMax": time_max,
                "maxResults": self.options.page_size,
            }
            if page:
                kwargs["pageToken"] = page
            return self.events.instances(**kwargs)

        runner = BatchRunner(self.service, policy=self.options.policy, chunk_size=self.options.batch_size)
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
                self.log.warning(f"recurring event {master_id} could not be expanded: {problem.message}")
                continue
            items = list(resp.get("items") or [])
            page = resp.get("nextPageToken")
            while page:  # > page_size instances in the window: rare (a minutely series), page on
                more = execute(request(master_id, page), policy=self.options.policy)
                items.extend(more.get("items") or [])
                page = more.get("nextPageToken")
            out[master_id] = [mapping.parse_event(i, self.tz) for i in items]
        return out

    def _before_window(self, text: str) -> bool:
        if len(text) == 10:
            return date.fromisoformat(text) < self.window_start.astimezone(self.tz).date()
        moment = mapping.parse_stamp(text)
        return moment is not None and moment < self.window_start

    def _in_window(self, value: Any) -> bool:
        if isinstance(value, datetime):
            return self.window_start <= value <= self.window_end
        start = self.window_start.astimezone(self.tz).date()
        return start <= value <= self.window_end.astimezone(self.tz).date()

    # -- pairing ----------------------------------------------------------------------------------------
    def _ours(self, ev: EventData) -> str | None:
        """The appointment id when the event is one we created for this user (marker or our event id)."""
        marker = ev.marker
        if (
            marker
            and layout.looks_like_appointment_id(marker)
            and marker.startswith(layout.user_key(self.login))
        ):
            return marker
        return mapping.appointment_id_from_event_id(self.login, ev.id)

    def _aid(self, ev: EventData) -> str:
        return self._ours(ev) or layout.derived_appointment_id(self.login, ev.id)

    def _pullable(self, ev: EventData, *, existing: bool, series_tracked: bool) -> bool:
        """May this Google event be (or stay) an appointment?"""
        if ev.cancelled or not ev.usable or ev.declined:
            return False
        if ev.tentative and not self.prefs.tentative:
            return False
        if existing or series_tracked or self.populate_studio:
            return True
        # Without Populate studio, events that existed before sync was enabled stay on Google only.
        created = mapping.parse_stamp(ev.created)
        return self.enabled_at is None or created is None or created >= self.enabled_at

    def _push_allowed(self, appt: Appointment) -> bool:
        """May an unlinked studio appointment go to Google? Only if changed after sync was enabled,
        unless Populate Google is on."""
        return self.populate_google or not mapping.changed_before_sync(appt.updated, self.enabled_at)

    def _decide_all(self, sides: list[GoogleSide], listing: Listing, switched: bool) -> Decisions:
        apps = self.studio.appointments
        candidates: dict[str, list[GoogleSide]] = {}
        for side in sides:
            candidates.setdefault(self._aid(side.event), []).append(side)
        pending = set(apps.pending_ids(self.login))
        self._pending = pending
        decisions = Decisions()
        handled: set[str] = set()
        if listing.full or self.populate_google:
            # Rare by nature (first run, 410, populate): the only places that read the whole book.
            found = {a.id: a for a in apps.list(self.login, include_deleted=True)}
            if listing.full:
                handled = self._absent(found, candidates, listing, switched, decisions)
            if self.populate_google:
                pending.update(a.id for a in found.values() if not a.deleted and not a.google_event_id)
        else:
            found = apps.get_many(self.login, set(candidates) | pending)
        for aid in sorted((set(candidates) | pending) - handled):
            appt = found.get(aid)
            side = _choose(candidates.get(aid), appt)
            self._decide(aid, appt, side, decisions)
        return decisions

    def _absent(
        self,
        book: dict[str, Appointment],
        candidates: dict[str, list[GoogleSide]],
        listing: Listing,
        switched: bool,
        decisions: Decisions,
    ) -> set[str]:
        """A full listing: linked appointments whose event is not in it. Returns the ids decided here."""
        listed = {item.get("id") for item in listing.items}
        live = {item.get("id") for item in listing.items if item.get("status") != "cancelled"}
        tracked = {i for info in self.state.series.values() for i in (info.get("instances") or {})}
        linked = [a for a in book.values() if a.google_event_id and a.id not in candidates]
        absent = [
            a
            for a in linked
            if a.google_event_id not in listed
            and a.google_event_id not in tracked
            and a.google_event_id.rpartition("_")[0] not in live  # an instance of a listed series
        ]
        if not absent:
            return set()
        if switched:
            # Not this calendar's events: re-create them in the chosen calendar (insert with our ids).
            for appt in absent:
                if appt.deleted:
                    decisions.purges.append(Purge(appt.id, appt.revision))
                    continue
                changed = replace(
                    appt, google_event_id=None, google_etag=None, google_updated=None, trace=list(appt.trace)
                )
                changed.synced_revision = 0
                decisions.writes.append(Write(changed, appt.revision))
                # They were synced before: they go to the new calendar whatever their age.
                decisions.pushes.append(
                    PushOp("insert", changed, appt.revision, mapping.event_id_for(appt.id))
                )
            return {a.id for a in absent}
        linked_live = sum(1 for a in linked if not a.deleted)
        if not live and linked_live >= self.options.mass_delete_min:
            self.log.warning(
                f"Google returned an empty calendar while {linked_live} appointments are linked to it: "
                "nothing was deleted. If the events were really deleted, delete them in the studio too.",
                linked=linked_live,
            )
            return {a.id for a in absent}
        for appt in absent:
            gone = EventData(id=appt.google_event_id or "", etag="", status="cancelled")
            candidates[appt.id] = [GoogleSide(gone, series_tracked=True)]
        return set()

    # -- the decision table -----------------------------------------------------------------------------
    def _decide(
        self,
        aid: str,
        appt: Appointment | None,
        side: GoogleSide | None,
        d: Decisions,
        base_revision: int | None = None,
    ) -> None:
        ev = side.event if side else None
        base = base_revision if base_revision is not None else (appt.revision if appt else None)
        if ev is not None and appt is not None and appt.google_event_id and appt.google_event_id != ev.id:
            ev = None  # linked to another event now (e.g. re-created after its series vanished)
        if ev is None:
            if appt is not None:
                self._studio_only(appt, d, base)
            elif aid in self._pending:
                # A pending entry without its appointment (a crash between the two files of a deletion
                # or a purge): forget it. Clear drops it only if the appointment is still absent.
                d.clears.append(Clear(aid, 0))
            return
        if appt is None:
            if ev.cancelled:
                return
            if self._ours(ev) is not None:
                self._unknown_ours(aid, ev, d)
                return
            if self.two_way and self._pullable(ev, existing=False, series_tracked=side.series_tracked):
                new = mapping.new_appointment(self.login, ev, stamp())
                self._link(new, ev)
                add_trace(new, "pulled", "created from Google", self.log.run_id)
                d.writes.append(Write(new, None))
                self.log.count("pulled_created")
                self.log.info(f"pulled new event {ev.id} as {new.id}", title=ev.title)
            return
        google_changed = appt.google_etag != ev.etag or appt.google_event_id != ev.id
        if not google_changed:
            self._studio_only(appt, d, base)  # an echo of our own write, or unchanged
            return
        gone = ev.cancelled or (
            appt.origin == "google" and not self._pullable(ev, existing=True, series_tracked=True)
        )
        if gone:
            self._google_deleted(appt, ev, d, base)
            return
        if appt.deleted:
            # Our own insert whose link a crash lost looks "changed on Google" only because its etag was
            # never recorded; unless Google's copy changed after the deletion, it is deleted, not restored.
            unrecorded = (
                appt.google_event_id is None
                and ev.id == mapping.event_id_for(appt.id)
                and mapping.is_later(appt.updated, ev.updated)
            )
            if self.two_way and not unrecorded:  # modified on Google beats deleted in the studio
                restored = self._copy(appt)
                restored.deleted = False
                self._pull_into(
                    restored, ev, "restored from Google (changed there after the studio deleted it)"
                )
                d.writes.append(Write(restored, base))
                self.log.count("pulled_updated")
            else:
                d.pushes.append(PushOp("delete", appt, base, appt.google_event_id or ev.id))
            return
        unlinked = appt.google_event_id is None
        if mapping.same_content(appt, ev):
            changed = self._copy(appt)
            self._link(changed, ev)
            if unlinked:
                add_trace(changed, "linked", f"to Google event {ev.id}", self.log.run_id)
            d.writes.append(Write(changed, base))
            return
        if not appt.dirty:
            if self.two_way:
                changed = self._copy(appt)
                self._pull_into(changed, ev, "updated from Google")
                d.writes.append(Write(changed, base))
                self.log.count("pulled_updated")
            elif unlinked:
                self._link_and_push(appt, ev, d, base)
            return
        # Changed on both sides (or a dirty appointment meeting its lost event).
        if not self.two_way:
            self._link_and_push(appt, ev, d, base)  # one-way: the studio is the book of record
            return
        studio_wins = mapping.is_later(appt.updated, ev.updated)
        self.log.conflict(
            {
                "appointment_id": appt.id,
                "event_id": ev.id,
                "policy": "the later change wins",
                "winner": "studio" if studio_wins else "google",
                "studio": mapping.appointment_summary(appt),
                "google": ev.summary(),
            }
        )
        if studio_wins:
            self._link_and_push(appt, ev, d, base, note="conflict: studio version kept (later change)")
        else:
            changed = self._copy(appt)
            self._pull_into(changed, ev, "conflict: Google version kept (later change)")
            d.writes.append(Write(changed, base))
            self.log.count("pulled_updated")

    def _unknown_ours(self, aid: str, ev: EventData, d: Decisions) -> None:
        """One of our events whose appointment the studio has no record of: the store was restored from a
        backup, or another data folder syncs this calendar. Never deleted -- after a restore it may be the
        only copy of a booking. Two-way brings it back under its own id; one-way leaves it and warns."""
        if not self.two_way:
            self.unknown_left += 1
            return
        restored = replace(mapping.new_appointment(self.login, ev, stamp()), id=aid, origin="studio")
        self._link(restored, ev)
        add_trace(
            restored, "pulled", "restored from Google (the studio had no record of it)", self.log.run_id
        )
        d.writes.append(Write(restored, None))
        self.log.count("pulled_created")
        self.restored += 1
        self.log.info(f"restored {aid} from its Google event {ev.id}", title=ev.title)

    def _report_unknown(self) -> None:
        if self.restored:
            self.log.warning(
                f"{self.restored} appointment(s) the studio had no record of were restored from their Google "
                "events (after restoring a backup, or another studiosync data folder syncs this calendar)",
                restored=self.restored,
            )
        if self.unknown_left:
            self.log.warning(
                f"{self.unknown_left} Google event(s) made by studiosync have no appointment in the studio "
                "(after restoring a backup, or another studiosync data folder syncs this calendar): left on "
                "Google untouched; turn on two-way sync to bring them back, or delete them on Google",
                events=self.unknown_left,
            )

    def _studio_only(self, appt: Appointment, d: Decisions, base: int | None) -> None:
        """Nothing new from Google about this appointment: push what changed in the studio."""
        if appt.deleted:
            if appt.google_event_id:
                d.pushes.append(PushOp("delete", appt, base, appt.google_event_id))
            elif appt.dirty and self._push_allowed(appt):
                # Never linked, but an insert may have reached Google before a crash lost the link: delete
                # the event under its derived id (404 means there was none) before forgetting the tombstone.
                d.pushes.append(PushOp("delete", appt, base, mapping.event_id_for(appt.id)))
            else:
                d.purges.append(Purge(appt.id, appt.revision))
            return
        if not appt.dirty:
            if appt.id in self._pending:
                d.clears.append(Clear(appt.id, appt.revision))  # a stale pending entry
            return
        if appt.google_event_id:
            d.pushes.append(PushOp("patch", appt, base, appt.google_event_id))
        elif self._push_allowed(appt):
            d.pushes.append(PushOp("insert", appt, base, mapping.event_id_for(appt.id)))
        else:
            d.clears.append(Clear(appt.id, appt.revision))  # changed before sync was enabled: stays local

    def _google_deleted(self, appt: Appointment, ev: EventData, d: Decisions, base: int | None) -> None:
        if appt.deleted:
            d.purges.append(Purge(appt.id, appt.revision))  # gone on both sides
            return
        if appt.dirty:
            # Modified in the studio beats deleted on Google: restore the event (status back to confirmed).
            self.log.info(
                f"{appt.id} was deleted on Google but changed in the studio: restoring it on Google"
            )
            d.pushes.append(PushOp("patch", appt, base, ev.id, restore=ev.cancelled))
            return
        if not self.two_way:
            return  # one-way: Google's deletions do not reach the studio
        d.purges.append(Purge(appt.id, appt.revision))
        self.log.count("pulled_deleted")
        self.log.info(
            f"deleted {appt.id} (its Google event {ev.id} was deleted or declined)", title=appt.title
        )

    def _link_and_push(
        self, appt: Appointment, ev: EventData, d: Decisions, base: int | None, note: str = ""
    ) -> None:
        changed = self._copy(appt)
        changed.google_event_id = ev.id
        changed.google_etag = ev.etag
        changed.google_updated = ev.updated
        if note:
            add_trace(changed, "conflict", note, self.log.run_id)
        d.writes.append(Write(changed, base))
        d.pushes.append(PushOp("patch", changed, changed.revision, ev.id))

    def _copy(self, appt: Appointment) -> Appointment:
        return replace(appt, trace=list(appt.trace))

    def _link(self, appt: Appointment, ev: EventData) -> None:
        appt.google_event_id = ev.id
        appt.google_etag = ev.etag
        appt.google_updated = ev.updated
        appt.synced_revision = appt.revision
        appt.sync_error = None

    def _pull_into(self, appt: Appointment, ev: EventData, note: str) -> None:
        mapping.apply_event(appt, ev)
        appt.revision += 1
        appt.updated = stamp()
        self._link(appt, ev)
        add_trace(appt, "pulled", note, self.log.run_id)
        self.log.info(f"{note}: {appt.id}", event_id=ev.id, title=ev.title)

    def _commit(self, d: Decisions) -> None:
        if d.writes or d.purges or d.clears:
            result = commit(self.studio, self.login, d.writes, d.purges, d.clears)
            if result.merged:
                self.log.info(f"{result.merged} appointment(s) were edited during the sync: kept the edits")

    # ================================================================================================
    # step 2: push
    def push(self, ops: list[PushOp]) -> None:
        if not ops:
            return
        self.log.info(f"sending {len(ops)} studio change(s) to Google")
        writes: list[Write] = []
        purges: list[Purge] = []
        size = self.options.batch_size
        try:
            for i in range(0, len(ops), size):
                if self._stopping():
                    self.log.info("stop requested: the remaining studio changes go next run")
                    break
                w, p = self._run_ops(ops[i : i + size])
                writes += w
                purges += p
                if len(writes) + len(purges) >= self.options.commit_every:
                    commit(self.studio, self.login, writes, purges)
                    writes, purges = [], []
        finally:
            # Whatever reached Google is linked, even when a fatal error (revoked grant...) ends the run.
            if writes or purges:
                commit(self.studio, self.login, writes, purges)

    def _request(self, op: PushOp) -> Any:
        ev = self.events
        if op.kind == "delete":
            return ev.delete(calendarId=self.calendar_id, eventId=op.event_id)
        appt = op.appt
        ours = op.event_id == mapping.event_id_for(appt.id)
        if op.kind == "insert":
            body = mapping.event_body(appt, self.tz_name, event_id=op.event_id)
            return ev.insert(calendarId=self.calendar_id, body=body)
        # Google-origin events are patched without our marker and, unless restoring, without status.
        body = mapping.event_body(
            appt,
            self.tz_name,
            marker=ours,
            status=ours or op.restore or appt.origin == "studio",
            for_patch=True,
        )
        if op.restore:
            body["status"] = "tentative" if appt.status == "tentative" else "confirmed"
        return ev.patch(calendarId=self.calendar_id, eventId=op.event_id, body=body)

    def _run_ops(self, ops: list[PushOp]) -> tuple[list[Write], list[Purge]]:
        """Send ops in one batch (plus one follow-up batch for 409/404 bounces); commit-ready results."""
        writes: list[Write] = []
        purges: list[Purge] = []
        fatal: GoogleProblem | None = None
        round_ops = ops
        while round_ops:
            runner = BatchRunner(self.service, policy=self.options.policy, chunk_size=self.options.batch_size)
            results = runner.run((op.key, self._request(op)) for op in round_ops)
            follow: list[PushOp] = []
            for op in round_ops:
                outcome = results.get(op.key)
                if isinstance(outcome, BaseException) or outcome is None:
                    nxt, problem = self._failed(op, outcome, writes, purges)
                    if nxt is not None:
                        follow.append(nxt)
                    elif problem is not None and _fatal(problem):
                        fatal = fatal or problem
                    continue
                if (
                    op.kind == "patch"
                    and not op.restore
                    and outcome.get("status") == "cancelled"
                    and not op.bounced
                ):
                    # Our change landed on an event deleted on Google (seen only now, e.g. after a crash
                    # between the pull and the push): modified beats deleted, so bring it back.
                    follow.append(replace(op, restore=True, bounced=True))
                    continue
                self._succeeded(op, outcome, writes, purges)
            round_ops = follow
        if fatal is not None:
            if writes or purges:
                commit(self.studio, self.login, writes, purges)
            raise GoogleError(fatal)
        return writes, purges

    def _failed(
        self, op: PushOp, exc: BaseException | None, writes: list[Write], purges: list[Purge]
    ) -> tuple[PushOp | None, GoogleProblem | None]:
        status = getattr(getattr(exc, "resp", None), "status", None)
        if op.kind == "delete" and status in (404, 410):
            self._succeeded(op, None, writes, purges)  # already gone on Google: the deletion is done
            return None, None
        if op.kind == "insert" and status == 409 and not op.bounced:
            # Exists already (a retried insert, a lost link, Populate run twice): patch it into shape.
            return PushOp("patch", op.appt, op.base_revision, op.event_id, restore=True, bounced=True), None
        if op.kind == "patch" and status in (404, 410) and not op.bounced:
            # Gone for good on Google (or never in this calendar): create it again under our own id.
            return PushOp(
                "insert", op.appt, op.base_revision, mapping.event_id_for(op.appt.id), bounced=True
            ), None
        problem = (
            classify(exc) if exc is not None else GoogleProblem("unknown", "no answer", "retry later", True)
        )
        self.push_failures += 1
        self.log.warning(
            f"some studio changes could not be sent to Google: {problem.message}",
            appointment_id=op.appt.id,
            cause=problem.cause,
        )
        if not _fatal(problem):
            failed = self._copy(op.appt)
            failed.sync_error = problem.message
            add_trace(failed, "error", f"{op.kind} failed: {problem.cause}", self.log.run_id)
            writes.append(Write(failed, op.base_revision))
        return None, problem

    def _succeeded(
        self, op: PushOp, resp: dict[str, Any] | None, writes: list[Write], purges: list[Purge]
    ) -> None:
        appt = op.appt
        assert op.base_revision is not None
        if op.kind == "delete":
            purges.append(Purge(appt.id, op.base_revision))
            self.log.count("pushed_deleted")
            self.log.info(f"deleted on Google: {appt.id}", event_id=op.event_id)
            return
        assert resp is not None
        done = self._copy(appt)
        done.google_event_id = resp.get("id") or op.event_id
        done.google_etag = resp.get("etag")
        done.google_updated = resp.get("updated")
        done.synced_revision = op.base_revision
        done.sync_error = None
        created = op.kind == "insert" or (op.bounced and not appt.google_event_id)
        add_trace(done, "pushed", "created on Google" if created else "updated on Google", self.log.run_id)
        writes.append(Write(done, op.base_revision))
        self.log.count("pushed_created" if created else "pushed_updated")
        self.log.debug(f"pushed {appt.id}", event_id=done.google_event_id, kind=op.kind)

    # ================================================================================================
    def _save_state(self) -> None:
        self.state.save(self.studio.store)

    def _uncheck(self, box: str) -> None:
        update_google_prefs(self.studio, self.login, **{box: False})
        setattr(self.prefs, box, False)


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


def _fatal(problem: GoogleProblem) -> bool:
    """No further call of this user can succeed: end the user's run (its error names cause and fix).
    A 403 on one event (an invitation organised by someone else) only fails that event; losing write
    access to the whole calendar (requiredAccessLevel) fails them all."""
    return problem.cause in FATAL_CAUSES or (
        problem.cause == "calendar_read_only" and problem.reason == "requiredAccessLevel"
    )


def _choose(sides: list[GoogleSide] | None, appt: Appointment | None) -> GoogleSide | None:
    """Several events may map to one appointment (an instance and its re-created copy): prefer the linked one."""
    if not sides:
        return None
    if len(sides) == 1:
        return sides[0]
    if appt is not None and appt.google_event_id:
        for side in sides:
            if side.event.id == appt.google_event_id:
                return side
    live = [s for s in sides if not s.event.cancelled]
    return live[-1] if live else sides[-1]


def _text(value: Any) -> str:
    return value.isoformat() if value is not None else ""
