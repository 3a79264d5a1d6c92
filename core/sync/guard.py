"""The mass-deletion guard: a run never deletes many of a user's linked items without a person deciding.

Between planning and committing (core.sync.calendar_sync), `DeletionGuard.check` looks at the run's
deletions per side -- "google" (Google reports events deleted: their appointments would go) and "studio"
(appointments deleted in the studio: their events would go) -- and for each side either lets them through
or holds ALL of them back:

- held when they are more than the company's limit (DeletionLimits: more than 10 AND more than 25% of the
  user's linked items by default), or when a full listing came back empty while appointments are linked
  (a suddenly empty calendar);
- while a side is held, every deletion from that side joins the hold (they are decided together);
- a held deletion stays held across runs, however few remain, until a person releases it: Google's held
  deletions come back into each run's plan from the held record (the sync token has moved past them),
  the studio's are its pending tombstones. One that resolves itself (the event restored on Google, the
  appointment changed in the studio: modified beats deleted) leaves the hold.

Releasing is deliberate (`studiosync sync LOGIN --allow-deletions` / `--restore-deleted`, or the console's
dialog) and covers exactly what was held (what the person saw): "allow" applies the held deletions;
"restore" undoes them --
Google's side by re-creating the events from the studio book (restore patches), the studio's side by
bringing the appointments back from Google's copies (core.sync.restore).

Removals that are not deletions (an event type leaving the studio book, a calendar switch) never reach
the count: rules.counts_as_deletion leaves them out of `Decisions.deletions`. This module edits the
decisions and the held record; it never calls Google and never writes the book itself.
"""

from __future__ import annotations

from typing import Any, Literal

from studiosync.core.model.appointments import Appointment
from studiosync.core.studio.appointments import add_trace
from studiosync.core.studio.timeparse import stamp
from studiosync.core.sync import held
from studiosync.core.sync.actions import deleted_from_google
from studiosync.core.sync.calendar_run import CalendarRun
from studiosync.core.sync.commit import Write
from studiosync.core.sync.decisions import Decisions, Deletion, PushOp, Side, copy
from studiosync.core.sync.options import DeletionLimits

Release = Literal["allow", "restore"]
RELEASES: tuple[str, ...] = ("allow", "restore")


class DeletionGuard:
    def __init__(self, run: CalendarRun) -> None:
        self.run = run
        self.limits = run.options.deletions or DeletionLimits()
        self._book: list[Appointment] | None = None  # linked appointments, read once when needed
        self._gone: set[str] = set()  # deletions this run applies: no longer linked once it is done

    @property
    def record(self) -> dict[str, Any]:
        return self.run.state.held

    def check(self, d: Decisions) -> list[Deletion]:
        """Let through, hold or undo this run's deletions (editing `d`) and keep the held record up to
        date. Returns the studio-side deletions to undo from Google's copies (--restore-deleted)."""
        undo_in_studio: list[Deletion] = []
        if self.run.release is not None and not self.record:
            self.run.log.info("nothing is held for this user: the release changes nothing, an ordinary sync")
        side: Side
        for side in ("google", "studio"):
            found = d.on_side(side)
            record = self.record.get(side)
            if record and self.run.release is not None:
                mine = {aid: x for aid, x in found.items() if aid in record.get("items", {})}
                self._release(side, mine, d, undo_in_studio)
                found = {aid: x for aid, x in found.items() if aid not in mine}
                record = None
            # What a person has not seen is judged as usual, also in a release run.
            if record or self._too_many(side, found, d):
                self._hold(side, found, d)
            else:
                self._let_through(found)
        self.run.log.held = held.summary(self.record, self.run.login)
        return undo_in_studio

    def keep_held(self, side: Side, items: dict[str, str]) -> None:
        """Deletions that could not be undone stay held (never applied behind a person's back)."""
        if items:
            record = self.record.setdefault(
                side, {"since": stamp(), "linked": self.linked(side, {}), "reason": "count"}
            )
            record.setdefault("items", {}).update(items)
            self.run.log.held = held.summary(self.record, self.run.login)

    def report(self) -> None:
        """A held user's run fails (it needs a person); the run still syncs everything else."""
        found = self.run.log.held
        if found:
            self.run.log.fail(found["message"], cause=held.CAUSE, fix=found["fix"], held=found["sides"])

    # -- the three outcomes ---------------------------------------------------------------------------
    def _let_through(self, found: dict[str, Deletion]) -> None:
        self._gone.update(found)
        for x in found.values():
            if x.side == "google":
                deleted_from_google(self.run, x.appt, x.event_id)

    def _hold(self, side: Side, found: dict[str, Deletion], d: Decisions) -> None:
        log = self.run.log
        d.withdraw(set(found))
        before = self.record.get(side)
        items = {aid: x.event_id for aid, x in sorted(found.items())}
        series = {aid: x.series for aid, x in sorted(found.items()) if x.series}
        if not items:
            self.record.pop(side, None)
            log.info(
                f"the held {side} deletions resolved themselves (restored, or changed since): none is held"
            )
            return
        if before is None:
            reason = "empty" if side == "google" and d.empty_listing else "count"
            before = {"since": stamp(), "linked": self.linked(side, found), "reason": reason}
            n = _count(found)
            log.line(
                "WARNING",
                f"held back {n} deletion(s) made on the {side} side ({len(items)} appointment(s)): "
                + held.message(side, n, int(before["linked"]), reason),
                side=side,
                deletions=n,
                linked=before["linked"],
                reason=reason,
            )
        else:
            gone = set(before.get("items") or {}) - set(items)
            if gone:
                log.info(
                    f"{len(gone)} held {side} deletion(s) resolved themselves (restored, or changed since)"
                )
        self.record[side] = {**before, "items": items, "series": series}

    def _release(self, side: Side, mine: dict[str, Deletion], d: Decisions, undo: list[Deletion]) -> None:
        log = self.run.log
        self.record.pop(side, None)
        if self.run.release == "allow":
            self._let_through(mine)
            log.info(f"released by a person: {len(mine)} held {side} deletion(s) applied")
            return
        d.withdraw(set(mine))
        if side == "google":
            # Re-create the events from the studio book: a restore patch brings a deleted event back
            # (or, gone for good, the push inserts it again under the appointment's own id). The
            # appointment becomes a studio change first, so a push that fails stays pending and the next
            # run sends it again (modified beats deleted) instead of leaving the two sides apart.
            for x in mine.values():
                changed = copy(x.appt)
                changed.revision += 1
                changed.updated = stamp()
                changed.synced = None  # no base: a retry carries every field, not an empty patch
                add_trace(changed, "changed", "held deletion undone: re-created on Google", log.run_id)
                d.writes.append(Write(changed, x.appt.revision))
                d.pushes.append(PushOp("patch", changed, changed.revision, x.event_id, restore=True))
            log.info(
                f"released by a person: {len(mine)} event(s) deleted on Google are re-created from the studio"
            )
        else:
            undo.extend(mine.values())
            log.info(
                f"released by a person: {len(mine)} appointment(s) deleted in the studio come back from Google"
            )

    # -- the threshold --------------------------------------------------------------------------------
    def _too_many(self, side: Side, found: dict[str, Deletion], d: Decisions) -> bool:
        if not found:
            return False
        if side == "google" and d.empty_listing:
            return True
        n = _count(found)
        if n <= self.limits.max_count:
            return False  # spares reading the whole book on ordinary runs
        return self.limits.exceeded(n, self.linked(side, found))

    def linked(self, side: Side, found: dict[str, Deletion]) -> int:
        """The share's denominator, counted like the deletions: the studio's linked appointments
        (tombstones included), or the Google events they are linked to (a series being one). Reads the
        whole book, so only when a run has more deletions than the count limit or a hold starts."""
        if self._book is None:
            self._book = [
                a
                for a in self.run.studio.appointments.list(self.run.login, include_deleted=True)
                if a.google_event_id
            ]
        book = [a for a in self._book if a.id not in self._gone]
        if side == "studio":
            return len(book)
        master = {i: m for m, info in self.run.state.series.items() for i in info.get("instances") or {}}
        master.update({x.event_id: x.series for x in found.values() if x.series})
        return len({master.get(a.google_event_id or "") or a.google_event_id for a in book})


def _count(found: dict[str, Deletion]) -> int:
    return len({x.item for x in found.values()})
