"""studiosync console | demo — open the Textual console (imported lazily: the CLI stays fast)."""

from __future__ import annotations

import argparse

from studiosync.core.cli.common import CliContext, add_command


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(
        sub, "console", "open the console (users, Google tabs, Control Center, logs, doctor)", _console
    )
    p.add_argument(
        "--login", metavar="LOGIN", help="log in as this user (asks for the password if it has one)"
    )
    p = add_command(
        sub, "demo", "open the console on an offline demo studio with a built-in Google emulator", _demo
    )
    p.add_argument("--keep", action="store_true", help="keep the demo data directory afterwards")


def _console(ctx: CliContext, args: argparse.Namespace) -> int:
    from studiosync.tui.run import run_console

    return run_console(ctx.home, login=args.login)


def _demo(ctx: CliContext, args: argparse.Namespace) -> int:
    from studiosync.tui.run import run_console

    return run_console(ctx.home, demo=True, keep=args.keep)
