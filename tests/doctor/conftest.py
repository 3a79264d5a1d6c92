"""Fixtures for the doctor tests: the sync tests' emulator world (reused), plus a fully healthy setup."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.emulator import GoogleEmulator
from tests.doctor.helpers import enable_job, heartbeat, set_up_email
from tests.sync.helpers import SyncWorld


@pytest.fixture(autouse=True)
def _insecure_transport(monkeypatch: pytest.MonkeyPatch) -> None:
    # oauthlib refuses http:// token endpoints otherwise; the emulator is loopback only.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")


@pytest.fixture
def emu() -> Iterator[GoogleEmulator]:
    with GoogleEmulator() as emulator:
        yield emulator


@pytest.fixture
def world(home: Path, emu: GoogleEmulator) -> SyncWorld:
    home.mkdir(parents=True, exist_ok=True)
    return SyncWorld.create(home, emu)


@pytest.fixture
def healthy(world: SyncWorld) -> SyncWorld:
    """Everything on the checklist done for `ann` (an admin): authenticated, primary calendar, warnings
    emailed; company email set up; the google-sync job enabled on this computer, whose daemon is alive."""
    world.studio.users.add("ann", "Ann", admin=True)
    world.add_user("ann", warn_email="ann@example.com")
    set_up_email(world.studio)
    enable_job(world.studio)
    heartbeat(world.studio)
    return world
