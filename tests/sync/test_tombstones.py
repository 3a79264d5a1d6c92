"""Deletions on Google arrive as minimal tombstones (`id` and `status` -- all Google guarantees -- plus
`recurringEventId`/`originalStartTime` for an instance), and each removes what it stands for in the same
run: a whole series, one instance, one event. No re-expansion is needed to notice a series is gone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from studiosync.core.store import layout
from studiosync.core.sync import listing
from studiosync.core.sync.state import SyncState

from .helpers import SyncWorld, soon

MINIMAL = {"kind", "etag", "id", "status"}


@pytest.fixture
def seen(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """What each incremental listing brought (the listing itself runs unchanged)."""
    items: list[dict[str, Any]] = []
    real = listing.list_pages

    def recording(run: Any, token: str | None) -> listing.Listing:
        found = real(run, token)
        if token:
            items.extend(found.items)
        return found

    monkeypatch.setattr(listing, "list_pages", recording)
    return items


def _weekly(world: SyncWorld, login: str, title: str, hour: int) -> dict[str, Any]:
    start = soon(1, hour)
    return world.add_event(
        login, title, start, start + timedelta(hours=1), recurrence=["RRULE:FREQ=WEEKLY;COUNT=6"]
    )


def test_a_deleted_series_takes_all_its_instances_in_the_same_run(
    world: SyncWorld, seen: list[dict[str, Any]]
) -> None:
    world.add_user("ann")
    gone = _weekly(world, "ann", "Weekly class", 9)
    kept = _weekly(world, "ann", "Other class", 14)
    world.sync_ok()
    assert len(world.appts("ann")) == 12
    world.delete_event("ann", gone["id"])
    world.emu.reset_counts()
    r = world.sync_ok()
    assert [set(i) for i in seen] == [MINIMAL]  # the series' tombstone: no recurrence, no times
    assert {a.title for a in world.appts("ann")} == {"Other class"} and len(world.appts("ann")) == 6
    assert r.users[0].counts["pulled_deleted"] == 6
    assert world.counts("ann")["calendar"] == 1  # the listing alone: no re-expansion needed
    series = SyncState.load(world.studio.store, "ann").series
    assert gone["id"] not in series and kept["id"] in series


def test_a_deleted_instance_and_a_deleted_event_take_their_appointment(
    world: SyncWorld, seen: list[dict[str, Any]]
) -> None:
    world.add_user("ann")
    weekly = _weekly(world, "ann", "Weekly class", 9)
    single = world.add_event("ann", "Dentist", soon(2, 15))
    world.sync_ok()
    instances = sorted(a.google_event_id for a in world.appts("ann") if a.title == "Weekly class")
    world.delete_event("ann", instances[2])
    world.delete_event("ann", single["id"])
    r = world.sync_ok()
    assert sorted(set(i) for i in seen) == sorted(
        [MINIMAL, MINIMAL | {"recurringEventId", "originalStartTime"}]
    )
    left = {a.google_event_id for a in world.appts("ann")}
    assert left == set(instances) - {instances[2]}
    assert r.users[0].counts["pulled_deleted"] == 2
    tracked = SyncState.load(world.studio.store, "ann").series[weekly["id"]]["instances"]
    assert instances[2] not in tracked
    assert layout.derived_appointment_id("ann", single["id"]) not in {a.id for a in world.appts("ann")}
    assert not world.sync_ok().users[0].changed
