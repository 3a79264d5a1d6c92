"""studiosync users add|list|remove."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from studiosync.core.studio.studio import Studio


def _json(result):
    assert result.code == 0, result.err
    assert result.err == ""
    return json.loads(result.out)  # the whole of stdout is one JSON document


def test_add_list_remove(cli, home: Path) -> None:
    assert _json(cli("users", "list", "--json")) == []
    r = cli(
        "users", "add", "ann", "--name", "Ann Adams", "--admin", "--password-stdin", stdin="correct horse\n"
    )
    assert (r.code, r.out, r.err) == (0, "added staff ann\n", "")
    r = cli("users", "add", "studio-a", "--name", "Studio A", "--kind", "resource")
    assert (r.code, r.out) == (0, "added resource studio-a\n")
    assert cli("users", "add", "bob.b_1", "--name", "  Bob  ").code == 0

    users = _json(cli("users", "list", "--json"))
    assert [u["login"] for u in users] == ["ann", "bob.b_1", "studio-a"]
    by_login = {u["login"]: u for u in users}
    assert {k: by_login["ann"][k] for k in ("login", "name", "kind", "admin")} == {
        "login": "ann",
        "name": "Ann Adams",
        "kind": "staff",
        "admin": True,
    }
    assert by_login["ann"]["has_password"] is True
    assert by_login["studio-a"]["kind"] == "resource" and by_login["studio-a"]["admin"] is False
    assert by_login["bob.b_1"]["name"] == "Bob"
    assert all("password_hash" not in u for u in users)  # never printed

    studio = Studio.open(home)
    assert studio.users.check_password("ann", "correct horse")
    assert not studio.users.check_password("ann", "wrong")
    assert "correct horse" not in (home / "store" / "studio.json").read_text()

    table = cli("users", "list")
    assert table.code == 0
    lines = table.out.splitlines()
    assert lines[0].split()[:4] == ["LOGIN", "NAME", "KIND", "ADMIN"] and len(lines) == 4

    r = cli("users", "remove", "bob.b_1")
    assert (r.code, r.out) == (0, "removed bob.b_1\n")
    assert [u["login"] for u in _json(cli("users", "list", "--json"))] == ["ann", "studio-a"]


def test_remove_with_appointments_needs_the_flag(cli, home: Path) -> None:
    cli("users", "add", "ann", "--name", "Ann")
    cli("users", "add", "bob", "--name", "Bob")
    studio = Studio.open(home)
    start = datetime(2027, 1, 1, 9, tzinfo=UTC)
    for who in ("ann", "ann", "bob"):
        studio.appointments.add(who, title="t", start=start, end=start + timedelta(hours=1))
    assert cli("users", "remove", "ann").code == 2
    assert cli("users", "remove", "ann", "--with-appointments").code == 0
    assert [a.user for a in studio.appointments.list()] == ["bob"]
    assert not any(u.login == "ann" for u in studio.users.list())
    # the login can be used again, with an empty book
    assert cli("users", "add", "ann", "--name", "Ann II").code == 0
    assert _json(cli("appointments", "list", "ann", "--json")) == []


def test_password_is_read_from_the_first_line_of_stdin_only(cli, home: Path) -> None:
    assert (
        cli("users", "add", "ann", "--name", "Ann", "--password-stdin", stdin="pw one two\nsecond line\n").code
        == 0
    )
    assert Studio.open(home).users.check_password("ann", "pw one two")
