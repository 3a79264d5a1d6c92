from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from google.oauth2.credentials import Credentials

from core.emulator import GoogleEmulator

from .helpers import ANN, BOB, login, service


@pytest.fixture(autouse=True)
def _insecure_transport(monkeypatch: pytest.MonkeyPatch) -> None:
    # oauthlib refuses http:// endpoints otherwise; the emulator is loopback only.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")


@pytest.fixture
def emu() -> Iterator[GoogleEmulator]:
    with GoogleEmulator() as emulator:
        emulator.add_account(ANN, name="Ann", timezone="America/New_York")
        emulator.add_account(BOB, name="Bob", timezone="Europe/Paris")
        emulator.register_client("client-1", "secret-1")
        emulator.set_consent_account(ANN)
        yield emulator


@pytest.fixture
def creds(emu: GoogleEmulator) -> Credentials:
    return login(emu)


@pytest.fixture
def cal(emu: GoogleEmulator, creds: Credentials) -> Any:
    return service(emu, "calendar", creds)


@pytest.fixture
def ppl(emu: GoogleEmulator, creds: Credentials) -> Any:
    return service(emu, "people", creds)
