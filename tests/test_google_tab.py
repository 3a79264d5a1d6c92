"""GoogleAccounts (the service behind each user's Google tab) against the emulator: the rules the CLI and
the console share, and what must hold when the sync processor writes the same tab at the same time."""

from __future__ import annotations

import webbrowser
from pathlib import Path

import pytest
from studiosync.core.cli import google_cmd
from studiosync.core.emulator import GoogleEmulator
from studiosync.core.errors import InputError, StoreError
from studiosync.core.store import layout
from studiosync.core.studio.studio import Studio
from studiosync.core.sync.calendar_sync import update_google_prefs

from tests.conftest import CliRunner
from tests.google import conftest as api_fixtures
from tests.helpers.google_setup import connect_studio, grant

ANN = api_fixtures.ANN
emu = api_fixtures.emu  # the API tests' emulator fixture: Ann exists and consents
BOB = "bob@example.com"


@pytest.fixture(autouse=True)
def _oauthlib_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # In-process sign-in sets OAUTHLIB_INSECURE_TRANSPORT for the loopback emulator: undo it afterwards.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "")
    monkeypatch.delenv("OAUTHLIB_INSECURE_TRANSPORT")


@pytest.fixture
def studio(home: Path, emu: GoogleEmulator, tmp_path: Path) -> Studio:
    s = Studio.open(home)
    connect_studio(home, emu, tmp_path)
    s.users.add("ann", "Ann")
    s.users.add("cat", "Cat")
    emu.add_account(BOB, name="Bob")
    return s


def _grants(emu: GoogleEmulator, email: str) -> list:
    with emu.state.lock:
        return [g for g in emu.state.grants.values() if g.email == email]


def test_update_keeps_what_the_processor_wrote_meanwhile(
    studio: Studio,
    emu: GoogleEmulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    grant(studio, emu, "ann", ANN)
    studio.google.update("ann", calendar_id=ANN, populate_google=True)
    team = emu.add_calendar(ANN, "Team")
    other = Studio.open(studio.datadir.root)  # the sync processor, in another process
    ask_google = studio.google.calendars

    def slow_calendars(login: str):  # type: ignore[no-untyped-def]
        # While we wait for Google, a sync run ends: it records its outcome and unchecks Populate.
        update_google_prefs(other, "ann", last_sync="2026-11-25T10:00:00.000+00:00", populate_google=False)
        return ask_google(login)

    monkeypatch.setattr(studio.google, "calendars", slow_calendars)
    prefs = studio.google.update("ann", calendar_id=team, two_way=True)
    assert prefs.calendar_id == team and prefs.two_way is True
    saved = other.users.google_prefs("ann")
    assert saved.calendar_id == team and saved.two_way is True
    assert saved.last_sync == "2026-11-25T10:00:00.000+00:00"  # not written back as it was before
    assert saved.populate_google is False


def test_contacts_need_a_group_that_still_exists(studio: Studio) -> None:
    prefs = studio.users.google_prefs("ann")
    prefs.client_group = "0123456789abcdef0123456789abcdef"  # a group id no longer in the store
    studio.users.save_google_prefs(prefs)
    with pytest.raises(InputError, match="needs an existing client group"):
        studio.google.update("ann", contacts=True)
    assert studio.users.google_prefs("ann").contacts is False
    group = studio.groups.add("Google")
    studio.google.update("ann", contacts=True, client_group=group.name)
    assert studio.users.google_prefs("ann").client_group == group.id


def test_signing_in_with_another_account_starts_over(studio: Studio, emu: GoogleEmulator) -> None:
    grant(studio, emu, "ann", ANN)
    studio.google.update("ann", calendar_id=ANN)
    state = layout.sync_state_file("ann")
    with studio.store.transaction(state) as tx:
        tx.table(state, "calendar").put("calendar", {"calendar_id": ANN, "sync_token": "old"})
    prefs = grant(studio, emu, "ann", BOB)
    assert prefs.account_email == BOB and prefs.calendar_id is None  # Ann's calendar is not Bob's
    assert studio.store.table_rows(state, "calendar") == {}  # the old account's sync state is forgotten
    assert [g.revoked for g in _grants(emu, ANN)] == [True]  # and our access to it withdrawn
    assert [g.revoked for g in _grants(emu, BOB)] == [False]
    assert studio.secrets.get("ann").account_email == BOB  # type: ignore[union-attr]


def test_signing_in_again_with_the_same_account_revokes_nothing(studio: Studio, emu: GoogleEmulator) -> None:
    grant(studio, emu, "ann", ANN)
    studio.google.update("ann", calendar_id=ANN)
    grant(studio, emu, "ann", ANN.upper())  # Google answers the same account, maybe spelled otherwise
    # At Google, revoking the old token would withdraw the whole grant, the new token's included.
    assert [g.revoked for g in _grants(emu, ANN)] == [False, False]
    assert studio.users.google_prefs("ann").calendar_id == ANN
    assert [c.id for c in studio.google.calendars("ann")] == [ANN]


def test_duplicate_account_refused_without_storing_or_revoking(studio: Studio, emu: GoogleEmulator) -> None:
    grant(studio, emu, "ann", ANN)
    with pytest.raises(InputError, match="already linked to user 'ann'"):
        grant(studio, emu, "cat", ANN)
    assert studio.secrets.get("cat") is None
    assert studio.users.google_prefs("cat").account_email is None
    assert not any(g.revoked for g in _grants(emu, ANN))


def test_failed_save_does_not_keep_the_new_token(
    studio: Studio,
    emu: GoogleEmulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    grant(studio, emu, "ann", ANN)
    before = studio.secrets.get("ann")

    def broken(login, change):  # type: ignore[no-untyped-def]
        raise StoreError("disk full")

    monkeypatch.setattr(studio.users, "update_google_prefs", broken)
    with pytest.raises(StoreError):
        grant(studio, emu, "ann", ANN)
    assert studio.secrets.get("ann") == before
    with pytest.raises(StoreError):
        grant(studio, emu, "cat", BOB)
    assert studio.secrets.get("cat") is None


def test_remove_keeps_the_other_settings(studio: Studio, emu: GoogleEmulator) -> None:
    grant(studio, emu, "ann", ANN)
    studio.google.update("ann", enabled=True, calendar_id=ANN, two_way=True, warn_email="ann@example.com")
    assert studio.google.remove("ann") is None
    tab = studio.google.show("ann")
    assert tab["authenticated"] is False and tab["account_email"] is None and tab["calendar_id"] is None
    assert tab["two_way"] is True and tab["warn_email"] == "ann@example.com"
    grant(studio, emu, "cat", ANN)  # the account is free for another user now


# -- the CLI's browser ------------------------------------------------------------------------------------
def test_no_text_browser_takes_over_the_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[bool] = []
    opened: list[str] = []

    class Lynx(webbrowser.GenericBrowser):
        def open(self, url: str, new: int = 0, autoraise: bool = True) -> bool:
            opened.append(url)
            return True

    def get(using=None):  # type: ignore[no-untyped-def]
        asked.append(True)
        return Lynx("lynx")

    monkeypatch.setattr(webbrowser, "get", get)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    google_cmd._try_open_browser("http://example.test/auth")  # an SSH session: no display at all
    assert asked == [] and opened == []
    monkeypatch.setenv("DISPLAY", ":0")
    google_cmd._try_open_browser("http://example.test/auth")  # a display, but only lynx is found
    assert asked == [True] and opened == []

    class Firefox(Lynx):
        pass

    monkeypatch.setattr(webbrowser, "get", lambda using=None: Firefox("firefox"))
    google_cmd._try_open_browser("http://example.test/auth")
    assert opened == ["http://example.test/auth"]


def test_auth_timeout_must_be_positive(studio: Studio, cli: CliRunner) -> None:
    res = cli("google", "auth", "ann", "--no-browser", "--timeout", "0")
    assert res.code == 2 and len(res.err_lines) == 1 and "timeout" in res.err
    assert res.out == ""
