"""studiosync prefs timezone|google|email.

The `prefs email` tests need core.mail.validate_email_address, and --password-stdin needs
core.google.tokens.TokenVault (its file fallback: the conftest selects keyring's `fail` backend).
"""

from __future__ import annotations

import json
from pathlib import Path

from studiosync.core.studio.studio import Studio

from tests.helpers.files import bad_modes

SECRETS = {
    "installed": {
        "client_id": "123-abc.apps.googleusercontent.com",
        "client_secret": "s3cret",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": "https://oauth2.googleapis.com/token",
    }
}


def _show(cli):
    r = cli("prefs", "show", "--json")
    assert r.code == 0, r.err
    return json.loads(r.out)


def test_timezone(cli) -> None:
    assert _show(cli)["timezone"] == "UTC"
    r = cli("prefs", "timezone", "Europe/London")
    assert (r.code, r.out, r.err) == (0, "studio time zone set to Europe/London\n", "")
    assert _show(cli)["timezone"] == "Europe/London"


def test_google_client_secrets_are_copied_privately(cli, home: Path, tmp_path: Path) -> None:
    source = tmp_path / "downloads" / "client_secret_123.json"
    source.parent.mkdir()
    source.write_text(json.dumps(SECRETS))
    source.chmod(0o644)
    r = cli("prefs", "google", "--client-secrets", str(source))
    assert r.code == 0, r.err
    assert "123-abc.apps.googleusercontent.com" in r.out and "installed" in r.out
    google = _show(cli)["google"]
    assert google["client_id"] == "123-abc.apps.googleusercontent.com"
    assert google["client_type"] == "installed" and google["api_endpoint"] is None
    copy = home / "secrets" / "client_secrets.json"
    kept = json.loads(copy.read_text())
    assert "client_secret" not in kept["installed"]  # the secret lives in the keyring (vault)
    assert {k: v for k, v in SECRETS["installed"].items() if k != "client_secret"} == kept["installed"]
    source.unlink()  # the admin's download can go away
    studio = Studio.open(home)
    assert studio.prefs.client_secrets_path() == copy
    config = studio.prefs.client_config()
    assert config is not None and config.client_secret == SECRETS["installed"]["client_secret"]
    assert "s3cret" not in (home / "store" / "studio.json").read_text()
    assert bad_modes(home) == []

    web = tmp_path / "web.json"
    web.write_text(json.dumps({"web": SECRETS["installed"]}))
    r = cli("prefs", "google", "--client-secrets", str(web), "--api-endpoint", "http://127.0.0.1:8765")
    assert r.code == 0, r.err
    google = _show(cli)["google"]
    assert (google["client_type"], google["api_endpoint"]) == ("web", "http://127.0.0.1:8765/")


def test_email_settings_without_auth(cli) -> None:
    r = cli("prefs", "email", "--host", "smtp.example.com", "--port", "587", "--from", "studio@example.com")
    assert r.code == 0, r.err
    assert r.out == "email settings saved (smtp.example.com:587, starttls)\n"
    email = _show(cli)["email"]
    assert email == {
        "host": "smtp.example.com",
        "port": 587,
        "security": "starttls",
        "username": None,
        "from_addr": "studio@example.com",
        "has_password": False,
        "allow_plaintext": False,
    }


def test_email_password_from_stdin_goes_to_the_vault_not_the_store(cli, home: Path) -> None:
    r = cli(
        "prefs",
        "email",
        "--host",
        "smtp.example.com",
        "--port",
        "465",
        "--security",
        "ssl",
        "--username",
        "studio",
        "--password-stdin",
        "--from",
        "studio@example.com",
        stdin="p@ss word\n",
    )
    assert r.code == 0, r.err
    email = _show(cli)["email"]
    assert (email["security"], email["username"], email["has_password"]) == ("ssl", "studio", True)
    studio = Studio.open(home)
    assert studio.prefs.smtp_password() == "p@ss word"
    for path in (home / "store").rglob("*.json"):
        assert "p@ss word" not in path.read_text()
    assert bad_modes(home) == []
    # Changing the server but keeping the user keeps the password; dropping the user forgets it.
    assert (
        cli(
            "prefs",
            "email",
            "--host",
            "mail.example.com",
            "--port",
            "465",
            "--security",
            "ssl",
            "--username",
            "studio",
            "--from",
            "studio@example.com",
        ).code
        == 0
    )
    assert Studio.open(home).prefs.smtp_password() == "p@ss word"
    assert (
        cli(
            "prefs",
            "email",
            "--host",
            "mail.example.com",
            "--port",
            "25",
            "--security",
            "none",
            "--from",
            "studio@example.com",
        ).code
        == 0
    )
    assert _show(cli)["email"]["has_password"] is False
    assert Studio.open(home).secrets.get_secret("smtp-password") is None


def _store_files(home: Path) -> dict[str, bytes]:
    return {str(p.relative_to(home)): p.read_bytes() for p in sorted(home.rglob("*")) if p.is_file()}


def test_email_test_address_is_checked_before_anything_is_saved(cli, home: Path) -> None:
    assert (
        cli(
            "prefs",
            "email",
            "--host",
            "smtp.example.com",
            "--port",
            "587",
            "--username",
            "studio",
            "--password-stdin",
            "--from",
            "studio@example.com",
            stdin="old-pass\n",
        ).code
        == 0
    )
    before, files = _show(cli), _store_files(home)
    r = cli(
        "prefs",
        "email",
        "--host",
        "mail.other.example",
        "--port",
        "25",
        "--security",
        "none",
        "--username",
        "other",
        "--password-stdin",
        "--from",
        "other@example.com",
        "--test",
        "bad",
        stdin="new-pass\n",
    )
    assert r.code == 2 and len(r.err.splitlines()) == 1 and "'bad'" in r.err and r.out == ""
    assert _show(cli) == before
    assert _store_files(home) == files  # not the store, not the token vault: nothing changed
    assert Studio.open(home).prefs.smtp_password() == "old-pass"
    assert cli("prefs", "email", "--test", "bad").code == 2


def test_api_endpoint_with_a_google_service_path_is_refused(cli, home: Path, tmp_path: Path) -> None:
    source = tmp_path / "client.json"
    source.write_text(json.dumps(SECRETS))
    assert cli("prefs", "google", "--client-secrets", str(source)).code == 0
    before, files = _show(cli), _store_files(home)
    for wrong in (
        "http://127.0.0.1:8765/calendar/v3/",
        "http://127.0.0.1:8765/calendar/v3",
        "https://www.googleapis.com/calendar/v3/users/me/calendarList",
        "https://www.googleapis.com/batch/calendar/v3",
        "https://www.googleapis.com/batch",
        "https://people.googleapis.com/v1/people",
        "https://proxy.example/google/people/v1/",
    ):
        r = cli("prefs", "google", "--client-secrets", str(source), "--api-endpoint", wrong)
        assert r.code == 2, wrong
        assert len(r.err.splitlines()) == 1 and "service path" in r.err and "API root" in r.err, r.err
        assert _show(cli) == before and _store_files(home) == files
    r = cli(
        "prefs",
        "google",
        "--client-secrets",
        str(source),
        "--api-endpoint",
        "http://127.0.0.1:8765/calendar/v3/",
    )
    assert "give the API root only, such as http://127.0.0.1:8765/ or" in r.err
    for good, stored in (
        ("http://127.0.0.1:8765", "http://127.0.0.1:8765/"),
        ("http://127.0.0.1:8765/", "http://127.0.0.1:8765/"),
        ("https://www.googleapis.com/", "https://www.googleapis.com/"),
        ("https://proxy.example/google/", "https://proxy.example/google/"),  # a proxy's own prefix
    ):
        r = cli("prefs", "google", "--client-secrets", str(source), "--api-endpoint", good)
        assert r.code == 0, r.err
        assert _show(cli)["google"]["api_endpoint"] == stored


def test_google_app_published_or_testing(cli, home: Path, tmp_path: Path) -> None:
    r = cli("prefs", "google", "--published")
    assert r.code == 2 and "--client-secrets" in r.err and len(r.err.splitlines()) == 1  # no client yet
    assert cli("prefs", "google").code == 2  # nothing to do
    source = tmp_path / "client.json"
    source.write_text(json.dumps(SECRETS))
    assert cli("prefs", "google", "--api-endpoint", "http://127.0.0.1:8765/").code == 2  # needs the file
    r = cli("prefs", "google", "--client-secrets", str(source))
    assert r.code == 0 and "in Testing" in r.out
    assert _show(cli)["google"]["app_published"] is False
    assert "Testing" in cli("prefs", "show").out

    r = cli("prefs", "google", "--published")  # alone: the client is already configured
    assert (r.code, r.err) == (0, "") and "published" in r.out
    assert _show(cli)["google"]["app_published"] is True
    assert "published (In production)" in cli("prefs", "show").out
    assert cli("prefs", "google", "--client-secrets", str(source)).code == 0  # same client: still published
    assert _show(cli)["google"]["app_published"] is True
    assert cli("prefs", "google", "--testing").code == 0
    assert _show(cli)["google"]["app_published"] is False
    assert cli("prefs", "google", "--published", "--testing").code == 2
    assert _show(cli)["google"]["app_published"] is False

    other = tmp_path / "other.json"
    other.write_text(json.dumps({"installed": {**SECRETS["installed"], "client_id": "456-def.apps"}}))
    assert cli("prefs", "google", "--client-secrets", str(other), "--published").code == 0  # together
    google = _show(cli)["google"]
    assert (google["client_id"], google["app_published"]) == ("456-def.apps", True)
    assert cli("prefs", "google", "--client-secrets", str(source)).code == 0  # another app: Testing again
    assert _show(cli)["google"]["app_published"] is False


def test_api_endpoint_with_a_bad_port_or_extra_parts_is_refused(cli, home: Path, tmp_path: Path) -> None:
    source = tmp_path / "client.json"
    source.write_text(json.dumps(SECRETS))
    assert cli("prefs", "google", "--client-secrets", str(source)).code == 0
    before, files = _show(cli), _store_files(home)
    for wrong, says in (
        ("http://127.0.0.1:99999/", "invalid port"),
        ("http://127.0.0.1:0/", "invalid port"),
        ("http://127.0.0.1:abc/", "invalid port"),
        ("http://127.0.0.1:8765/?x=1", "plain root URL"),
        ("http://127.0.0.1:8765/#frag", "plain root URL"),
        ("http://user@127.0.0.1:8765/", "plain root URL"),
        ("http://:8765/", "not an http(s) URL"),
    ):
        r = cli("prefs", "google", "--client-secrets", str(source), "--api-endpoint", wrong)
        assert r.code == 2 and len(r.err.splitlines()) == 1 and says in r.err, (wrong, r.err)
        assert _show(cli) == before and _store_files(home) == files
