"""`studiosync google auth|remove|calendars|set|show` end to end against the Google emulator.

Sign-in runs the real installed `studiosync` script in a subprocess, both ways a person over SSH finishes
it: the browser's redirect reaching the loopback listener (`ssh -L`), or the redirected address pasted on
stdin. Everything else runs `main(argv)` in-process. Refusals: exit 2, one line on stderr, nothing changed.
"""

from __future__ import annotations

import json
import os
import stat
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from studiosync.core.emulator import GoogleEmulator
from studiosync.core.google.tokens import TokenVault
from studiosync.core.studio.studio import Studio

from tests.conftest import CliResult, CliRunner, studiosync_executable
from tests.google import conftest as api_fixtures
from tests.helpers.browser import browse, consent_redirect
from tests.helpers.files import changed, snapshot
from tests.helpers.google_setup import CLIENT_SECRET, connect_studio, sign_in
from tests.helpers.live_proc import live_process

ANN = api_fixtures.ANN
emu = api_fixtures.emu  # the API tests' emulator fixture: Ann exists and consents
BOB = "bob@example.com"
CALENDAR = "https://www.googleapis.com/auth/calendar"
CONTACTS = "https://www.googleapis.com/auth/contacts.readonly"


@pytest.fixture(autouse=True)
def _oauthlib_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sign-in sets OAUTHLIB_INSECURE_TRANSPORT itself for loopback endpoints: start without it (so the
    subprocesses prove that) and let monkeypatch drop whatever the in-process runs set."""
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "")
    monkeypatch.delenv("OAUTHLIB_INSECURE_TRANSPORT")
    # The shared conftest forces keyring's `fail` backend: tokens go to the data dir's fallback file.
    assert os.environ["PYTHON_KEYRING_BACKEND"] == "keyring.backends.fail.Keyring"


@pytest.fixture
def studio(home: Path, emu: GoogleEmulator, tmp_path: Path) -> Studio:
    """ann (staff), cat (staff, never signs in), room (a resource); Google API settings -> the emulator."""
    s = Studio.open(home)
    connect_studio(home, emu, tmp_path)
    s.users.add("ann", "Ann")
    s.users.add("cat", "Cat")
    s.users.add("room", "Studio A", kind="resource")
    emu.add_account(BOB, name="Bob")
    return s


@pytest.fixture
def signed_in(studio: Studio, cli: CliRunner, monkeypatch: pytest.MonkeyPatch) -> Studio:
    res = sign_in(cli, monkeypatch, "ann")
    assert res.code == 0, res.err
    assert res.out.strip().endswith(f"authenticated ann as {ANN}")
    return studio


def _studiosync(home: Path, *args: str) -> list[str]:
    return [studiosync_executable(), "--home", str(home), *args]


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("OAUTHLIB_INSECURE_TRANSPORT", None)
    return env


def _grants(emu: GoogleEmulator, email: str) -> list:
    with emu.state.lock:
        return [g for g in emu.state.grants.values() if g.email == email]


def _refused(res: CliResult, *words: str) -> None:
    assert res.code == 2, (res.code, res.out, res.err)
    assert len(res.err_lines) == 1, res.err
    assert res.err.startswith("studiosync: error: ")
    for word in words:
        assert word in res.err, (word, res.err)


class Frozen:
    """The data directory (store files, token file, logs) now; check() asserts it is byte-for-byte the same."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.before = snapshot(home)

    def check(self) -> None:
        assert changed(self.before, snapshot(self.home)) == set()


# -- sign-in through the real script ---------------------------------------------------------------------
def _check_authorization_url(url: str) -> None:
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert q["access_type"] == ["offline"]
    assert q["code_challenge_method"] == ["S256"] and len(q["code_challenge"][0]) == 43
    assert set(q["scope"][0].split()) == {CALENDAR, CONTACTS}
    assert q["redirect_uri"][0].startswith("http://localhost:")


def test_auth_loopback_redirect_subprocess(studio: Studio, home: Path, emu: GoogleEmulator) -> None:
    with live_process(_studiosync(home, "google", "auth", "ann", "--no-browser"), env=_child_env()) as proc:
        url = proc.wait_for_line("http", timeout=15)  # stdin stays an open pipe: nobody pastes anything
        _check_authorization_url(url)
        status, landed, body = browse(url)  # the emulator consents and 302s to our loopback listener
        assert status == 200 and "close this tab" in body
        assert landed.startswith("http://localhost:") and "code=" in landed
        assert proc.wait(timeout=20) == 0, proc.stderr
    assert proc.out_lines[-1] == f"authenticated ann as {ANN}"
    assert url in proc.out_lines  # the URL on a line of its own
    vault = TokenVault(home)
    assert vault.is_fallback
    token = vault.get("ann")
    assert token is not None and token.account_email == ANN
    assert [g.refresh_token for g in _grants(emu, ANN)] == [token.refresh_token]
    assert studio.users.google_prefs("ann").account_email == ANN
    assert stat.S_IMODE(vault.fallback_path.stat().st_mode) == 0o600


def test_auth_pasted_redirect_subprocess(studio: Studio, home: Path, emu: GoogleEmulator) -> None:
    with live_process(_studiosync(home, "google", "auth", "ann", "--no-browser"), env=_child_env()) as proc:
        url = proc.wait_for_line("http", timeout=15)
        location = consent_redirect(url)  # the browser over SSH shows "can't connect" on this address
        assert location.startswith("http://localhost:") and "code=" in location
        proc.write("not a url\n")  # a wrong paste is explained, and the wait goes on
        proc.write(location + "\n")
        assert proc.wait(timeout=20) == 0, proc.stderr
    assert proc.out_lines[-1] == f"authenticated ann as {ANN}"
    assert any("not the redirect URL" in line for line in proc.err_lines)
    assert TokenVault(home).get("ann") is not None
    assert studio.google.show("ann")["authenticated"] is True


def test_auth_without_google_api_settings(run_studiosync: Callable[..., Any], home: Path) -> None:
    Studio.open(home).users.add("ann", "Ann")
    frozen = Frozen(home)
    res = run_studiosync("google", "auth", "ann", "--no-browser")
    assert res.returncode == 2
    assert len(res.stderr.splitlines()) == 1, res.stderr
    assert "Google API settings are not set up" in res.stderr
    assert "studiosync prefs google --client-secrets FILE" in res.stderr
    assert res.stdout == ""
    frozen.check()


def test_auth_refuses_a_resource(
    studio: Studio, cli: CliRunner, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    frozen = Frozen(home)
    res = sign_in(cli, monkeypatch, "room")
    _refused(res, "'room' is a resource", "cannot sync with Google")
    assert res.out == ""  # refused before any URL is printed
    frozen.check()


def test_auth_refuses_an_unknown_login(studio: Studio, cli: CliRunner, home: Path) -> None:
    frozen = Frozen(home)
    _refused(cli("google", "auth", "zed", "--no-browser"), "no user 'zed'")
    frozen.check()


def test_second_user_with_a_linked_account_is_refused(
    signed_in: Studio,
    cli: CliRunner,
    home: Path,
    emu: GoogleEmulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    frozen = Frozen(home)
    res = sign_in(cli, monkeypatch, "cat", account=ANN.upper())  # cat picks Ann's account at Google
    _refused(res, f"Google account {ANN} is already linked to user 'ann'", "different Google account")
    frozen.check()  # no token for cat, nothing in the store
    # Ann keeps syncing: her grant was not revoked (at Google, revoking cat's new token would withdraw
    # the studio's access to the whole account, Ann's token included).
    assert not any(g.revoked for g in _grants(emu, ANN))
    assert cli("google", "calendars", "ann").code == 0
    # Cat can still sign in with an account of their own.
    res = sign_in(cli, monkeypatch, "cat", account=BOB)
    assert res.code == 0 and res.out.strip().endswith(f"authenticated cat as {BOB}")


def test_signing_in_again_keeps_the_account(
    signed_in: Studio, cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert sign_in(cli, monkeypatch, "ann").code == 0  # the same user, the same account: fine
    assert signed_in.google.show("ann")["account_email"] == ANN
    assert cli("google", "calendars", "ann").code == 0


# -- calendars, refresh, revocation -----------------------------------------------------------------------
def test_calendars_json(signed_in: Studio, cli: CliRunner, emu: GoogleEmulator) -> None:
    team = emu.add_calendar(ANN, "Team", access_role="writer")
    holidays = emu.add_calendar(ANN, "Holidays", access_role="reader")
    res = cli("google", "calendars", "ann", "--json")
    assert res.code == 0, res.err
    doc = json.loads(res.out)
    by_id = {c["id"]: c for c in doc}
    assert set(by_id) == {ANN, team, holidays}
    for cal in doc:
        assert {"id", "summary", "primary", "access_role"} <= set(cal)
    assert by_id[ANN]["primary"] is True and by_id[ANN]["access_role"] == "owner"
    assert by_id[team]["summary"] == "Team" and by_id[team]["primary"] is False
    assert by_id[team]["access_role"] == "writer"
    assert by_id[holidays]["access_role"] == "reader" and by_id[holidays]["writable"] is False
    text = cli("google", "calendars", "ann")
    assert text.code == 0 and "Holidays" in text.out and "reader" in text.out


def test_calendars_refresh_expired_access_tokens(
    signed_in: Studio, cli: CliRunner, emu: GoogleEmulator
) -> None:
    assert cli("google", "calendars", "ann").code == 0
    assert emu.expire_access_tokens(ANN) >= 1
    before = emu.request_counts(ANN)["oauth"]
    res = cli("google", "calendars", "ann", "--json")
    assert res.code == 0, res.err
    assert ANN in {c["id"] for c in json.loads(res.out)}
    assert emu.request_counts(ANN)["oauth"] > before  # a new access token from the refresh token


def test_calendars_after_revocation_at_google(
    signed_in: Studio, cli: CliRunner, home: Path, emu: GoogleEmulator
) -> None:
    assert emu.revoke_grant(ANN) == 1  # e.g. the user removed the app in their Google account
    frozen = Frozen(home)
    res = cli("google", "calendars", "ann")
    assert res.code == 1 and res.out == ""
    error, fix = res.err_lines
    assert error.startswith("studiosync: error: Google no longer accepts this user's authorization")
    assert fix.startswith("studiosync: fix: ")
    assert "Remove My Google Account" in fix and "Authenticate My Google Account again" in fix
    assert "studiosync google remove ann, then studiosync google auth ann" in fix  # LOGIN filled in
    frozen.check()


def test_calendars_refusals(studio: Studio, cli: CliRunner, home: Path) -> None:
    frozen = Frozen(home)
    _refused(cli("google", "calendars", "cat"), "cat has not authenticated", "studiosync google auth cat")
    _refused(cli("google", "calendars", "room"), "'room' is a resource")
    _refused(cli("google", "calendars", "zed"), "no user 'zed'")
    frozen.check()


# -- the Google tab ------------------------------------------------------------------------------------
def test_set_and_show(signed_in: Studio, cli: CliRunner, emu: GoogleEmulator) -> None:
    team = emu.add_calendar(ANN, "Team", access_role="writer")
    assert cli("groups", "add", "Google").code == 0
    res = cli(
        "google", "set", "ann", "--enable", "--calendar", team, "--populate-google", "--populate-studio",
        "--two-way", "--tentative", "--contacts", "--client-group", "Google",
        "--warn-email", "ann.warnings@example.com", "--detailed-logs",
    )  # fmt: skip
    assert res.code == 0, res.err
    doc = json.loads(cli("google", "show", "ann", "--json").out)
    assert {
        "enabled", "authenticated", "account_email", "calendar_id", "populate_google", "populate_studio",
        "two_way", "tentative", "contacts", "client_group", "warn_email", "detailed_logs", "last_sync",
        "last_error",
    } <= set(doc)  # fmt: skip
    assert doc["enabled"] is True and doc["enabled_at"]
    assert doc["authenticated"] is True and doc["account_email"] == ANN
    assert doc["calendar_id"] == team and doc["calendar_summary"] == "Team"
    assert doc["populate_google"] is doc["populate_studio"] is doc["two_way"] is doc["tentative"] is True
    assert doc["contacts"] is True and doc["client_group"] == "Google"
    assert doc["warn_email"] == "ann.warnings@example.com" and doc["detailed_logs"] is True
    assert doc["last_sync"] is None and doc["last_error"] is None

    res = cli(
        "google", "set", "ann", "--disable", "--calendar", "primary", "--no-populate-google",
        "--no-populate-studio", "--no-two-way", "--no-tentative", "--no-contacts", "--no-warn-email",
        "--no-detailed-logs",
    )  # fmt: skip
    assert res.code == 0, res.err
    doc = json.loads(cli("google", "show", "ann", "--json").out)
    assert doc["enabled"] is False
    assert doc["calendar_id"] == ANN  # Google's "primary" alias is stored as the real id
    assert not any(doc[k] for k in ("populate_google", "populate_studio", "two_way", "tentative", "contacts"))
    assert doc["warn_email"] is None and doc["detailed_logs"] is False
    assert doc["client_group"] == "Google"  # kept for when contacts are switched on again
    text = cli("google", "show", "ann")
    assert text.code == 0 and "authenticated" in text.out and ANN in text.out


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (
            ["ann", "--calendar", "nope@group.calendar.google.com"],
            ["has no calendar", "google calendars ann"],
        ),
        (["ann", "--calendar", "{holidays}"], ["is read-only for ann (reader)"]),
        (["cat", "--calendar", "cat@example.com"], ["cat has not authenticated", "google auth cat"]),
        (["ann", "--contacts"], ["needs an existing client group"]),
        (["ann", "--contacts", "--client-group", "Nope"], ["no client group 'Nope'"]),
        (["ann", "--client-group", "Nope"], ["no client group 'Nope'"]),
        (["room", "--enable"], ["'room' is a resource"]),
        (["ann", "--warn-email", "ann@"], ["'ann@' is not a valid email address"]),
        (["ann", "--warn-email", "ann at example.com"], ["is not a valid email address"]),
        (["zed", "--two-way"], ["no user 'zed'"]),
        # One bad option refuses the whole change: the good ones are not applied either.
        (["ann", "--enable", "--two-way", "--calendar", "{holidays}"], ["read-only"]),
        (["ann", "--enable", "--tentative", "--warn-email", "bad"], ["not a valid email address"]),
    ],
)
def test_set_refusals(
    signed_in: Studio,
    cli: CliRunner,
    home: Path,
    emu: GoogleEmulator,
    args: list[str],
    words: list[str],
) -> None:
    holidays = emu.add_calendar(ANN, "Holidays", access_role="reader")
    args = [a.replace("{holidays}", holidays) for a in args]
    frozen = Frozen(home)
    _refused(cli("google", "set", *args), *words)
    frozen.check()


def test_set_contacts_with_a_group(signed_in: Studio, cli: CliRunner) -> None:
    assert cli("groups", "add", "From Google").code == 0
    assert cli("google", "set", "ann", "--client-group", "From Google").code == 0
    assert cli("google", "set", "ann", "--contacts").code == 0  # the group chosen before is enough
    assert json.loads(cli("google", "show", "ann", "--json").out)["contacts"] is True


def test_show_refuses_an_unknown_login(studio: Studio, cli: CliRunner, home: Path) -> None:
    frozen = Frozen(home)
    _refused(cli("google", "show", "zed", "--json"), "no user 'zed'")
    _refused(cli("google", "remove", "zed"), "no user 'zed'")
    frozen.check()


# -- remove -----------------------------------------------------------------------------------------------
def test_remove(signed_in: Studio, cli: CliRunner, home: Path, emu: GoogleEmulator) -> None:
    assert cli("google", "set", "ann", "--calendar", ANN).code == 0
    refresh_token = TokenVault(home).get("ann").refresh_token  # type: ignore[union-attr]
    res = cli("google", "remove", "ann")
    assert res.code == 0 and res.err == "", res.err
    assert res.out.strip() == "removed the Google account of ann"
    assert TokenVault(home).get("ann") is None
    assert refresh_token not in TokenVault(home).fallback_path.read_text()
    doc = json.loads(cli("google", "show", "ann", "--json").out)
    assert doc["authenticated"] is False and doc["account_email"] is None and doc["calendar_id"] is None
    assert [g.revoked for g in _grants(emu, ANN)] == [True]  # revoked at Google, not only forgotten
    _refused(cli("google", "calendars", "ann"), "has not authenticated")
    assert cli("google", "remove", "ann").code == 0  # removing twice is fine: nothing left to revoke


def test_remove_when_google_is_unreachable_still_forgets(
    signed_in: Studio, cli: CliRunner, home: Path, emu: GoogleEmulator
) -> None:
    emu.inject_fault("503", count=5, path="/revoke")
    res = cli("google", "remove", "ann")
    assert res.code == 0
    assert "warning: could not revoke the token at Google" in res.err
    assert TokenVault(home).get("ann") is None


def test_users_remove_revokes_the_grant_at_google(
    signed_in: Studio, cli: CliRunner, home: Path, emu: GoogleEmulator
) -> None:
    res = cli("users", "remove", "ann")
    assert (res.code, res.out, res.err) == (0, "removed ann\n", "")
    assert TokenVault(home).get("ann") is None
    assert [g.revoked for g in _grants(emu, ANN)] == [True]  # revoked at Google, not only forgotten


def test_users_remove_when_google_is_unreachable_still_removes(
    signed_in: Studio, cli: CliRunner, home: Path, emu: GoogleEmulator
) -> None:
    emu.inject_fault("503", count=5, path="/revoke")
    res = cli("users", "remove", "ann")
    assert res.code == 0 and res.out == "removed ann\n"
    assert "warning: could not revoke the token at Google" in res.err
    assert TokenVault(home).get("ann") is None
    assert Studio.open(home).users.find("ann") is None
    assert [g.revoked for g in _grants(emu, ANN)] == [False]


# -- secrets ------------------------------------------------------------------------------------------------
def _occurrences(home: Path, secrets: dict[str, str]) -> dict[str, set[str]]:
    """{secret name: relative paths of the files under home containing it (raw, URL- or JSON-escaped)}."""
    found: dict[str, set[str]] = {name: set() for name in secrets}
    for path in home.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        for name, value in secrets.items():
            variants = {value, urllib.parse.quote(value, safe=""), json.dumps(value)[1:-1]}
            if any(v.encode() in data for v in variants):
                found[name].add(path.relative_to(home).as_posix())
    return found


def test_secrets_never_leak(studio: Studio, home: Path, emu: GoogleEmulator) -> None:
    outputs: list[str] = []
    with live_process(_studiosync(home, "google", "auth", "ann", "--no-browser"), env=_child_env()) as proc:
        location = consent_redirect(proc.wait_for_line("http", timeout=15))
        proc.write(location + "\n")
        assert proc.wait(timeout=20) == 0, proc.stderr
    outputs += [proc.stdout, proc.stderr]
    code = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)["code"][0]
    for args in (("google", "calendars", "ann", "--json"), ("google", "show", "ann", "--json")):
        with live_process(_studiosync(home, *args), env=_child_env()) as run:
            assert run.wait(timeout=20) == 0, run.stderr
        outputs += [run.stdout, run.stderr]
    (grant,) = _grants(emu, ANN)
    with emu.state.lock:
        access_tokens = [t for t, a in emu.state.access_tokens.items() if a.grant_id == grant.id]
    assert len(access_tokens) >= 2  # one minted by the sign-in, one per later command
    secrets = {"refresh token": grant.refresh_token, "auth code": code, "client secret": CLIENT_SECRET}
    secrets |= {f"access token {n}": token for n, token in enumerate(access_tokens)}

    vault = TokenVault(home)
    assert vault.is_fallback
    tokens_file = vault.fallback_path.relative_to(home).as_posix()
    assert tokens_file == "secrets/tokens.json"
    assert stat.S_IMODE(vault.fallback_path.stat().st_mode) == 0o600
    assert (home / "logs" / "studiosync.log").exists()  # the log was written, and is scanned too
    found = _occurrences(home, secrets)
    assert found.pop("refresh token") == {tokens_file}  # only in the deliberate fallback file
    # The client secret (needed to refresh tokens) is kept by the vault, like the refresh tokens: here in the
    # deliberate fallback file. Not in the studio's copy of the client file, the store or the log.
    assert found.pop("client secret") == {tokens_file}
    assert found == {name: set() for name in found}

    with live_process(_studiosync(home, "google", "remove", "ann"), env=_child_env()) as run:
        assert run.wait(timeout=20) == 0, run.stderr
    outputs += [run.stdout, run.stderr]
    found = _occurrences(home, secrets)
    assert found.pop("client secret") == {tokens_file}  # the studio still needs it for the other users
    assert found == {name: set() for name in found}  # the refresh token is gone from the file too
    log = (home / "logs" / "studiosync.log").read_text()
    assert "authenticated the Google account of ann" in log and "removed the Google account of ann" in log
    for text in outputs:  # nor on the terminal
        for name, value in secrets.items():
            assert value not in text, name
