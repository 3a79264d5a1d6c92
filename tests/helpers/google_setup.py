"""A studio wired to the Google emulator, and an in-process `studiosync google auth` with a scripted browser."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from studiosync.core.emulator import GoogleEmulator
from studiosync.core.studio.studio import Studio

from tests.helpers.browser import browse

CLIENT_ID = "studio-client.apps.googleusercontent.com"
CLIENT_SECRET = "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789"


def connect_studio(home: Path, emu: GoogleEmulator, secrets_dir: Path) -> Path:
    """Register our OAuth client at the emulator and load it as the studio's Google API settings.

    The downloaded client file lives in `secrets_dir` (outside the data dir, like a download folder);
    returns its path.
    """
    path = secrets_dir / "client_secret.json"
    path.write_text(json.dumps(emu.register_client(CLIENT_ID, CLIENT_SECRET)))
    Studio.open(home).prefs.set_google(client_secrets=path, api_endpoint=emu.url)
    return path


def scripted_browser(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Make `studiosync google auth` (without --no-browser) "open a browser" that consents at once.

    Returns the list the browser appends (status, final URL, body) or an exception to; the CLI process
    is this one, so the browser runs on a thread.
    """
    from studiosync.core.cli import google_cmd

    visits: list[Any] = []

    def open_browser(url: str) -> None:
        def run() -> None:
            try:
                visits.append(browse(url))
            except Exception as exc:  # noqa: BLE001 - surfaced through the list
                visits.append(exc)

        threading.Thread(target=run, daemon=True).start()

    monkeypatch.setattr(google_cmd, "_try_open_browser", open_browser)
    return visits


def sign_in(
    cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch, login: str, account: str | None = None
) -> Any:
    """`studiosync google auth LOGIN [--account EMAIL]` in-process, the emulator playing Google and the user."""
    scripted_browser(monkeypatch)
    args = ["google", "auth", login, "--timeout", "20"]
    if account:
        args += ["--account", account]
    return cli(*args)


def grant(studio: Studio, emu: GoogleEmulator, login: str, email: str) -> Any:
    """GoogleAccounts.finish_auth with a grant made at the emulator directly (no browser, no listener)."""
    from studiosync.core.google.oauth import AuthResult, credentials_from_token
    from studiosync.core.google.tokens import StoredToken

    info = emu.authorize(email, CLIENT_ID)
    client = studio.google.client_config()
    stored = StoredToken(info["refresh_token"], email, CLIENT_ID, tuple(info["scopes"]), client.token_uri)
    result = AuthResult(
        credentials_from_token(stored, client), email, info["refresh_token"], tuple(info["scopes"])
    )
    return studio.google.finish_auth(login, result)
