"""The `studiosync` program: core's CLI plus the commands that open the console.

`studiosync` with no command opens the console (as `studiosync console` does), the way harlequin and
posting open their apps; `studiosync --help` still lists every command. The entry point lives here, not
in core, because core must never import the console.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from studiosync.core.deferred_imports import defer_stdlib

defer_stdlib()  # first, before anything imports dataclasses or pathlib (start-up: see the module)

from studiosync.core.cli.main import Command  # noqa: E402
from studiosync.core.cli.main import main as core_main  # noqa: E402

# As core's commands: listed by name and help, their module imported only when one of them runs.
CONSOLE_COMMANDS = (
    Command(
        "console",
        "open the console (users, Google tabs, Control Center, logs, doctor)",
        "studiosync.tui.console_cmd",
    ),
    Command(
        "demo",
        "open the console on an offline demo studio with a built-in Google emulator",
        "studiosync.tui.console_cmd",
    ),
    Command(
        "web",
        "serve the console to web browsers until SIGTERM/SIGINT (put it behind a TLS reverse proxy)",
        "studiosync.tui.web.web_cmd",
    ),
)

# Options that come before the command and take a value (`studiosync --home DIR`).
GLOBAL_WITH_VALUE = ("--home",)


def with_default_command(argv: Sequence[str]) -> list[str]:
    """`argv` plus "console" when it names no command (only global options such as --home DIR)."""
    args = list(argv)
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in GLOBAL_WITH_VALUE:
            i += 2
        elif arg.startswith(tuple(f"{o}=" for o in GLOBAL_WITH_VALUE)):
            i += 1
        else:
            return args  # a command, --help, --version or something argparse should judge
    return [*args, "console"]


def main(argv: Sequence[str] | None = None) -> int:
    args = with_default_command(sys.argv[1:] if argv is None else argv)
    return core_main(args, extra=CONSOLE_COMMANDS)


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
