"""Fixtures for the doctor tests: the shared emulator `world` (tests/helpers/emulator.py) plus a fully
healthy setup."""

from __future__ import annotations

import pytest

from tests.doctor.helpers import enable_job, heartbeat, set_up_email
from tests.sync.helpers import SyncWorld


@pytest.fixture
def healthy(world: SyncWorld) -> SyncWorld:
    """Everything on the checklist done for `ann` (an admin): authenticated, primary calendar, warnings
    emailed; company email set up; the OAuth app marked published; the google-sync job enabled on this
    computer, whose daemon is alive."""
    world.studio.prefs.set_app_published(True)
    world.studio.users.add("ann", "Ann", admin=True)
    world.add_user("ann", warn_email="ann@example.com")
    set_up_email(world.studio)
    enable_job(world.studio)
    heartbeat(world.studio)
    return world
