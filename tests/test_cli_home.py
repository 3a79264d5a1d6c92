"""Where the CLI keeps its data (--home, STUDIOSYNC_HOME, platformdirs) and that all of it is private."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import studiosync_executable
from tests.helpers.files import bad_modes

CLIENT_SECRETS = {
    "installed": {
        "client_id": "123-abc.apps.googleusercontent.com",
        "client_secret": "s3cret",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": "https://oauth2.googleapis.com/token",
        "redirect_uris": ["http://localhost"],
    }
}


def _logins(result) -> list[str]:
    assert result.code == 0, result.err
    return [u["login"] for u in json.loads(result.out)]


def test_home_option_before_or_after_the_subcommand(cli, tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    assert cli("--home", str(one), "users", "add", "ann", "--name", "Ann", home_dir=False).code == 0
    assert cli("users", "add", "bob", "--name", "Bob", "--home", str(two), home_dir=False).code == 0
    assert cli("users", "--home", str(two), "add", "cat", "--name", "Cat", home_dir=False).code == 0
    assert _logins(cli("users", "list", "--json", "--home", str(one), home_dir=False)) == ["ann"]
    assert _logins(cli("--home", str(two), "users", "list", "--json", home_dir=False)) == ["bob", "cat"]
    # the one after the subcommand wins over the global one
    assert _logins(
        cli("--home", str(one), "users", "list", "--home", str(two), "--json", home_dir=False)
    ) == [
        "bob",
        "cat",
    ]


def test_studiosync_home_environment_variable(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_home = tmp_path / "from-env"
    monkeypatch.setenv("STUDIOSYNC_HOME", str(env_home))
    assert cli("users", "add", "ann", "--name", "Ann", home_dir=False).code == 0
    assert (env_home / "store" / "studio.json").exists()
    assert _logins(cli("users", "list", "--json", home_dir=False)) == ["ann"]
    other = tmp_path / "explicit"
    assert _logins(cli("users", "list", "--json", home_dir=other)) == []  # --home beats the variable


def test_platform_default_when_nothing_is_set(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STUDIOSYNC_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert cli("users", "add", "ann", "--name", "Ann", home_dir=False).code == 0
    default = tmp_path / "xdg" / "studiosync"
    assert (default / "store" / "studio.json").exists()
    assert bad_modes(default) == []


def test_every_file_and_directory_created_is_private_even_with_umask_0(
    cli, home: Path, tmp_path: Path
) -> None:
    secrets = tmp_path / "client_secret.json"
    secrets.write_text(json.dumps(CLIENT_SECRETS))
    os.chmod(secrets, 0o644)
    old = os.umask(0)
    try:
        steps = [
            ("users", "add", "ann", "--name", "Ann", "--admin", "--password-stdin"),
            ("users", "add", "room", "--name", "Room 1", "--kind", "resource"),
            ("groups", "add", "VIP"),
            (
                "appointments",
                "add",
                "ann",
                "--title",
                "Shoot",
                "--start",
                "2027-01-05T10:00",
                "--end",
                "2027-01-05T11:00",
            ),
            (
                "appointments",
                "add",
                "room",
                "--title",
                "Booked",
                "--start",
                "2027-01-05",
                "--end",
                "2027-01-06",
            ),
            ("prefs", "timezone", "Europe/London"),
            ("prefs", "google", "--client-secrets", str(secrets), "--api-endpoint", "http://127.0.0.1:8765/"),
            # the SMTP password goes to the token vault's file fallback (keyring `fail` backend in tests)
            (
                "prefs",
                "email",
                "--host",
                "smtp.example.com",
                "--port",
                "587",
                "--username",
                "u",
                "--password-stdin",
                "--from",
                "studio@example.com",
            ),
        ]
        for argv in steps:
            result = cli(*argv, stdin="pw-long-enough\n")
            assert result.code == 0, (argv, result.err)
        appt_id = json.loads(cli("appointments", "list", "--json").out)[0]["id"]
        assert cli("appointments", "edit", appt_id, "--title", "Moved").code == 0
        assert cli("appointments", "delete", appt_id).code == 0
    finally:
        os.umask(old)
    created = sorted(p.relative_to(home).as_posix() for p in home.rglob("*"))
    assert {"secrets/client_secrets.json", "secrets/tokens.json", "store/studio.json"} <= set(created)
    assert any(p.startswith("store/appts/") for p in created)
    assert bad_modes(home) == []


def test_installed_script_creates_a_private_data_dir(tmp_path: Path) -> None:
    home = tmp_path / "deep" / "home"
    env = {**os.environ, "STUDIOSYNC_HOME": str(home)}
    exe = studiosync_executable()
    for argv in (
        ["users", "add", "ann", "--name", "Ann"],
        [
            "appointments",
            "add",
            "ann",
            "--title",
            "T",
            "--start",
            "2027-01-05T10:00",
            "--end",
            "2027-01-05T11:00",
        ],
    ):
        result = subprocess.run([exe, *argv], capture_output=True, text=True, env=env, timeout=60)
        assert result.returncode == 0, result.stderr
    listing = subprocess.run(
        [exe, "appointments", "list", "--json"], capture_output=True, text=True, env=env, timeout=60
    )
    assert listing.returncode == 0 and listing.stderr == ""
    assert [d["title"] for d in json.loads(listing.stdout)] == ["T"]
    assert bad_modes(home) == []


def test_an_existing_loose_data_dir_is_tightened(cli, home: Path) -> None:
    home.mkdir(mode=0o755)
    os.chmod(home, 0o755)
    assert cli("users", "list").code == 0
    assert home.stat().st_mode & 0o777 == 0o700
