"""`studiosync`: the scriptable face of the product.

Exit codes: 0 ok, 1 ran but something failed, 2 bad input (one line on stderr, nothing changed).
Every listing takes --json and then prints exactly one JSON document.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from types import ModuleType

from studiosync.core import __version__
from studiosync.core.cli import (
    appointments_cmd,
    backup_cmd,
    clients_cmd,
    doctor_cmd,
    google_cmd,
    groups_cmd,
    jobs_cmd,
    logs_cmd,
    prefs_cmd,
    serve_cmd,
    sync_cmd,
    users_cmd,
)
from studiosync.core.cli.common import CliContext, OneLineParser, escaped_output
from studiosync.core.errors import StudioSyncError
from studiosync.core.studio.validate import utf8_arguments

COMMAND_MODULES = [
    users_cmd,
    groups_cmd,
    clients_cmd,
    appointments_cmd,
    prefs_cmd,
    google_cmd,
    jobs_cmd,
    serve_cmd,
    logs_cmd,
    sync_cmd,
    doctor_cmd,
    backup_cmd,
]


def build_parser(extra: Sequence[ModuleType] = ()) -> argparse.ArgumentParser:
    parser = OneLineParser(prog="studiosync", description="Studio appointment book <-> Google Calendar sync.")
    parser.add_argument(
        "--home", metavar="DIR", help="data directory (default: $STUDIOSYNC_HOME or the user data dir)"
    )
    parser.add_argument("--version", action="version", version=f"studiosync {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)
    for module in [*COMMAND_MODULES, *extra]:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None, *, extra: Sequence[ModuleType] = ()) -> int:
    """Run one command. `extra` lets the console package add its commands (core never imports tui).

    Whatever it prints goes through core.text's escaping (escaped_output): no control character from a
    title, a name or a server's answer reaches the terminal."""
    with escaped_output():
        return _main(list(sys.argv[1:] if argv is None else argv), extra)


def _main(argv: list[str], extra: Sequence[ModuleType]) -> int:
    try:
        # Before argparse sees them: undecodable bytes would otherwise reach a store file or a log line.
        utf8_arguments(argv)
    except StudioSyncError as exc:
        print(f"studiosync: error: {exc}", file=sys.stderr)
        return 2
    parser = build_parser(extra)
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.error("a command is required (see studiosync --help)")
    ctx = CliContext(home=args.home)
    try:
        code = int(handler(ctx, args) or 0)
        return max(code, _report_skipped(ctx))
    except StudioSyncError as exc:
        line = _one_line(str(exc)) or exc.__class__.__name__
        if exc.exit_code == 2:
            # Bad input: scripts get exactly one line, the fix (if any) folded into it.
            fix = f" (fix: {_one_line(exc.fix)})" if exc.fix else ""
            print(f"studiosync: error: {line}{fix}", file=sys.stderr)
        else:
            print(f"studiosync: error: {line}", file=sys.stderr)
            if exc.fix:
                print(f"studiosync: fix: {_one_line(exc.fix)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("studiosync: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1
    except Exception as exc:  # noqa: BLE001 - never show a traceback to a person; keep it in the log
        _log_internal_error(exc)
        print(
            f"studiosync: internal error: {exc.__class__.__name__}: {str(exc).splitlines()[0] if str(exc) else ''}",
            file=sys.stderr,
        )
        return 1
    finally:
        ctx.close()


def _report_skipped(ctx: CliContext) -> int:
    """Corrupt records a listing left out (core.store.records): one line each, and exit 1."""
    problems = ctx.problems()
    for problem in problems:
        fix = f" (fix: {_one_line(problem.fix)})" if problem.fix else ""
        print(f"studiosync: error: {_one_line(str(problem))}{fix}", file=sys.stderr)
    return 1 if problems else 0


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _log_internal_error(exc: BaseException) -> None:
    import logging

    logger = logging.getLogger("studiosync")
    if logger.hasHandlers():  # without a configured log, logging's last resort would print the traceback
        logger.error("internal error in CLI", exc_info=exc)


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
