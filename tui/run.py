"""Entry point of the console: `run_console(home)` (wired as `studiosync console` / `studiosync demo`).

Also runnable as `python -m studiosync.tui.run [--home DIR] [--demo] [--login LOGIN]`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

DEMO_HINT = (
    "Demo: nobody has a password yet, so pick any user and press Enter. "
    "Pat Owner is the admin; Ann syncs, Ben is failing, Cara is ready to authenticate. "
    "Emails go to the demo mailbox, {mailbox}"
)


def _demo_hint(demo_env: Any) -> str:
    if demo_env is None:
        return ""
    mailbox = demo_env.mailbox.folder if demo_env.mailbox is not None else "(not running)"
    return DEMO_HINT.format(mailbox=mailbox)


def run_console(home: str | None, *, demo: bool = False, login: str | None = None, keep: bool = False) -> int:
    """Open the console on the studio in `home` (or a fresh demo studio); returns the exit code."""
    from studiosync.core.errors import StudioSyncError

    demo_env = None
    try:
        if demo:
            from studiosync.core.demo import build_demo

            demo_env = build_demo(home)
            studio = demo_env.studio
        else:
            from studiosync.core.studio.studio import Studio

            studio = Studio.open(home)
        _configure_logging(studio)
        from studiosync.tui.app import StudioSyncApp

        app = StudioSyncApp(
            studio, login=login, demo=demo, login_hint=_demo_hint(demo_env), ask_password=True
        )
        if demo_env is not None:
            app.backend.login_hints = dict(demo_env.accounts)
        app.run()
        if demo_env is not None and keep:
            print(f"studiosync: the demo data was kept in {demo_env.home}", file=sys.stderr)
        return int(app.return_code or 0)
    except StudioSyncError as exc:
        print(f"studiosync: error: {exc.message}", file=sys.stderr)
        if exc.fix:
            print(f"studiosync: fix: {exc.fix}", file=sys.stderr)
        return exc.exit_code
    finally:
        if demo_env is not None:
            demo_env.close(keep=keep)


def _configure_logging(studio: object) -> None:
    """Send this process's records to the shared log file the Logs section follows."""
    from studiosync.core import logs

    # STUDIOSYNC_LOG_LEVEL=DEBUG keeps the debug records too (stacks go to crash files at any level).
    level = os.environ.get("STUDIOSYNC_LOG_LEVEL", "INFO").upper()
    logs.configure(studio.datadir.logs, process="console", level=level)  # type: ignore[attr-defined]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m studiosync.tui.run", description="Open the studiosync console.")
    parser.add_argument("--home", metavar="DIR", help="data directory")
    parser.add_argument("--demo", action="store_true", help="an offline demo studio with a Google emulator")
    parser.add_argument("--login", metavar="LOGIN", help="log in as this user")
    parser.add_argument("--keep", action="store_true", help="keep the demo data directory")
    args = parser.parse_args(argv)
    return run_console(args.home, demo=args.demo, login=args.login, keep=args.keep)


if __name__ == "__main__":
    sys.exit(main())
