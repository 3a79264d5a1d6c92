"""A pull's decisions are complete before anything is applied: what a mass-deletion guard will inspect."""

from __future__ import annotations

import pytest
from studiosync.core.sync.calendar_sync import CalendarSync
from studiosync.core.sync.decisions import Decisions
from studiosync.core.sync.mapping import event_id_for
from studiosync.core.sync.rules import DELETIONS, Act

from .helpers import SyncWorld, soon


def test_deletions_are_counted_before_they_are_applied(
    world: SyncWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.add_user("ann")
    a, b, c = (world.add_appt("ann", f"Session {i}", soon(i + 1)) for i in range(3))
    world.sync_ok()
    world.delete_event("ann", event_id_for(a.id))  # deleted on Google -> to be deleted in the studio
    world.studio.appointments.delete(b.id)  # deleted in the studio -> to be deleted on Google
    seen: list[tuple[Decisions, int, int]] = []
    commit = CalendarSync._commit

    def inspect(self: CalendarSync, decisions: Decisions) -> None:
        # Nothing applied yet: both sides still hold what the decisions would remove.
        seen.append((decisions, len(world.appts("ann")), len(world.live_events("ann"))))
        commit(self, decisions)

    monkeypatch.setattr(CalendarSync, "_commit", inspect)
    world.sync_ok()
    (decisions, appts_then, events_then) = seen[0]
    acted = {aid: act for aid, act in decisions.decided.items() if act is not Act.NOTHING}  # echoes: nothing
    assert acted == {a.id: Act.PULL_DELETE, b.id: Act.PUSH_DELETE}
    assert decisions.count(*DELETIONS) == 2
    assert [p.kind for p in decisions.pushes] == ["delete"] and len(decisions.purges) == 1
    assert (appts_then, events_then) == (2, 2)
    assert [x.id for x in world.appts("ann")] == [c.id] and list(world.live_events("ann")) == [
        event_id_for(c.id)
    ]
