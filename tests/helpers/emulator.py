"""Fixtures for tests that run against the Google emulator (a pytest plugin of tests/conftest.py).

`emu` itself (a bare running emulator) is in tests/conftest.py; an area that needs seeded accounts
overrides it by requesting it (`def emu(emu): ...`).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from studiosync.core.emulator import GoogleEmulator

from tests.sync.helpers import SyncWorld


@pytest.fixture
def world(home: Path, emu: GoogleEmulator) -> SyncWorld:
    """A studio wired to the emulator (company Google settings done), no users yet."""
    home.mkdir(parents=True, exist_ok=True)
    return SyncWorld.create(home, emu)
