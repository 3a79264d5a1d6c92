"""The sync rules as a table: one row per rule of core.sync.rules.decide (plain facts in, an action out)."""

from __future__ import annotations

import ast
import inspect
from datetime import UTC, datetime, timedelta

import pytest
from studiosync.core.model.appointments import Appointment
from studiosync.core.sync import pairing, rules
from studiosync.core.sync.mapping import EventData
from studiosync.core.sync.rules import Act, GoogleFacts, Pair, StudioFacts, decide

A = Act


def S(**kw: bool) -> StudioFacts:  # noqa: N802 - a table reads better with short constructors
    return StudioFacts(**kw)


def G(**kw: bool) -> GoogleFacts:  # noqa: N802
    return GoogleFacts(**kw)


TWO = {"two_way": True}
ONE = {"two_way": False}
CHANGED = {"changed_on_google": True}

# (id, studio, google, pair flags, expected act)
TABLE: list[tuple[str, StudioFacts | None, GoogleFacts | None, dict[str, bool], Act]] = [
    # -- neither side ------------------------------------------------------------------------------
    ("orphan pending entry is cleared", None, None, {"pending": True}, A.CLEAR),
    ("nothing at all", None, None, {}, A.NOTHING),
    # -- studio only (nothing new from Google) -------------------------------------------------------
    ("deleted+linked: delete its event", S(deleted=True, linked=True), None, TWO, A.PUSH_DELETE),
    ("deleted, never linked, dirty, allowed: delete under our id", S(deleted=True, dirty=True, push_allowed=True), None, TWO, A.PUSH_DELETE),
    ("deleted, never linked, dirty, not allowed: purge", S(deleted=True, dirty=True), None, TWO, A.PURGE),
    ("deleted, never linked, clean: purge", S(deleted=True, push_allowed=True), None, ONE, A.PURGE),
    ("clean, stale pending entry: clear", S(linked=True), None, {"pending": True}, A.CLEAR),
    ("clean, not pending: nothing", S(linked=True), None, TWO, A.NOTHING),
    ("dirty+linked: patch", S(dirty=True, linked=True), None, ONE, A.PUSH_PATCH),
    ("dirty, unlinked, allowed: insert", S(dirty=True, push_allowed=True), None, ONE, A.PUSH_INSERT),
    ("dirty, unlinked, changed before sync: stays local", S(dirty=True), None, TWO, A.CLEAR),
    # -- Google only (no appointment) ------------------------------------------------------------------
    ("cancelled event, no appointment: nothing", None, G(cancelled=True, ours=True), TWO, A.NOTHING),
    ("our event, no record, two-way: restore", None, G(ours=True, pullable=True), TWO, A.RESTORE_OURS),
    ("our event, no record, one-way: leave it", None, G(ours=True, pullable=True), ONE, A.LEAVE_OURS),
    ("new pullable event, two-way: pull", None, G(pullable=True), TWO, A.PULL_NEW),
    ("new event filtered out: nothing", None, G(), TWO, A.NOTHING),
    ("new event, one-way: nothing", None, G(pullable=True), ONE, A.NOTHING),
    # -- both sides, Google unchanged (an echo): the studio side decides ------------------------------
    ("echo, dirty+linked: patch", S(dirty=True, linked=True), G(pullable=True), TWO, A.PUSH_PATCH),
    ("echo, clean: nothing", S(linked=True), G(pullable=True), TWO, A.NOTHING),
    ("echo, deleted+linked: delete", S(deleted=True, linked=True), G(pullable=True), TWO, A.PUSH_DELETE),
    # -- both sides, deleted on Google -----------------------------------------------------------------
    ("gone on both sides: purge", S(deleted=True, linked=True), G(cancelled=True), {**TWO, **CHANGED}, A.PURGE),
    ("deleted on Google, dirty in studio: restore on Google", S(dirty=True, linked=True), G(cancelled=True), {**TWO, **CHANGED}, A.PUSH_RESTORE),
    ("deleted on Google, one-way: nothing", S(linked=True), G(cancelled=True), {**ONE, **CHANGED}, A.NOTHING),
    ("deleted on Google, two-way: delete in studio", S(linked=True), G(cancelled=True), {**TWO, **CHANGED}, A.PULL_DELETE),
    ("from Google, no longer pullable (declined): delete in studio", S(linked=True, from_google=True), G(), {**TWO, **CHANGED}, A.PULL_DELETE),
    ("from studio, not pullable: not a deletion", S(linked=True), G(), {**TWO, **CHANGED}, A.PULL_UPDATE),
    # -- both sides, deleted in the studio, changed on Google -------------------------------------------
    ("deleted in studio, changed on Google later, two-way: undelete", S(deleted=True, linked=True), G(pullable=True), {**TWO, **CHANGED}, A.UNDELETE),
    ("our insert whose link was lost, deleted since: delete", S(deleted=True), G(pullable=True, our_id=True), {**TWO, **CHANGED, "studio_later": True}, A.PUSH_DELETE),
    ("our insert, Google changed after the deletion: undelete", S(deleted=True), G(pullable=True, our_id=True), {**TWO, **CHANGED}, A.UNDELETE),
    ("deleted in studio, one-way: delete the event", S(deleted=True, linked=True), G(pullable=True), {**ONE, **CHANGED}, A.PUSH_DELETE),
    # -- both sides, changed on Google ----------------------------------------------------------------
    ("same content: link only", S(dirty=True), G(pullable=True), {**ONE, **CHANGED, "same_content": True}, A.LINK),
    ("clean, two-way: pull the update", S(linked=True), G(pullable=True), {**TWO, **CHANGED}, A.PULL_UPDATE),
    ("clean, one-way, unlinked: link and push", S(), G(pullable=True), {**ONE, **CHANGED}, A.LINK_AND_PUSH),
    ("clean, one-way, linked: nothing", S(linked=True), G(pullable=True), {**ONE, **CHANGED}, A.NOTHING),
    ("both changed, one-way: studio is the book of record", S(dirty=True, linked=True), G(pullable=True), {**ONE, **CHANGED}, A.LINK_AND_PUSH),
    # changed on both sides, two-way: merged field by field (core.sync.merge decides each field)
    ("both changed, studio later: merge", S(dirty=True, linked=True), G(pullable=True), {**TWO, **CHANGED, "studio_later": True}, A.MERGE),
    ("both changed, Google later: merge", S(dirty=True, linked=True), G(pullable=True), {**TWO, **CHANGED}, A.MERGE),
    ("dirty meeting its lost event, two-way: merge", S(dirty=True), G(pullable=True), {**TWO, **CHANGED}, A.MERGE),
    # -- event types the studio never keeps (working location, birthday) --------------------------------
    ("not an appointment, imported before: removed from the studio", S(linked=True, from_google=True), G(not_appointment=True), TWO, A.PULL_DELETE),
    ("not an appointment, edited in the studio: removed all the same", S(dirty=True, linked=True, from_google=True), G(not_appointment=True), {**TWO, **CHANGED}, A.PULL_DELETE),
    ("not an appointment, deleted in the studio: purge", S(deleted=True, linked=True, from_google=True), G(not_appointment=True), TWO, A.PURGE),
    ("not an appointment, never imported: nothing", None, G(not_appointment=True), TWO, A.NOTHING),
    # -- a change Google refused for good: Google's version wins, never sent again ----------------------
    ("refused, linked, nothing new: fetch Google's version", S(dirty=True, linked=True, refused=True), None, {**TWO, "pending": True}, A.FETCH_GOOGLE),
    ("refused deletion, linked: fetch Google's version", S(deleted=True, dirty=True, linked=True, refused=True), None, {**ONE, "pending": True}, A.FETCH_GOOGLE),
    ("refused insert: not sent again", S(dirty=True, push_allowed=True, refused=True), None, {**TWO, "pending": True}, A.CLEAR),
    ("refused insert, not pending: nothing", S(dirty=True, push_allowed=True, refused=True), None, TWO, A.NOTHING),
    ("refused, echo in the listing: Google's version", S(dirty=True, linked=True, refused=True), G(pullable=True), TWO, A.PULL_UPDATE),
    ("refused, changed on Google, one-way: Google's version", S(dirty=True, linked=True, refused=True), G(pullable=True), {**ONE, **CHANGED}, A.PULL_UPDATE),
    ("refused deletion, echo: back in the studio", S(deleted=True, dirty=True, linked=True, refused=True), G(pullable=True), TWO, A.UNDELETE),
    ("refused, deleted on Google: deleted in the studio", S(dirty=True, linked=True, refused=True), G(cancelled=True), {**TWO, **CHANGED}, A.PULL_DELETE),
    ("refused deletion, deleted on Google: purge", S(deleted=True, dirty=True, linked=True, refused=True), G(cancelled=True), {**ONE, **CHANGED}, A.PURGE),
]  # fmt: skip


@pytest.mark.parametrize(
    ("studio", "google", "flags", "expected"), [r[1:] for r in TABLE], ids=[r[0] for r in TABLE]
)
def test_rule(
    studio: StudioFacts | None, google: GoogleFacts | None, flags: dict[str, bool], expected: Act
) -> None:
    action = decide(Pair(studio=studio, google=google, **flags))
    assert action.act is expected
    assert action.note  # every decision says why


def test_every_action_has_a_row() -> None:
    assert {row[-1] for row in TABLE} == set(Act)


def test_a_type_leaving_the_book_is_a_removal_not_a_deletion() -> None:
    """The mass-deletion guard counts deletions; a working location leaving the studio book is none."""
    leaving = decide(Pair(S(linked=True, from_google=True), G(not_appointment=True), two_way=True))
    deleted = decide(Pair(S(linked=True), G(cancelled=True), two_way=True, changed_on_google=True))
    assert leaving.act is deleted.act is A.PULL_DELETE
    assert leaving.removal and not rules.counts_as_deletion(leaving)
    assert not deleted.removal and rules.counts_as_deletion(deleted)


def test_a_refused_change_never_goes_to_google_again() -> None:
    """Whatever else is true of the pair, a refused revision is never pushed (insert, patch, delete)."""
    for deleted in (False, True):
        for linked in (False, True):
            for google in (None, G(pullable=True), G(cancelled=True), G()):
                for two_way in (False, True):
                    studio = S(dirty=True, deleted=deleted, linked=linked, push_allowed=True, refused=True)
                    pair = Pair(studio, google, two_way=two_way, pending=True, changed_on_google=True)
                    assert decide(pair).act not in rules.PUSHES, (deleted, linked, google, two_way)


def test_rules_do_no_io() -> None:
    """The rules module imports nothing but the standard library's data tools."""
    tree = ast.parse(inspect.getsource(rules))
    imported = {
        (node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported <= {"__future__", "dataclasses", "enum"}


# -- pairing feeds the table ---------------------------------------------------------------------------
def _appt(**kw: object) -> Appointment:
    start = datetime(2030, 1, 7, 9, tzinfo=UTC)
    return Appointment("ann-0001", "ann", "t", start, start + timedelta(hours=1), **kw)  # type: ignore[arg-type]


def _facts(appt: Appointment | None, ev: EventData, **kw: object) -> tuple[Pair, EventData | None]:
    opts: dict = {
        "login": "ann",
        "pending": False,
        "two_way": True,
        "tentative_ok": True,
        "populate_studio": False,
        "populate_google": False,
        "enabled_at": None,
    }
    return pairing.pair_facts(appt, pairing.GoogleSide(ev), **{**opts, **kw})


def test_an_event_other_than_the_linked_one_is_not_the_pairs() -> None:
    pair, ev = _facts(_appt(google_event_id="linked"), EventData(id="other", etag="e", status="confirmed"))
    assert ev is None and pair.google is None and pair.studio is not None and pair.studio.linked


def test_changed_on_google_compares_the_recorded_etag() -> None:
    live = EventData(id="ev1", etag="e2", status="confirmed")
    pair, _ = _facts(_appt(google_event_id="ev1", google_etag="e1"), live)
    assert pair.changed_on_google
    pair, _ = _facts(_appt(google_event_id="ev1", google_etag="e2"), live)
    assert not pair.changed_on_google


def test_same_etag_but_values_differ_from_the_base_is_a_change_on_google() -> None:
    """A Google edit that raced our patch comes back under our etag: the base tells it apart from an echo."""
    start = datetime(2030, 1, 7, 9, tzinfo=UTC)
    ev = EventData(
        id="ev1", etag="e2", status="confirmed", title="t", start=start, end=start + timedelta(hours=1)
    )
    base = {
        "title": "t",
        "notes": "",
        "start": ev.start.isoformat(),
        "end": ev.end.isoformat(),
        "status": "confirmed",
    }  # type: ignore[union-attr]
    pair, _ = _facts(_appt(google_event_id="ev1", google_etag="e2", synced=base), ev)
    assert not pair.changed_on_google  # an echo of our own write
    pair, _ = _facts(_appt(google_event_id="ev1", google_etag="e2", synced={**base, "title": "old"}), ev)
    assert pair.changed_on_google
    pair, _ = _facts(_appt(google_event_id="ev1", google_etag="e2"), ev)
    assert not pair.changed_on_google  # no base: the etag alone decides


# -- what the mass-deletion guard counts (core.sync.guard), and its threshold --------------------------
@pytest.mark.parametrize(
    ("action", "counted"),
    [
        (rules.Action(A.PULL_DELETE, "deleted on Google"), True),
        (rules.Action(A.PUSH_DELETE, "deleted in the studio"), True),
        (rules.removal(A.PULL_DELETE, "a working-location event leaves the studio book"), False),
        (rules.removal(A.PUSH_DELETE, "not a deletion"), False),
        (rules.Action(A.PURGE, "gone on both sides"), False),
        (rules.Action(A.PUSH_RESTORE, "modified beats deleted"), False),
    ],
)
def test_counts_as_deletion(action: rules.Action, counted: bool) -> None:
    assert rules.counts_as_deletion(action) is counted


@pytest.mark.parametrize(
    ("deletions", "linked", "limits", "held"),
    [
        (40, 40, (10, 25), True),
        (39, 40, (10, 25), True),
        (11, 40, (10, 25), True),  # 27.5%
        (10, 40, (10, 25), False),  # not more than 10
        (11, 44, (10, 25), False),  # exactly 25%: not more
        (11, 100, (10, 25), False),  # 11%
        (500, 2000, (10, 25), False),  # a big book's routine clean-up
        (3, 3, (10, 25), False),  # a small book: deleting everything of 3 is ordinary
        (1, 1, (0, 0), True),  # the strictest setting: any deletion needs a person
        (40, 40, (10, 100), False),  # 100% turns it off
    ],
)
def test_deletion_limits(deletions: int, linked: int, limits: tuple[int, int], held: bool) -> None:
    from studiosync.core.sync.options import DeletionLimits

    assert DeletionLimits(*limits).exceeded(deletions, linked) is held
