"""studiosync sync [LOGIN...] [--json] -- run the Google Sync Processor once, now.

Every enabled staff user (or the named ones). One summary line per user; exit 0 when every user synced
(warnings included), 1 when any failed or a named user could not sync (not enabled, a resource), 2 for an
unknown login. The first Ctrl-C (or SIGTERM) finishes the current step of each running user, saves, and
stops; a second Ctrl-C aborts.
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


def _sync(ctx: CliContext, args: argparse.Namespace) -> int:
    from studiosync.core.jobs.sync_job import sync_options
    from studiosync.core.logs import configure, shutdown
    from studiosync.core.sync.processor import run_sync

    studio = ctx.studio
    for login in args.logins:
        studio.users.get(login)  # unknown login: exit 2 before anything runs
    configure(studio.datadir.logs, process="cli")
    stop = threading.Event()
    previous = _install_stop_handlers(stop)
    try:
        result = run_sync(studio, list(args.logins) or None, stop=stop, options=sync_options(studio))
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
