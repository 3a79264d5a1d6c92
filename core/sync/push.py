"""Pushing studio changes to Google: PushOps sent in batches of <= 50, and what each answer means.

- 409 on an insert: the event exists already (a retried insert, a lost link, Populate run twice): patch it.
- 404/410 on a patch: gone for good on Google: insert it again under our own id.
- 404/410 on a delete: already gone: the deletion is done.
- A patch that lands on a cancelled event: modified beats deleted: patch it back to life.
- A permanent refusal of that one event's change (core.sync.failures.is_refusal: 400 eventTypeRestriction,
  403 forbiddenForNonOrganizer, 400 invalid...): Google's version wins. A warning names the appointment,
  cause and fix; the event is fetched (events.get, in the same batch loop) and the appointment takes
  Google's version; the refused revision is never sent again (a new change is). A refused insert has no
  Google version: the appointment keeps its content and says why, and is not sent until it changes.
- Anything else fails that appointment (its sync_error and trace say why; it stays pending and goes
  again next run) and, once the rest was sent, the user's run: studio changes that did not reach Google
  are never an "ok" (RunLog.fail: exit 1, last_error with cause and fix). When no further call of this
  user can succeed (core.sync.failures), the whole run ends at once, after saving what got through.

A patch carries only the fields the studio changed since the synced base (core.sync.synced): Google's
title, description, location and time zone stay as Google has them unless the studio changed that very
field. A patch with nothing to carry is not sent at all. Inserts, and patches that restore an event
(modified beats deleted, a 409 bounce), carry every field we own.

Successes become link bookkeeping (event id, etag, synced revision, the new synced base), committed every
few hundred results so a crash loses little. This module never decides what to push (core.sync.rules
did) and never reads Google's listing.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from studiosync.core.google.api import BatchRunner
from studiosync.core.google.errors import GoogleError, GoogleProblem, classify, problem
from studiosync.core.studio.appointments import add_trace
from studiosync.core.sync import mapping, synced
from studiosync.core.sync.actions import apply
from studiosync.core.sync.calendar_run import CalendarRun
from studiosync.core.sync.commit import Purge, Write, commit
from studiosync.core.sync.decisions import Decisions, PushOp, copy
from studiosync.core.sync.failures import is_fatal, is_refusal
from studiosync.core.sync.rules import Act, Action


class Pusher:
    def __init__(self, run: CalendarRun) -> None:
        self.run = run

    def push(self, ops: list[PushOp]) -> None:
        """Send every op, one batch at a time; results are committed as they come (and on any exit)."""
        run = self.run
        if not ops:
            return
        run.log.info(f"sending {len(ops)} studio change(s) to Google")
        writes: list[Write] = []
        purges: list[Purge] = []
        size = run.options.batch_size
        try:
            for i in range(0, len(ops), size):
                if run.stopping():
                    run.log.info("stop requested: the remaining studio changes go next run")
                    break
                w, p = self.run_batch(ops[i : i + size])
                writes += w
                purges += p
                if len(writes) + len(purges) >= run.options.commit_every:
                    commit(run.studio, run.login, writes, purges)
                    writes, purges = [], []
        finally:
            # Whatever reached Google is linked, even when a fatal error (revoked grant...) ends the run.
            if writes or purges:
                commit(run.studio, run.login, writes, purges)
        if run.push_failures:
            first: GoogleProblem = run.push_problem
            run.log.fail(
                f"{run.push_failures} studio change(s) could not be sent to Google: {first.message}",
                cause=first.cause,
                fix=f"{first.fix} They stay pending and go with the next run (now: studiosync sync {run.login}).",
                unsent=run.push_failures,
            )

    def run_batch(self, ops: list[PushOp]) -> tuple[list[Write], list[Purge]]:
        """Send ops in one batch (plus one follow-up batch for 409/404 bounces); commit-ready results."""
        run = self.run
        writes: list[Write] = []
        purges: list[Purge] = []
        fatal: GoogleProblem | None = None
        round_ops = ops
        while round_ops:
            requests = {op.key: self._request(op) for op in round_ops}
            runner = BatchRunner(run.service, policy=run.options.policy, chunk_size=run.options.batch_size)
            results = runner.run((key, req) for key, req in requests.items() if req is not None)
            follow: list[PushOp] = []
            for op in round_ops:
                if requests[op.key] is None:  # nothing Google lacks (e.g. a change undone): synced as is
                    self._succeeded(op, None, writes, purges)
                    continue
                outcome = results.get(op.key)
                if isinstance(outcome, BaseException) or outcome is None:
                    nxt, found = self._failed(op, outcome, writes, purges)
                    if nxt is not None:
                        follow.append(nxt)
                    elif found is not None and is_fatal(found):
                        fatal = fatal or found
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
                if op.kind == "fetch":
                    self._fetched(op, outcome, writes, purges)
                    continue
                self._succeeded(op, outcome, writes, purges)
            round_ops = follow
        if fatal is not None:
            if writes or purges:
                commit(run.studio, run.login, writes, purges)
            raise GoogleError(fatal)
        return writes, purges

    def _request(self, op: PushOp) -> Any:
        """The request for one op; None for a patch with nothing to carry."""
        run = self.run
        ev = run.events
        if op.kind == "delete":
            return ev.delete(calendarId=run.calendar_id, eventId=op.event_id)
        if op.kind == "fetch":
            return ev.get(calendarId=run.calendar_id, eventId=op.event_id)
        appt = op.appt
        if op.kind == "insert":
            body = mapping.event_body(appt, run.tz_name, event_id=op.event_id)
            return ev.insert(calendarId=run.calendar_id, body=body)
        body = _patch_body(op)
        if not body:
            return None
        return ev.patch(calendarId=run.calendar_id, eventId=op.event_id, body=body)

    def _failed(
        self, op: PushOp, exc: BaseException | None, writes: list[Write], purges: list[Purge]
    ) -> tuple[PushOp | None, GoogleProblem | None]:
        """(the op to retry in the other form, or None; the problem when it failed for good)."""
        status = getattr(getattr(exc, "resp", None), "status", None)
        if op.kind == "delete" and status in (404, 410):
            self._succeeded(op, None, writes, purges)  # already gone on Google: the deletion is done
            return None, None
        if op.kind == "insert" and status == 409 and not op.bounced:
            # Exists already (a retried insert, a lost link, Populate run twice): patch it into shape.
            return PushOp("patch", op.appt, op.base_revision, op.event_id, restore=True, bounced=True), None
        if op.kind == "patch" and status in (404, 410) and not op.bounced:
            # Gone for good on Google (or never in this calendar): create it again under our own id.
            again = PushOp(
                "insert", op.appt, op.base_revision, mapping.event_id_for(op.appt.id), bounced=True
            )
            return again, None
        # The classification point: what Google's answer means for this one change.
        found = classify(exc) if exc is not None else problem("google_outage", "no answer to this change")
        if op.kind == "fetch" and status in (404, 410):
            purges.append(Purge(op.appt.id, op.base_revision or op.appt.revision))  # gone: Google wins
            return None, None
        if op.kind != "fetch" and is_refusal(found) and _answered_for_the_event(exc):
            return self._refused(op, found, writes), None
        self._unsent(op, found, writes)
        return None, found

    def _unsent(self, op: PushOp, found: GoogleProblem, writes: list[Write]) -> None:
        """A change that did not reach Google: it stays pending (next run sends it again), the appointment
        says why, and the run fails once the rest was sent (see `push`)."""
        run = self.run
        run.push_failures += 1
        run.push_problem = run.push_problem or found
        run.log.line(
            "WARNING",
            f"{op.kind} of {op.appt.id} could not be sent to Google: {found.message}",
            appointment_id=op.appt.id,
            cause=found.cause,
        )
        if not is_fatal(found):
            failed = copy(op.appt)
            failed.sync_error = found.message
            add_trace(failed, "error", f"{op.kind} failed: {found.cause}", run.log.run_id)
            writes.append(Write(failed, op.base_revision))

    def _refused(self, op: PushOp, problem: GoogleProblem, writes: list[Write]) -> PushOp | None:
        """Google refused this change for good: say so, mark the revision refused (never sent again) and,
        for a linked event, fetch Google's version to keep (the follow-up returned)."""
        run, appt = self.run, op.appt
        on_google = op.kind != "insert" and bool(op.event_id)
        outcome = (
            "Google's version is kept in the studio and the change is not sent again."
            if on_google
            else "The appointment stays in the studio as it is and is not sent again until it changes."
        )
        run.log.count("refused")
        run.log.warning(
            f"Google refused the studio's change to appointment {appt.id} ('{appt.display_title}'): "
            f"{problem.message} {outcome} Fix: {problem.fix}",
            appointment_id=appt.id,
            event_id=op.event_id,
            cause=problem.cause,
            fix=problem.fix,
        )
        marked = copy(appt)
        marked.refused_revision = appt.revision
        marked.sync_error = problem.message
        add_trace(marked, "refused", f"{op.kind} refused by Google: {problem.cause}", run.log.run_id)
        if on_google:  # the event is on Google: take its version
            return PushOp("fetch", marked, op.base_revision, op.event_id, bounced=True)
        writes.append(Write(marked, op.base_revision))
        return None

    def _fetched(self, op: PushOp, resp: dict[str, Any], writes: list[Write], purges: list[Purge]) -> None:
        """Google's version of an event whose studio change it refused: the appointment takes it."""
        run = self.run
        ev = mapping.parse_event(resp, run.tz)
        appt = op.appt
        if ev.cancelled or not ev.usable:
            act, note = Act.PULL_DELETE, "deleted on Google (it had refused the studio's change)"
        elif appt.deleted:
            act, note = Act.UNDELETE, "Google refused the deletion: Google's version is back in the studio"
        else:
            act, note = Act.PULL_UPDATE, "Google refused the studio's change: Google's version is kept"
        d = Decisions()
        apply(run, Action(act, note), appt.id, appt, ev, d)
        writes.extend(d.writes)
        purges.extend(d.purges)

    def _succeeded(
        self, op: PushOp, resp: dict[str, Any] | None, writes: list[Write], purges: list[Purge]
    ) -> None:
        log = self.run.log
        appt = op.appt
        assert op.base_revision is not None
        if op.kind == "delete":
            purges.append(Purge(appt.id, op.base_revision))
            log.count("pushed_deleted")
            log.info(f"deleted on Google: {appt.id}", event_id=op.event_id)
            return
        done = copy(appt)
        done.synced_revision = op.base_revision
        done.sync_error = None
        if resp is None:  # a patch with nothing Google lacks: nothing was sent
            done.synced = synced.base_after_push(appt, (), None)
            writes.append(Write(done, op.base_revision))
            return
        done.google_event_id = resp.get("id") or op.event_id
        done.google_etag = resp.get("etag")
        done.google_updated = resp.get("updated")
        sent = synced.FIELDS if op.kind == "insert" else synced.fields_in(_patch_body(op))
        done.synced = synced.base_after_push(appt, sent, resp)
        created = op.kind == "insert" or (op.bounced and not appt.google_event_id)
        add_trace(done, "pushed", "created on Google" if created else "updated on Google", log.run_id)
        writes.append(Write(done, op.base_revision))
        log.count("pushed_created" if created else "pushed_updated")
        log.debug(f"pushed {appt.id}", event_id=done.google_event_id, kind=op.kind)


def _answered_for_the_event(exc: BaseException | None) -> bool:
    """The refusal is Google's answer to this event's own call, not to the batch request around it (a
    failed batch fails every call in it alike: that is never one event's refusal)."""
    uri = str(getattr(exc, "uri", "") or "").split("?", 1)[0]
    return "/events" in uri and "/batch" not in uri


def _patch_body(op: PushOp) -> dict[str, Any]:
    """What a patch carries: the studio's changes since the base; everything we own when it restores an
    event or re-shapes one met by a bounced insert. Google-origin events are patched without status unless
    restoring (an invitation's status belongs to its organizer), and without our marker."""
    appt = op.appt
    ours = op.event_id == mapping.event_id_for(appt.id)
    fields = synced.patch_fields(appt, full=op.restore or op.bounced)
    body = synced.patch_body(appt, fields, with_status=ours or op.restore or appt.origin == "studio")
    if op.restore:
        body["status"] = "tentative" if appt.status == "tentative" else "confirmed"
        if ours:
            body["extendedProperties"] = {"private": {mapping.MARKER: appt.id}}
    return body
