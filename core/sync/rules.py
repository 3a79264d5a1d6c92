"""The sync rules: what to do with one pair (a studio appointment and its Google event), as a pure table.

`decide(pair)` takes plain facts -- the studio side, the Google side, the run's switches and a few
comparisons made beforehand -- and returns an `Action` (an `Act` and a short note saying why). It is the
whole of the two-way algorithm's judgement, in the manner of vdirsyncer's sync rules; the caller (core.sync.
plan) turns each action into writes, purges, cleared pending entries and pushes.

This module must never do I/O: no store, no Google, no log, no clock. Everything it needs arrives in `Pair`;
tests/sync/test_rules.py checks it as a table, one row per rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Act(Enum):
    NOTHING = "nothing"
    # studio side only
    CLEAR = "clear"  # drop the pending entry: nothing goes to Google
    PURGE = "purge"  # forget the studio's deletion record (nothing left to tell Google)
    # Google -> studio
    PULL_NEW = "pull_new"  # a new appointment from a new Google event
    PULL_UPDATE = "pull_update"  # the appointment takes the event's content
    PULL_DELETE = "pull_delete"  # Google's deletion reaches the studio
    UNDELETE = "undelete"  # changed on Google after the studio deleted it: back in the studio
    RESTORE_OURS = "restore_ours"  # our event the studio has no record of: back under its own id
    LEAVE_OURS = "leave_ours"  # ... one-way: left on Google untouched, counted and warned about
    LINK = "link"  # both say the same: record the link, write nothing on Google
    # both ways
    MERGE = "merge"  # changed on both sides: merged field by field (core.sync.merge), each side gets the rest
    # studio -> Google
    LINK_AND_PUSH = "link_and_push"  # record the link and patch the event with the studio's content
    PUSH_INSERT = "push_insert"  # create the event under the appointment's own id
    PUSH_PATCH = "push_patch"  # patch the linked event
    PUSH_RESTORE = "push_restore"  # deleted on Google, changed in the studio: patch it back to life
    PUSH_DELETE = "push_delete"  # delete the event (the linked one, the listed one, or under our id)
    # Google refused the studio's change for good: fetch Google's version of the event and keep it
    FETCH_GOOGLE = "fetch_google"


# Acts that remove something on one side: what the mass-deletion guard (core.sync.guard) counts before
# anything is applied -- unless the action says it is a removal, not a deletion (see `counts_as_deletion`).
DELETIONS = frozenset({Act.PULL_DELETE, Act.PUSH_DELETE})
PUSHES = frozenset(
    {Act.LINK_AND_PUSH, Act.MERGE, Act.PUSH_INSERT, Act.PUSH_PATCH, Act.PUSH_RESTORE, Act.PUSH_DELETE}
)


@dataclass(frozen=True)
class Action:
    """What to do with one pair (`decide`'s answer): the act, and a short note saying why."""

    act: Act
    note: str  # why (for pulls and conflicts it is also the appointment's trace note)
    # A removal nobody asked for as a deletion: an event type the studio never keeps (working location,
    # birthday), a calendar switch. It is applied, but the mass-deletion guard leaves it out of its count.
    removal: bool = False


def removal(act: Act, note: str) -> Action:
    """An action that removes something on one side without it having been deleted there (an event type
    leaving the studio book, a calendar switch): the mass-deletion guard never counts or holds it."""
    return Action(act, note, removal=True)


def counts_as_deletion(action: Action) -> bool:
    """Does the mass-deletion guard count this action? Deletions on either side, except removals."""
    return action.act in DELETIONS and not action.removal


@dataclass(frozen=True)
class StudioFacts:
    """The appointment, as far as the rules care."""

    deleted: bool = False  # a tombstone: deleted in the studio, not yet synced
    dirty: bool = False  # changed in the studio since it was last synced
    linked: bool = False  # has a Google event id
    from_google: bool = False  # origin: it was created from a Google event
    push_allowed: bool = False  # unlinked: changed after sync was enabled, or Populate Google is on
    refused: bool = False  # Google refused this very change for good: Google's version wins, never resent


@dataclass(frozen=True)
class GoogleFacts:
    """The Google event paired with the appointment (never one linked to a different event)."""

    cancelled: bool = False  # deleted on Google (or vanished from its series / a full listing)
    pullable: bool = False  # may be (or stay) an appointment: usable, not declined, tentative allowed...
    ours: bool = False  # made by studiosync for this user (our marker or our event id)
    our_id: bool = False  # its id is the one derived from the appointment's id
    not_appointment: bool = False  # a type the studio never keeps (working location, birthday)


@dataclass(frozen=True)
class Pair:
    """One appointment and the Google event it pairs with, as the rules see them, with the run's two-way
    switch and the comparisons made beforehand."""

    studio: StudioFacts | None  # None: the studio has no such appointment
    google: GoogleFacts | None  # None: nothing new from Google about it
    two_way: bool = False  # Google's changes come to the studio (else the studio is the book of record)
    pending: bool = False  # the appointment id is in the user's pending file
    changed_on_google: bool = False  # etag or event id differ from the link, or values from the synced base
    same_content: bool = False  # the appointment already says what the event says
    studio_later: bool = False  # the studio's change is the later one (ties go to the studio)


def decide(pair: Pair) -> Action:
    studio, google = pair.studio, pair.google
    if google is None:
        if studio is None:
            if pair.pending:
                return Action(Act.CLEAR, "a pending entry without its appointment (a crash between files)")
            return Action(Act.NOTHING, "nothing on either side")
        return studio_only(studio, pair)
    if studio is None:
        return google_only(google, pair)
    if google.not_appointment:
        return not_an_appointment(studio)
    if studio.refused:
        return refused(studio, google)
    if not pair.changed_on_google:
        return studio_only(studio, pair)  # an echo of our own write, or unchanged
    if google.cancelled or (studio.from_google and not google.pullable):
        return google_deleted(studio, pair)
    if studio.deleted:
        # Our own insert whose link a crash lost looks "changed on Google" only because its etag was never
        # recorded; unless Google's copy changed after the deletion, it is deleted, not restored.
        unrecorded = not studio.linked and google.our_id and pair.studio_later
        if pair.two_way and not unrecorded:
            return Action(Act.UNDELETE, "restored from Google (changed there after the studio deleted it)")
        return Action(Act.PUSH_DELETE, "deleted in the studio: delete the event")
    if pair.same_content:
        return Action(Act.LINK, "both sides say the same")
    if not studio.dirty:
        if pair.two_way:
            return Action(Act.PULL_UPDATE, "updated from Google")
        if not studio.linked:
            return Action(Act.LINK_AND_PUSH, "one-way: the studio's version goes to the event it met")
        return Action(Act.NOTHING, "one-way: Google's changes do not reach the studio")
    # Changed on both sides (or a dirty appointment meeting its lost event).
    if not pair.two_way:
        return Action(Act.LINK_AND_PUSH, "one-way: the studio is the book of record")
    # Field by field: a field changed on one side only is taken from it; a field changed on both is a
    # conflict the later change wins (core.sync.merge, which also covers appointments without a base).
    return Action(Act.MERGE, "changed on both sides: merged field by field")


def studio_only(studio: StudioFacts, pair: Pair) -> Action:
    """Nothing new from Google about this appointment: push what changed in the studio."""
    if studio.refused:
        if studio.linked:
            return Action(Act.FETCH_GOOGLE, "Google refused the studio's change: Google's version is kept")
        # Nothing on Google to take instead: kept in the studio as it is, not sent until it changes.
        return Action(Act.CLEAR if pair.pending else Act.NOTHING, "refused by Google: not sent again")
    if studio.deleted:
        if studio.linked:
            return Action(Act.PUSH_DELETE, "deleted in the studio: delete its event")
        if studio.dirty and studio.push_allowed:
            # Never linked, but an insert may have reached Google before a crash lost the link: delete the
            # event under its derived id (404 means there was none) before forgetting the tombstone.
            return Action(Act.PUSH_DELETE, "never linked: delete under our own id in case it got there")
        return Action(Act.PURGE, "deleted before it ever reached Google")
    if not studio.dirty:
        if pair.pending:
            return Action(Act.CLEAR, "a stale pending entry")
        return Action(Act.NOTHING, "in sync")
    if studio.linked:
        return Action(Act.PUSH_PATCH, "changed in the studio")
    if studio.push_allowed:
        return Action(Act.PUSH_INSERT, "new in the studio")
    return Action(Act.CLEAR, "changed before sync was enabled: stays in the studio")


def google_only(google: GoogleFacts, pair: Pair) -> Action:
    """A Google event the studio has no appointment for."""
    if google.cancelled:
        return Action(Act.NOTHING, "deleted on Google, never in the studio")
    if google.ours:
        # Never deleted: after a restore from backup it may be the only copy of a booking.
        if pair.two_way:
            return Action(Act.RESTORE_OURS, "restored from Google (the studio had no record of it)")
        return Action(Act.LEAVE_OURS, "one-way: our event without an appointment stays on Google")
    if pair.two_way and google.pullable:
        return Action(Act.PULL_NEW, "created from Google")
    return Action(Act.NOTHING, "not for the studio (one-way, filtered, or from before sync was enabled)")


def google_deleted(studio: StudioFacts, pair: Pair) -> Action:
    """The event was deleted on Google (or may no longer be an appointment: declined, filtered)."""
    if studio.deleted:
        return Action(Act.PURGE, "gone on both sides")
    if studio.dirty:
        return Action(Act.PUSH_RESTORE, "modified in the studio beats deleted on Google")
    if not pair.two_way:
        return Action(Act.NOTHING, "one-way: Google's deletions do not reach the studio")
    return Action(Act.PULL_DELETE, "deleted or declined on Google")


def not_an_appointment(studio: StudioFacts) -> Action:
    """A working location or a birthday (an older version imported it): it leaves the studio book only.
    Google keeps its event, and the mass-deletion guard does not count it (a removal, not a deletion)."""
    if studio.deleted:
        return Action(Act.PURGE, "not an appointment: the studio's copy is gone already")
    return removal(Act.PULL_DELETE, "not an appointment (a working location or a birthday): left on Google")


def refused(studio: StudioFacts, google: GoogleFacts) -> Action:
    """Google refused the studio's change to this event for good: Google's version wins (one-way too: the
    studio's version can never be on Google), and the change is never sent again."""
    if google.cancelled or (studio.from_google and not google.pullable):
        if studio.deleted:
            return Action(Act.PURGE, "gone on both sides")
        return Action(Act.PULL_DELETE, "deleted or declined on Google (it had refused the studio's change)")
    if studio.deleted:
        return Action(Act.UNDELETE, "Google refused the deletion: Google's version is back in the studio")
    return Action(Act.PULL_UPDATE, "Google refused the studio's change: Google's version is kept")
