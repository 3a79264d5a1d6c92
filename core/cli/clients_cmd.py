"""studiosync clients list|add"""

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
    clients = add_group(sub, "clients", "studio clients")
    p = add_command(clients, "list", "list clients", _list)
    p.add_argument("--group", metavar="NAME")
    add_json_flag(p)
    p = add_command(clients, "add", "add a client", _add)
    p.add_argument("name")
    p.add_argument("--email", action="append", default=[])
    p.add_argument("--phone", action="append", default=[])
    p.add_argument("--group", metavar="NAME")


def _list(ctx: CliContext, args: argparse.Namespace) -> int:
    studio = ctx.studio
    names = {g.id: g.name for g in studio.groups.list()}
    docs = [
        {
            "id": c.id,
            "name": c.name,
            "emails": c.emails,
            "phones": c.phones,
            "group": names.get(c.group) if c.group else None,
            "origin": c.origin,
            "google_resource": c.google_resource,
            "google_owner": c.google_owner,
        }
        for c in studio.clients.list(args.group)
    ]
    if args.json:
        print_json(docs)
    else:
        print_table(
            [
                [d["name"], ", ".join(d["emails"]), ", ".join(d["phones"]), d["group"] or "", d["origin"]]
                for d in docs
            ],
            ["NAME", "EMAILS", "PHONES", "GROUP", "ORIGIN"],
        )
    return 0


def _add(ctx: CliContext, args: argparse.Namespace) -> int:
    client = ctx.studio.clients.add(args.name, emails=args.email, phones=args.phone, group=args.group)
    print(client.id)
    return 0
