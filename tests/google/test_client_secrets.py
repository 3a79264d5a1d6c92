"""load_client_secrets: Google client JSON validation with errors that name the problem."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from studiosync.core.errors import InputError
from studiosync.core.google.oauth import load_client_secrets, parse_client_config

GOOD = {
    "installed": {
        "client_id": "123.apps.googleusercontent.com",
        "client_secret": "shh",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": "https://oauth2.googleapis.com/token",
        "redirect_uris": ["http://localhost"],
    }
}


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "client.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def test_installed_client_loads(tmp_path: Path) -> None:
    client = load_client_secrets(write(tmp_path, GOOD))
    assert client.kind == "installed"
    assert client.client_id == "123.apps.googleusercontent.com"
    assert client.revoke_uri == "https://oauth2.googleapis.com/revoke"
    assert not client.is_loopback
    assert "shh" not in repr(client)


def test_web_client_loads(tmp_path: Path) -> None:
    client = load_client_secrets(write(tmp_path, {"web": GOOD["installed"]}))
    assert client.kind == "web"


def test_legacy_accounts_token_uri_revokes_at_google(tmp_path: Path) -> None:
    data = {"installed": {**GOOD["installed"], "token_uri": "https://accounts.google.com/o/oauth2/token"}}
    assert load_client_secrets(write(tmp_path, data)).revoke_uri == "https://oauth2.googleapis.com/revoke"


def test_loopback_endpoints_allow_http_and_revoke_at_their_origin() -> None:
    data = {
        "installed": {
            **GOOD["installed"],
            "auth_uri": "http://127.0.0.1:5000/o/oauth2/auth",
            "token_uri": "http://127.0.0.1:5000/token",
        }
    }
    client = parse_client_config(data)
    assert client.is_loopback
    assert client.revoke_uri == "http://127.0.0.1:5000/revoke"


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ("{nope", "not valid JSON"),
        ([1, 2], "expected a JSON object"),
        ({"type": "service_account", "client_email": "x"}, "service-account"),
        ({"other": {}}, "'installed' or 'web'"),
        ({"installed": {"client_id": "x"}}, "lacks client_secret, auth_uri, token_uri"),
        ({"installed": {**GOOD["installed"], "client_secret": ""}}, "lacks client_secret"),
        (
            {"installed": {**GOOD["installed"], "token_uri": "http://evil.example.com/token"}},
            "token_uri must be an https URL",
        ),
    ],
)
def test_invalid_files_name_the_problem(tmp_path: Path, data: object, needle: str) -> None:
    with pytest.raises(InputError) as info:
        load_client_secrets(write(tmp_path, data))
    assert needle in info.value.message
    assert info.value.exit_code == 2


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        load_client_secrets(tmp_path / "nope.json")
