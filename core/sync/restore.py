"""Undoing held studio deletions (`studiosync sync LOGIN --restore-deleted`): the appointments come back
into the studio book from Google's copies of their events.

The events are still on Google (the guard never sent the deletions); one batch of events.get per 50
brings their current content, and each tombstone becomes a live appointment again, linked and in sync
(core.sync.actions' UNDELETE: the same record a change on Google after a studio deletion makes). An event
that is gone on Google too (404/410, or cancelled) leaves nothing to restore: the tombstone is purged.
A deletion that could not be undone (any other error) is returned, so the guard keeps it held.

This module reads Google and builds commit-ready records; it never decides what is held (core.sync.guard)
and never writes the book itself.
"""

from __future__ import annotations

from studiosync.core.google.api import BatchRunner
from studiosync.core.google.errors import GoogleError, GoogleProblem, classify, problem
from studiosync.core.sync import mapping
from studiosync.core.sync.actions import apply
from studiosync.core.sync.calendar_run import CalendarRun
from studiosync.core.sync.commit import Purge
from studiosync.core.sync.decisions import Decisions, Deletion
from studiosync.core.sync.failures import is_fatal
from studiosync.core.sync.rules import Act, Action

NOTE = "restored from Google (held deletion undone: --restore-deleted)"


def undo_studio_deletions(run: CalendarRun, undo: list[Deletion], d: Decisions) -> dict[str, str]:
    """Add to `d` the records that bring these tombstones back; returns {appointment id: event id} of
    those that could not be restored (they stay held)."""
    if not undo:
        return {}
    runner = BatchRunner(run.service, policy=run.options.policy, chunk_size=run.options.batch_size)
    by_id = {x.appt.id: x for x in undo}
    results = runner.run(
        (aid, run.events.get(calendarId=run.calendar_id, eventId=x.event_id)) for aid, x in by_id.items()
    )
    failed: dict[str, str] = {}
    first: GoogleProblem | None = None
    for aid, x in by_id.items():
        outcome = results.get(aid)
        if isinstance(outcome, BaseException) or outcome is None:
            status = getattr(getattr(outcome, "resp", None), "status", None)
            if status in (404, 410):
                d.purges.append(Purge(aid, x.appt.revision))  # gone on both sides now
                continue
            found = classify(outcome) if outcome is not None else problem("google_outage", "no answer")
            if is_fatal(found):
                raise GoogleError(found) from outcome
            first = first or found
            failed[aid] = x.event_id
            continue
        ev = mapping.parse_event(outcome, run.tz)
        if ev.cancelled:
            d.purges.append(Purge(aid, x.appt.revision))
            continue
        apply(run, Action(Act.UNDELETE, NOTE), aid, x.appt, ev, d)
    if failed and first is not None:
        run.log.fail(
            f"{len(failed)} appointment(s) deleted in the studio could not be brought back from Google "
            f"(they stay held): {first.message}",
            cause=first.cause,
            fix=f"{first.fix} Then again: studiosync sync {run.login} --restore-deleted",
        )
    return failed
