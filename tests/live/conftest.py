"""Fixtures for live sync (issue 14): a studio synced once with the emulator, the google-sync job enabled on
this computer ("alpha"), and an in-process LiveSync thread with a short pull interval."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from studiosync.core.jobs.live import LiveSync
from studiosync.core.jobs.service import Jobs
from studiosync.core.studio.studio import Studio

from tests.jobs.conftest import daemons, wait_for  # noqa: F401 - the daemons fixture, re-exported
from tests.sync.helpers import SyncWorld

COMPUTER = "alpha"


@pytest.fixture(autouse=True)
def _alpha(monkeypatch: pytest.MonkeyPatch) -> None:
    """This test process is computer "alpha" (the job's computer unless a test moves it)."""
    monkeypatch.setenv("STUDIOSYNC_COMPUTER", COMPUTER)


@pytest.fixture
def synced(world: SyncWorld) -> SyncWorld:
    """ann and bob, each synced once (a full run gives their calendars a sync token); the job enabled here."""
    world.add_user("ann")
    world.add_user("bob")
    world.sync_ok()
    enable_job(world.studio)
    return world


def enable_job(studio: Studio, computer: str = COMPUTER, **options: str) -> None:
    Jobs(studio).update("google-sync", enabled=True, computer=computer, options=options or None)


@pytest.fixture
def live(synced: SyncWorld) -> Iterator[Callable[..., LiveSync]]:
    """Start LiveSync threads (stopped at the end): live(pull_every=1.0, use_inotify=True)."""
    started: list[LiveSync] = []

    def start(*, studio: Studio | None = None, pull_every: float = 3600.0, **kw: object) -> LiveSync:
        sync = LiveSync(studio or synced.studio, process="test", pull_every=pull_every, **kw)  # type: ignore[arg-type]
        sync.start()
        started.append(sync)
        return sync

    try:
        yield start
    finally:
        for sync in started:
            sync.stop()


def titles(world: SyncWorld, login: str) -> set[str]:
    return {str(e.get("summary")) for e in world.live_events(login).values()}


def runs(home: Path, kind: str | None = None) -> list[dict]:
    from tests.jobs.conftest import history

    return [r for r in history(home, "google-sync") if kind is None or r.get("kind") == kind]
