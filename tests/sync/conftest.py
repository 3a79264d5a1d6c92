from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.emulator import GoogleEmulator
from tests.smtp_server import smtp_server  # noqa: F401 - the real local SMTP server fixture

from .helpers import SyncWorld


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
