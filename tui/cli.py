"""The `studiosync` program: core's CLI plus the commands that open the console.

The entry point lives here, not in core, because core must never import the console.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from studiosync.core.cli.main import main as core_main
from studiosync.tui import console_cmd
from studiosync.tui.web import web_cmd


def main(argv: Sequence[str] | None = None) -> int:
    return core_main(argv, extra=[console_cmd, web_cmd])


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
