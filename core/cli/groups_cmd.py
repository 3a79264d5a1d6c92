"""studiosync groups add|list|rename|remove"""

from __future__ import annotations

import argparse

from studiosync.core.cli.common import (
    CliContext,
    add_command,
    add_group,
    add_json_flag,
    print_json,
    print_table,
)


def register(sub: argparse._SubParsersAction) -> None:
    groups = add_group(sub, "groups", "client groups (Maintenance > Client > Client Groups)")
    p = add_command(groups, "add", "add a client group", _add)
    p.add_argument("name")
    p = add_command(groups, "list", "list client groups", _list)
    add_json_flag(p)
    p = add_command(groups, "rename", "rename a client group", _rename)
    p.add_argument("name")
    p.add_argument("new_name")
    p = add_command(groups, "remove", "remove an unused client group", _remove)
    p.add_argument("name")


def _add(ctx: CliContext, args: argparse.Namespace) -> int:
    group = ctx.studio.groups.add(args.name)
    print(f"added client group {group.name}")
    return 0


def _list(ctx: CliContext, args: argparse.Namespace) -> int:
    studio = ctx.studio
    counts: dict[str, int] = {}
    for client in studio.clients.list():
        if client.group:
            counts[client.group] = counts.get(client.group, 0) + 1
    docs = [{"id": g.id, "name": g.name, "clients": counts.get(g.id, 0)} for g in studio.groups.list()]
    if args.json:
        print_json(docs)
    else:
        print_table([[d["name"], str(d["clients"])] for d in docs], ["NAME", "CLIENTS"])
    return 0


def _rename(ctx: CliContext, args: argparse.Namespace) -> int:
    group = ctx.studio.groups.rename(args.name, args.new_name)
    print(f"renamed to {group.name}")
    return 0


def _remove(ctx: CliContext, args: argparse.Namespace) -> int:
    group = ctx.studio.groups.remove(args.name)
    print(f"removed client group {group.name}")
    return 0
