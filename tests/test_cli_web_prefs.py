"""The CLI around the browser console: users passwd, prefs name, prefs web, and what the doctor says."""

from __future__ import annotations

import json
from pathlib import Path

from studiosync.core.studio.studio import Studio


def test_users_passwd_sets_resets_and_keeps_the_rules(cli, home: Path) -> None:
    assert cli("users", "add", "ann", "--name", "Ann").code == 0
    r = cli("users", "passwd", "ann", "--password-stdin", stdin="first password\n")
    assert (r.code, r.out) == (0, "password set\n")
    r = cli("users", "passwd", "ann", "--password-stdin", stdin="short\n")
    assert (
        r.code == 2 and r.err == "studiosync: error: the password is too short: use at least 8 characters\n"
    )
    r = cli("users", "passwd", "ann", "--password-stdin", stdin="ann\n")
    assert r.code == 2
    studio = Studio.open(home)
    assert studio.users.check_password("ann", "first password")  # refused ones changed nothing
    assert cli("users", "passwd", "ann", "--password-stdin", stdin="second password\n").code == 0
    assert Studio.open(home).users.check_password("ann", "second password")
    r = cli("users", "passwd", "nobody", "--password-stdin", stdin="some password\n")
    assert r.code == 2 and "no user 'nobody'" in r.err


def test_prefs_name_and_web(cli) -> None:
    show = lambda: json.loads(cli("prefs", "show", "--json").out)  # noqa: E731
    assert show()["name"] == "studiosync" and show()["web"] == {"public_url": None, "idle_minutes": 30}
    r = cli("prefs", "name", "  Lumen   Photo Studio ")
    assert (r.code, r.out) == (0, "studio name set to Lumen Photo Studio\n")
    r = cli("prefs", "web", "--public-url", "https://studio.example.com/", "--idle-timeout", "15")
    assert r.code == 0, r.err
    assert show()["web"] == {"public_url": "https://studio.example.com", "idle_minutes": 15}
    assert "web console      https://studio.example.com; idle timeout 15 min" in cli("prefs", "show").out
    assert cli("prefs", "web", "--no-public-url").code == 0
    assert show()["web"]["public_url"] is None and show()["name"] == "Lumen Photo Studio"


def test_prefs_web_refuses_bad_input_and_changes_nothing(cli) -> None:
    before = cli("prefs", "show", "--json").out
    for args in (
        ("web",),
        ("web", "--public-url", "studio.example.com"),
        ("web", "--public-url", "https://user@studio.example.com"),
        ("web", "--idle-timeout", "0"),
        ("web", "--idle-timeout", "soon"),
        ("name", ""),
        ("name", "x" * 81),
    ):
        r = cli("prefs", *args)
        assert r.code == 2 and len(r.err.splitlines()) == 1, (args, r.err)
    assert cli("prefs", "show", "--json").out == before
