"""studiosync serve — run the Control Center jobs headless (foreground; for systemd or a terminal)."""

from __future__ import annotations

import argparse

from studiosync.core.cli.common import CliContext, add_command


def register(sub: argparse._SubParsersAction) -> None:
    add_command(
        sub,
        "serve",
        "run scheduled jobs on this computer until SIGTERM/SIGINT (for a server or a systemd unit)",
        _serve,
    )


def _serve(ctx: CliContext, args: argparse.Namespace) -> int:
    from studiosync.core.jobs.daemon import serve

    return serve(ctx.studio)
