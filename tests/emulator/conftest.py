from __future__ import annotations

from typing import Any

import pytest
from google.oauth2.credentials import Credentials
from studiosync.core.emulator import GoogleEmulator

from .helpers import ANN, BOB, login, service


@pytest.fixture(autouse=True)
def _insecure_transport(monkeypatch: pytest.MonkeyPatch) -> None:
    # These tests drive the raw google-auth-oauthlib clients, not core.google.oauth (which sets it itself
    # for loopback endpoints): oauthlib refuses http:// endpoints otherwise; the emulator is loopback only.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")


@pytest.fixture
def emu(emu: GoogleEmulator) -> GoogleEmulator:
    """The shared bare emulator (tests/conftest.py) with Ann, Bob and client-1; Ann consents."""
    emu.add_account(ANN, name="Ann", timezone="America/New_York")
    emu.add_account(BOB, name="Bob", timezone="Europe/Paris")
    emu.register_client("client-1", "secret-1")
    emu.set_consent_account(ANN)
    return emu


@pytest.fixture
def creds(emu: GoogleEmulator) -> Credentials:
    return login(emu)


@pytest.fixture
def cal(emu: GoogleEmulator, creds: Credentials) -> Any:
    return service(emu, "calendar", creds)


@pytest.fixture
def ppl(emu: GoogleEmulator, creds: Credentials) -> Any:
    return service(emu, "people", creds)
