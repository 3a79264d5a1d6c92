"""studiosync groups add|list and clients list."""

from __future__ import annotations

import json
from pathlib import Path

from studiosync.core.model.clients import Client
from studiosync.core.studio.studio import Studio


def _json(result):
    assert result.code == 0, result.err
    assert result.err == ""
    return json.loads(result.out)


def test_groups_add_and_list(cli) -> None:
    assert _json(cli("groups", "list", "--json")) == []
    r = cli("groups", "add", "VIP clients")
    assert (r.code, r.out) == (0, "added client group VIP clients\n")
    assert cli("groups", "add", "Weddings").code == 0
    groups = _json(cli("groups", "list", "--json"))
    assert [g["name"] for g in groups] == ["VIP clients", "Weddings"]
    assert all(len(g["id"]) == 32 and g["clients"] == 0 for g in groups)
    assert cli("groups", "list").out.splitlines()[0].split() == ["NAME", "CLIENTS"]


def test_clients_list_with_and_without_group(cli, home: Path) -> None:
    cli("groups", "add", "VIP")
    cli("groups", "add", "Other")
    studio = Studio.open(home)
    vip = studio.groups.get("vip")  # names match case-insensitively
    studio.clients.save_many(
        [
            Client(id="c1", name="Zoe", emails=["zoe@example.com"], phones=["+44 1"], group=vip.id),
            Client(id="c2", name="adam", emails=[], phones=[]),
            Client(
                id="c3",
                name="Bea",
                emails=["b@example.com", "bea@example.org"],
                group=vip.id,
                origin="google",
            ),
        ]
    )
    clients = _json(cli("clients", "list", "--json"))
    assert [c["name"] for c in clients] == ["adam", "Bea", "Zoe"]
    for c in clients:
        assert {"id", "name", "emails", "phones", "group"} <= set(c)
    zoe = clients[2]
    assert (zoe["id"], zoe["emails"], zoe["phones"], zoe["group"]) == (
        "c1",
        ["zoe@example.com"],
        ["+44 1"],
        "VIP",
    )
    assert clients[0]["group"] is None
    assert [c["id"] for c in _json(cli("clients", "list", "--group", "VIP", "--json"))] == ["c3", "c1"]
    assert _json(cli("clients", "list", "--group", "Other", "--json")) == []
    counts = {g["name"]: g["clients"] for g in _json(cli("groups", "list", "--json"))}
    assert counts == {"Other": 0, "VIP": 2}
    table = cli("clients", "list", "--group", "VIP")
    assert table.code == 0 and "b@example.com, bea@example.org" in table.out
    assert cli("clients", "list").out.count("\n") == 4
