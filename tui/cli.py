"""The `studiosync` program: core's CLI plus the commands that open the console.

The entry point lives here, not in core, because core must never import the console.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from studiosync.core.cli.main import Command
from studiosync.core.cli.main import main as core_main

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


def main(argv: Sequence[str] | None = None) -> int:
    return core_main(argv, extra=CONSOLE_COMMANDS)


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
