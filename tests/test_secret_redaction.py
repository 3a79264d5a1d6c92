"""Secrets read from the vault at runtime are redacted by the log wherever they would appear."""

from __future__ import annotations

import json
from pathlib import Path

from studiosync.core import logs
from studiosync.core.studio.studio import Studio


def test_smtp_password_and_client_secret_never_reach_the_log(home: Path, tmp_path: Path) -> None:
    studio = Studio.open(home)
    secrets_file = tmp_path / "client.json"
    secrets_file.write_text(
        json.dumps(
            {
                "installed": {
                    "client_id": "cid.apps.googleusercontent.com",
                    "client_secret": "client-secret-value-42",
                    "auth_uri": "https://accounts.google.com/o/oauth2/auth",
                    "token_uri": "https://oauth2.googleapis.com/token",
                }
            }
        )
    )
    studio.prefs.set_google(client_secrets=secrets_file)
    studio.prefs.set_email(
        host="smtp.example.com",
        port=587,
        username="studio",
        password="smtp-pass-value-42",
        from_addr="s@example.com",
    )
    logs.configure(studio.datadir.logs, process="test")
    try:
        password = studio.prefs.smtp_password()
        config = studio.prefs.client_config()
        assert password == "smtp-pass-value-42" and config is not None
        logs.event(
            "ERROR", f"login failed with {password} for client {config.client_secret}", detail=password
        )
    finally:
        logs.shutdown()
    text = (studio.datadir.logs / "studiosync.log").read_text()
    assert "login failed with" in text
    assert "smtp-pass-value-42" not in text and "client-secret-value-42" not in text
