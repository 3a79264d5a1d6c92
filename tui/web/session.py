"""One browser session's console process: `python -m studiosync.tui.web.session --home DIR`.

Started by `studiosync web` (textual-serve) for each browser that opens the page, with the session's
client address and settings in its environment (tui.web.context). Talks to the browser only through
textual-serve's protocol on stdin/stdout, so nothing must print to stdout here; errors go to the log.
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m studiosync.tui.web.session")
    parser.add_argument("--home", metavar="DIR", help="data directory")
    args = parser.parse_args(argv)

    from studiosync.core import logs
    from studiosync.core.errors import StudioSyncError
    from studiosync.core.studio.studio import Studio
    from studiosync.tui.web.app import WebConsoleApp
    from studiosync.tui.web.context import WebContext

    web = WebContext.from_environment()
    try:
        studio = Studio.open(args.home)
        logs.configure(studio.datadir.logs, process="web")
    except StudioSyncError as exc:
        print(f"studiosync web session: error: {exc.message}", file=sys.stderr)
        return exc.exit_code
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


if __name__ == "__main__":
    sys.exit(main())
