"""studiosync sync [LOGIN...] [--json] [--allow-deletions | --restore-deleted] -- run the Google Sync
Processor once, now.

Every enabled staff user (or the named ones). One summary line per user; exit 0 when every user synced
(warnings -- things that need no action -- included), 1 when any failed: an error, studio changes not all
sent, Google changes not all applied, deletions held back by the mass-deletion guard, or a named user
that could not sync (not enabled, a resource); 2 for bad input (an unknown login...).

A user whose deletions are held is released deliberately, by name: --allow-deletions applies the held
deletions, --restore-deleted undoes them (events re-created on Google from the
studio book; appointments deleted in the studio brought back from Google's copies). Then it syncs.

The first Ctrl-C (or SIGTERM) finishes the current step of each running user, saves, and stops; a second
Ctrl-C aborts.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import Any

from studiosync.core.cli.common import CliContext, add_command, print_json


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "sync", "run the Google sync now (all enabled users, or the named ones)", _sync)
    p.add_argument("logins", nargs="*", metavar="LOGIN", help="only these users")
    p.add_argument("--json", action="store_true", help="print the run's result as one JSON document")
    g = p.add_mutually_exclusive_group()
    g.add_argument(
        "--allow-deletions",
        dest="release",
        action="store_const",
        const="allow",
        help="apply the named users' held deletions (the mass-deletion guard), then sync",
    )
    g.add_argument(
        "--restore-deleted",
        dest="release",
        action="store_const",
        const="restore",
        help="undo the named users' held deletions (re-create on the side they were deleted from), then sync",
    )


def _sync(ctx: CliContext, args: argparse.Namespace) -> int:
    from studiosync.core.errors import InputError
    from studiosync.core.jobs.sync_job import sync_options
    from studiosync.core.logs import configure, shutdown
    from studiosync.core.sync.processor import run_sync

    studio = ctx.studio
    if args.release and not args.logins:
        flag = "--allow-deletions" if args.release == "allow" else "--restore-deleted"
        raise InputError(f"{flag} needs the users named: studiosync sync LOGIN {flag}")
    for login in args.logins:
        studio.users.get(login)  # unknown login: exit 2 before anything runs
    configure(studio.datadir.logs, process="cli")
    stop = threading.Event()
    previous = _install_stop_handlers(stop)
    try:
        result = run_sync(
            studio, list(args.logins) or None, stop=stop, options=sync_options(studio), release=args.release
        )
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        shutdown()  # the log file is this command's; an in-process caller (tests) gets its logger back
    if args.json:
        import dataclasses

        print_json(dataclasses.asdict(result))
    else:
        if not result.users:
            print(f"studiosync sync: {result.summary}")
        for user in result.users:
            print(user.one_line())
    failed = any(u.status == "error" for u in result.users)
    skipped_named = bool(args.logins) and any(u.status == "skipped" for u in result.users)
    return 1 if failed or skipped_named else 0


def _install_stop_handlers(stop: threading.Event) -> dict[int, Any]:
    def handler(signum: int, frame: object) -> None:
        if stop.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt
        stop.set()
        print("studiosync: stopping after the current step (Ctrl-C again to abort)", file=sys.stderr)

    previous: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, handler)
    return previous
