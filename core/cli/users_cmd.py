"""studiosync users add|list|remove|passwd"""

from __future__ import annotations

import argparse
import sys

from studiosync.core.cli.common import (
    CliContext,
    add_command,
    add_group,
    add_json_flag,
    print_json,
    print_table,
    read_secret_stdin,
)
from studiosync.core.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:
    users = add_group(sub, "users", "users and resources (Maintenance > Users)")
    p = add_command(users, "add", "add a user or resource", _add)
    p.add_argument("login")
    p.add_argument("--name", required=True)
    p.add_argument("--kind", choices=["staff", "resource"], default="staff")
    p.add_argument("--admin", action="store_true")
    p.add_argument("--password-stdin", action="store_true", help="read the console password from stdin")
    p = add_command(users, "list", "list users", _list)
    add_json_flag(p)
    p = add_command(users, "remove", "remove a user", _remove)
    p.add_argument("login")
    p.add_argument(
        "--with-appointments",
        action="store_true",
        help="also delete the user's appointments (refused otherwise)",
    )
    p = add_command(users, "passwd", "set or clear a console password", _passwd)
    p.add_argument("login")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--password-stdin", action="store_true")
    g.add_argument("--clear", action="store_true")


def _add(ctx: CliContext, args: argparse.Namespace) -> int:
    password = read_secret_stdin("password") if args.password_stdin else None
    user = ctx.studio.users.add(args.login, args.name, kind=args.kind, admin=args.admin, password=password)
    print(f"added {user.kind} {user.login}")
    return 0


def _list(ctx: CliContext, args: argparse.Namespace) -> int:
    studio = ctx.studio
    users = studio.users.list()
    prefs = {p.login: p for p in studio.users.all_google_prefs()}
    docs = []
    for user in users:
        doc = user.public()
        gp = prefs.get(user.login)
        doc["google"] = {
            "enabled": bool(gp and gp.enabled),
            "account_email": gp.account_email if gp else None,
            "last_sync": gp.last_sync if gp else None,
            "last_error": gp.last_error if gp else None,
        }
        docs.append(doc)
    if args.json:
        print_json(docs)
    else:
        print_table(
            [
                [
                    d["login"],
                    d["name"],
                    d["kind"],
                    "yes" if d["admin"] else "",
                    d["google"]["account_email"] or "",
                ]
                for d in docs
            ],
            ["LOGIN", "NAME", "KIND", "ADMIN", "GOOGLE ACCOUNT"],
        )
    return 0


def _remove(ctx: CliContext, args: argparse.Namespace) -> int:
    studio = ctx.studio
    user = studio.users.get(args.login)
    count = studio.appointments.count(user.login)
    if count and not args.with_appointments:
        raise InputError(
            f"user {user.login!r} has {count} appointment(s); delete or move them first, or pass --with-appointments"
        )
    warning = studio.remove_user(user.login)
    if warning:
        print(f"studiosync: warning: {warning}", file=sys.stderr)
    print(f"removed {user.login}")
    return 0


def _passwd(ctx: CliContext, args: argparse.Namespace) -> int:
    password = None if args.clear else read_secret_stdin("password")
    ctx.studio.users.set_password(args.login, password)
    print("password cleared" if args.clear else "password set")
    return 0
