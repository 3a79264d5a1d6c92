"""One browser session's console process: `python -m studiosync.tui.web.session --home DIR`.

Started by `studiosync web` (textual-serve) for each browser that opens the page, with the session's
client address and settings in its environment (tui.web.context). Talks to the browser only through
textual-serve's protocol on stdin/stdout, so nothing must print to stdout here; errors go to the log.

With --spare the process is started before any browser asks: it imports the console and opens the studio,
then waits for one JSON line on stdin carrying the session's settings (the same variables, plus the
terminal size). The web server keeps one such spare ready, so a new tab does not wait for Python's imports.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m studiosync.tui.web.session")
    parser.add_argument("--home", metavar="DIR", help="data directory")
    parser.add_argument("--spare", action="store_true", help="wait for the session's settings on stdin")
    args = parser.parse_args(argv)

    from studiosync.core import logs
    from studiosync.core.errors import StudioSyncError
    from studiosync.core.studio.studio import Studio
    from studiosync.tui.web.app import WebConsoleApp
    from studiosync.tui.web.context import SPARE_VARIABLES, WebContext
    from textual.drivers import web_driver  # noqa: F401 - loaded by app.run(); a spare loads it early

    try:
        studio = Studio.open(args.home)
        logs.configure(studio.datadir.logs, process="web")
    except StudioSyncError as exc:
        print(f"studiosync web session: error: {exc.message}", file=sys.stderr)
        return exc.exit_code
    if args.spare:
        settings = _wait_for_session()
        if settings is None:
            return 0  # the server stopped before a browser came
        os.environ.update({k: str(v) for k, v in settings.items() if k in SPARE_VARIABLES})
    web = WebContext.from_environment()
    # textual-serve copies whatever this process writes on stderr into the web server's output: keep a
    # crash's traceback in the log file instead, where IT reads it with the other records.
    captured = io.StringIO()
    sys.stderr = captured
    try:
        app = WebConsoleApp(studio, web)
        app.run()
    finally:
        sys.stderr = sys.__stderr__
        if captured.getvalue().strip():
            logs.event("ERROR", "web session console failed", session=web.session, output=captured.getvalue())
    return int(app.return_code or 0)


def _wait_for_session() -> dict[str, object] | None:
    """One JSON line from stdin, read byte by byte: the driver reads the rest of stdin after it."""
    line = bytearray()
    while not line.endswith(b"\n"):
        chunk = os.read(0, 1)
        if not chunk:
            return None
        line += chunk
    try:
        settings = json.loads(line)
    except ValueError:
        return None
    return settings if isinstance(settings, dict) else None


if __name__ == "__main__":
    sys.exit(main())
