"""Fixtures: a running Google emulator with Ann, a registered OAuth client, and signed-in credentials."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from studiosync.core.emulator import GoogleEmulator
from studiosync.core.google.oauth import ClientConfig, credentials_from_token, load_client_secrets
from studiosync.core.google.tokens import StoredToken

ANN = "ann@example.com"


@pytest.fixture
def emu(emu: GoogleEmulator) -> GoogleEmulator:
    """The shared bare emulator (tests/conftest.py; tokens live 3600 s) with Ann, who consents."""
    emu.add_account(ANN, name="Ann", timezone="America/New_York")
    emu.set_consent_account(ANN)
    return emu


@pytest.fixture
def client(emu: GoogleEmulator, tmp_path: Path) -> ClientConfig:
    path = tmp_path / "client_secret.json"
    path.write_text(json.dumps(emu.register_client("client-1", "secret-1")))
    return load_client_secrets(path)


@pytest.fixture
def stored(emu: GoogleEmulator, client: ClientConfig) -> StoredToken:
    """A token as the vault would hold it (granted without the browser dance)."""
    info = emu.authorize(ANN, client.client_id)
    return StoredToken(info["refresh_token"], ANN, client.client_id, tuple(info["scopes"]), client.token_uri)


@pytest.fixture
def creds(stored: StoredToken, client: ClientConfig):
    return credentials_from_token(stored, client)
