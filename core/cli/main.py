"""`studiosync`: the scriptable face of the product.

Exit codes: 0 ok, 1 ran but something failed, 2 bad input (one line on stderr, nothing changed).
Every listing takes --json and then prints exactly one JSON document.
"""

from __future__ import annotations

import argparse
import sys

from studiosync.core import __version__
from studiosync.core.cli.common import CliContext, OneLineParser, escaped_output, utf8_arguments
from studiosync.core.errors import StudioSyncError, one_line_error

# Start-up: `typing` and `dataclasses` are not needed to run `--help`, so this module imports neither
# (type checkers treat a module-level TYPE_CHECKING = False like typing.TYPE_CHECKING).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence


class Command:
    """A top-level command as `studiosync --help` lists it, and the module that builds its arguments."""

    __slots__ = ("help", "module", "name")

    def __init__(self, name: str, help: str, module: str) -> None:
        self.name = name
        self.help = help
        self.module = module  # imported only when this command runs (or asks for its own --help)


# Start-up: IT scripts call `studiosync users list` thousands of times, so only the module of the command
# being run is imported; the others appear in --help from this table alone. The help texts are the
# modules' own (tests/test_cli_startup.py checks they agree).
_CLI = "studiosync.core.cli."
COMMANDS: tuple[Command, ...] = (
    Command("users", "users and resources (Maintenance > Users)", _CLI + "users_cmd"),
    Command("groups", "client groups (Maintenance > Client > Client Groups)", _CLI + "groups_cmd"),
    Command("clients", "studio clients", _CLI + "clients_cmd"),
    Command("appointments", "the appointment book", _CLI + "appointments_cmd"),
    Command("prefs", "company (studio) preferences", _CLI + "prefs_cmd"),
    Command("google", "a user's Google account and sync settings (the Google tab)", _CLI + "google_cmd"),
    Command(
        "jobs", "Control Center jobs (Google Sync Processor, backup, compact, log cleanup)", _CLI + "jobs_cmd"
    ),
    Command(
        "serve",
        "run scheduled jobs on this computer until SIGTERM/SIGINT (for a server or a systemd unit)",
        _CLI + "serve_cmd",
    ),
    Command("logs", "show the job and sync logs (Control Center logs)", _CLI + "logs_cmd"),
    Command("sync", "run the Google sync now (all enabled users, or the named ones)", _CLI + "sync_cmd"),
    Command("doctor", "check the Google sync setup (the troubleshooting checklist)", _CLI + "doctor_cmd"),
    Command("status", "sync health of every user, failing users first", _CLI + "doctor_cmd"),
    Command("backup", "backups of the store: list them, restore a file from them", _CLI + "backup_cmd"),
    Command("store", "the store files: check them against the schema (store verify)", _CLI + "backup_cmd"),
)


def build_parser(
    extra: Sequence[Command] = (), command: str | None = None, *, every: bool = False
) -> argparse.ArgumentParser:
    """The parser for running `command`: only its module is imported and registers its arguments. With
    no (known) command, every command is a placeholder carrying its name and help (what `--help` and
    "invalid choice" list).
    `extra`: the console's commands, handled the same way (core never imports the console).
    `every`: every command with all its arguments (tests, and anyone who wants the whole tree)."""
    parser = OneLineParser(prog="studiosync", description="Studio appointment book <-> Google Calendar sync.")
    parser.add_argument(
        "--home", metavar="DIR", help="data directory (default: $STUDIOSYNC_HOME or the user data dir)"
    )
    parser.add_argument("--version", action="version", version=f"studiosync {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)
    commands = (*COMMANDS, *extra)
    wanted = {c.module for c in commands if every or c.name == command}
    registered: set[str] = set()
    for c in commands:
        if c.module in wanted:
            if c.module not in registered:
                # __import__, not importlib.import_module: `python -X importtime` only times the former.
                __import__(c.module, fromlist=["register"]).register(sub)  # may register several names
                registered.add(c.module)
        elif not wanted:  # no command to run: placeholders, for --help and "invalid choice"
            sub.add_parser(c.name, help=c.help, add_help=False)
    return parser


def _command_of(argv: Sequence[str]) -> str | None:
    """The command `argv` runs when that is certain from plain `[--home DIR] COMMAND ...`; None for
    anything else (--help, --version, an abbreviation, an unknown option...): main then lets argparse read
    those on the parser of placeholders."""
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--home":
            i += 2
        elif arg.startswith("--home="):
            i += 1
        else:
            return None if arg.startswith("-") else arg
    return None


def parser_for(argv: Sequence[str], extra: Sequence[Command] = ()) -> argparse.ArgumentParser:
    """The parser that runs `argv`: its command's alone when plain, else found by argparse itself."""
    command = _command_of(argv)
    if command is None:  # rare forms: argparse finds the command (or prints help, the version, an error)
        command = build_parser(extra).parse_known_args(argv)[0].command
    return build_parser(extra, command)


def main(argv: Sequence[str] | None = None, *, extra: Sequence[Command] = ()) -> int:
    """Run one command. `extra` lets the console package add its commands (core never imports tui).

    Whatever it prints goes through core.text's escaping (escaped_output): no control character from a
    title, a name or a server's answer reaches the terminal."""
    with escaped_output():
        return _main(list(sys.argv[1:] if argv is None else argv), extra)


def _main(argv: list[str], extra: Sequence[Command]) -> int:
    try:
        # Before argparse sees them: undecodable bytes would otherwise reach a store file or a log line.
        utf8_arguments(argv)
    except StudioSyncError as exc:
        print(f"studiosync: error: {exc}", file=sys.stderr)
        return 2
    parser = parser_for(argv, extra)
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
    except Exception as exc:  # noqa: BLE001 - never show a traceback to a person; keep it in a crash file
        from studiosync.core.text import escape_line

        crash_id = _log_internal_error(exc, ctx.home)
        where = f" (crash id {crash_id}: please report it)" if crash_id else ""
        print(f"studiosync: internal error: {escape_line(one_line_error(exc))}{where}", file=sys.stderr)
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


def _log_internal_error(exc: BaseException, home: str | None) -> str | None:
    """Log the bug as one line; its stack goes to a private crash file (core.logs.crash). The crash id."""
    import logging

    from studiosync.core import logs
    from studiosync.core.paths import data_dir

    logger = logging.getLogger("studiosync")
    try:
        log_dir = data_dir(home).logs
        if not any(getattr(h, "path", None) == log_dir / logs.LOG_FILE for h in logger.handlers):
            logs.configure(log_dir, process="cli")  # a read-only command logs nothing until it crashes
    except Exception:  # noqa: BLE001 - no usable data dir: logging's last resort would print the stack
        return None
    crash_id = logs.new_crash_id()
    logger.error("internal error in CLI", exc_info=exc, extra={"fields": {"crash_id": crash_id}})
    return crash_id


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
