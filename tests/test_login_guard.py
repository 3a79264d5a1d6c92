"""Web login throttling (core.studio.login_guard) and the password rules, on the one pinned clock."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from studiosync.core import clock
from studiosync.core.errors import InputError
from studiosync.core.studio.login_guard import web_log_in
from studiosync.core.studio.passwords import check_new_password
from studiosync.core.studio.studio import Studio

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
GOOD = "correct horse battery"


@pytest.fixture
def now(monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    moment = [T0]
    monkeypatch.setattr(clock, "_current", lambda: moment[0])
    return moment


@pytest.fixture
def guarded(studio: Studio, now: list[datetime]) -> Studio:
    studio.users.add("ann", "Ann", password=GOOD)
    studio.users.add("ben", "Ben", password=GOOD + " 2")
    studio.users.add("cara", "Cara")  # no password yet
    studio.users.add("room-a", "Room A", kind="resource")
    return studio


def attempt(studio: Studio, login: str, password: str, address: str = "10.0.0.5") -> str:
    """'ok' or the message the browser would show."""
    try:
        web_log_in(studio.users, studio.login_guard, login, password, address)
    except InputError as exc:
        return exc.message
    return "ok"


def test_five_failures_lock_the_login_for_30_s_then_60_s(guarded: Studio, now: list[datetime]) -> None:
    answers = [attempt(guarded, "ann", f"wrong {i}") for i in range(5)]
    assert answers[:4] == ["wrong login or password"] * 4
    assert answers[4] == "wrong login or password; too many failed logins for this user: try again in 30 s"
    # The sixth attempt, even with the right password, is refused without checking it.
    assert attempt(guarded, "ann", GOOD).startswith("too many failed logins")
    now[0] = T0 + timedelta(seconds=29)
    assert attempt(guarded, "ann", GOOD) == "too many failed logins for this user: try again in 1 s"
    now[0] = T0 + timedelta(seconds=31)
    for i in range(4):
        assert attempt(guarded, "ann", f"again {i}") == "wrong login or password"
    assert attempt(guarded, "ann", "again 5").endswith("try again in 60 s")  # doubled


def test_a_good_login_clears_the_login_but_not_the_address(guarded: Studio, now: list[datetime]) -> None:
    for i in range(4):
        attempt(guarded, "ann", f"wrong {i}")
    assert attempt(guarded, "ann", GOOD) == "ok"
    # ann starts over...
    for i in range(4):
        assert attempt(guarded, "ann", f"wrong {i}", address="10.0.0.9") == "wrong login or password"
    # ...but 10.0.0.5 keeps its four failures: one more locks the address (spraying logins does not help).
    assert "this computer" in attempt(guarded, "ben", "guess", address="10.0.0.5")
    assert attempt(guarded, "ben", GOOD + " 2", address="10.0.0.5").startswith(
        "too many failed logins for this computer"
    )
    assert attempt(guarded, "ben", GOOD + " 2", address="10.0.0.6") == "ok"  # another computer is not locked


def test_spraying_many_logins_from_one_address_is_locked(guarded: Studio) -> None:
    answers = [
        attempt(guarded, login, "guess", address="198.51.100.1") for login in ["ann", "ben", "x", "y", "z"]
    ]
    assert answers[-1].endswith("too many failed logins for this computer: try again in 30 s")
    assert attempt(guarded, "ann", GOOD, address="198.51.100.1").startswith("too many failed logins")


def test_unknown_logins_and_resources_read_like_wrong_passwords(guarded: Studio) -> None:
    assert attempt(guarded, "nobody", "x") == attempt(guarded, "room-a", "x") == "wrong login or password"


def test_a_user_without_password_is_told_to_ask_it_and_let_nobody_in(guarded: Studio) -> None:
    assert (
        attempt(guarded, "cara", "")
        == "cara has no password for the browser yet: ask IT to set your password"
    )
    assert attempt(guarded, "CARA", "anything").startswith("cara has no password")


def test_setting_a_password_ends_the_lock(guarded: Studio) -> None:
    for i in range(5):
        attempt(guarded, "ann", f"wrong {i}", address=f"10.0.1.{i}")
    assert attempt(guarded, "ann", GOOD, address="10.0.2.1").startswith(
        "too many failed logins for this user"
    )
    guarded.users.set_password("ann", "a brand new one")
    assert attempt(guarded, "ann", "a brand new one", address="10.0.2.1") == "ok"


def test_old_records_are_forgotten(guarded: Studio, now: list[datetime]) -> None:
    for i in range(4):
        attempt(guarded, "ann", f"wrong {i}")
    now[0] = T0 + timedelta(hours=25)
    assert attempt(guarded, "ben", "wrong", address="10.9.9.9") == "wrong login or password"  # sweeps
    rows = guarded.store.table_rows("logins", "throttle")
    assert set(rows) == {"login:ben", "address:10.9.9.9"}
    for i in range(4):
        assert attempt(guarded, "ann", f"wrong {i}") == "wrong login or password"


def test_state_is_shared_by_processes_and_survives_a_restart(guarded: Studio, home: Path) -> None:
    for i in range(3):
        attempt(guarded, "ann", f"wrong {i}")
    other = Studio.open(home)  # another session's process: it reads the same store file
    attempt(other, "ann", "wrong 3")
    assert attempt(Studio.open(home), "ann", "wrong 4").endswith("try again in 30 s")
    assert attempt(guarded, "ann", GOOD).startswith("too many failed logins")


def test_an_unreadable_lock_stamp_never_locks_for_ever(guarded: Studio) -> None:
    with guarded.store.transaction("logins") as tx:
        tx.table("logins", "throttle").put(
            "login:ann", {"locked_until": "garbage", "failures": 0, "locks": 9}
        )
    assert attempt(guarded, "ann", GOOD) == "ok"


def test_log_records_name_the_address_never_the_password(guarded: Studio, home: Path) -> None:
    from studiosync.core import logs

    logs.configure(guarded.datadir.logs, process="web")
    try:
        attempt(guarded, "ann", "hunter2-not-it", address="192.0.2.44")
        attempt(guarded, "ann", GOOD, address="192.0.2.44")
    finally:
        logs.shutdown()
    text = (home / "logs" / "studiosync.log").read_text()
    records = [json.loads(line) for line in text.splitlines()]
    failed = next(r for r in records if r["message"] == "web login failed")
    ok = next(r for r in records if r["message"] == "web login")
    assert failed["address"] == ok["address"] == "192.0.2.44" and failed["user"] == ok["user"] == "ann"
    assert "hunter2-not-it" not in text and GOOD not in text


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("", "empty"),
        ("        ", "empty"),
        ("short", "too short"),
        ("x" * 257, "too long"),
        ("tab\tinside!", "control characters"),
        ("AnnLogin", "must not be the login"),
    ],
)
def test_password_rules(password: str, problem: str) -> None:
    with pytest.raises(InputError, match=problem):
        check_new_password(password, login="annlogin")


def test_good_passwords_pass() -> None:
    assert check_new_password("correct horse", login="ann") == "correct horse"
    assert check_new_password("ünïcödé pässwörd", login="ann")
