"""The two ways a Google redirect reaches a sign-in: the loopback listener and lines pasted on a terminal.

`LoopbackListener` is the `http://localhost:PORT/` the browser is sent to after consent: it hands the
address to the session and shows the person how it ended (signed in, or why not, in one line).
`terminal_lines` reads pasted lines from stdin without ever leaving a thread blocked in it.
Neither exchanges codes nor logs the request line: it carries the authorization code.
"""

from __future__ import annotations

import html
import http.server
import logging
import os
import select
import sys
import threading
import urllib.parse
from collections.abc import Callable
from typing import Any, TextIO

from studiosync.core.errors import one_line_error

Offer = Callable[[str], tuple[bool, str, int]]  # address -> (accepted, why not, ticket)
Outcome = Callable[[int, float], tuple[bool, str | None]]  # ticket, timeout -> (known, failure)
OUTCOME_WAIT_S = 15.0  # how long the browser's tab waits to say how the sign-in ended
REPLY_GRACE_S = 2.0  # how long close() lets a page being answered finish
log = logging.getLogger("studiosync.google.loopback")


class LoopbackListener:
    """A threaded HTTP listener on an ephemeral loopback port, served from a daemon thread."""

    def __init__(self, host: str, offer: Offer, outcome: Outcome) -> None:
        self._server = _Server((host, 0), offer, outcome)
        self.port: int = self._server.server_address[1]
        # A short poll interval: close() (shutdown) waits for the loop to notice, and a person is waiting.
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="oauth-loopback",
            daemon=True,
        )
        self._thread.start()

    def close(self) -> None:
        """Stop listening. Never called from a request thread (shutdown waits for the serving loop).

        A sign-in request still being answered gets its page first (briefly): the process may exit right
        after, and the browser would otherwise show a broken page instead of the reason."""
        with self._server.answering:
            self._server.answering.wait_for(lambda: self._server.in_flight == 0, timeout=REPLY_GRACE_S)
        self._server.shutdown()
        self._server.server_close()


class _Server(http.server.ThreadingHTTPServer):
    """Threaded: a browser's idle pre-connection must not block the real request."""

    daemon_threads = True
    allow_reuse_address = False

    def __init__(self, address: tuple[str, int], offer: Offer, outcome: Outcome) -> None:
        self.offer, self.outcome = offer, outcome
        self.answering = threading.Condition()
        self.in_flight = 0  # sign-in requests (with a query) not answered yet
        super().__init__(address, _RedirectHandler)

    def handle_error(self, request: object, client_address: object) -> None:
        # A browser closing its tab mid-answer is normal: never print a traceback on the person's terminal,
        # and no crash file either (it is no bug): one debug line saying what happened.
        exc = sys.exc_info()[1]
        what = one_line_error(exc) if exc is not None else "unknown"
        log.debug("sign-in listener: a request from %s failed: %s", client_address, what)


class _RedirectHandler(http.server.BaseHTTPRequestHandler):
    timeout = 10  # a stalled browser connection must not pin a thread forever
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        query = urllib.parse.urlsplit(self.path).query
        if not query:
            self._reply(404, "Waiting for Google sign-in.")
            return
        with self.server.answering:
            self.server.in_flight += 1
        try:
            self._answer()
        finally:
            with self.server.answering:
                self.server.in_flight -= 1
                self.server.answering.notify_all()

    def _answer(self) -> None:
        url = f"http://localhost:{self.server.server_address[1]}{self.path}"
        accepted, reason, ticket = self.server.offer(url)
        if not accepted:
            self._reply(400, f"studiosync could not use this sign-in: {reason.rstrip('.')}.")
            return
        known, failure = self.server.outcome(ticket, OUTCOME_WAIT_S)
        if not known:
            self._reply(200, "Google sign-in received. You can close this tab and return to studiosync.")
        elif failure is None:
            self._reply(200, "Signed in. studiosync has the authorization: you can close this tab.")
        else:
            self._reply(400, f"studiosync could not finish this sign-in: {failure.rstrip('.')}.")

    def _reply(self, status: int, text: str) -> None:
        body = (
            "<!doctype html><meta charset=utf-8><title>studiosync</title>"
            f"<p style='font-family:sans-serif'>{html.escape(text)}</p>"
        ).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # the request line carries the authorization code: never print or log it


def terminal_lines(stream: TextIO | None, done: Callable[[], bool]) -> Callable[[], str | None]:
    """A line reader over a terminal (default stdin) that gives up as soon as `done()` is true.

    Reads the file descriptor directly (select + os.read): a TextIO buffer would hide already-typed lines
    from select. Falls back to readline where select can't watch the stream (Windows consoles, StringIO).
    """
    stream = stream if stream is not None else sys.stdin
    try:
        fd = stream.fileno()
        select.select([fd], [], [], 0)
    except (AttributeError, OSError, ValueError):
        return stream.readline
    pending = bytearray()

    def read() -> str | None:
        while b"\n" not in pending:
            if done():
                return None
            ready, _, _ = select.select([fd], [], [], 0.1)
            if not ready:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:  # EOF: hand back what is left, then stop
                line, pending[:] = bytes(pending), b""
                return line.decode("utf-8", "replace") or None
            pending.extend(chunk)
        line, _, rest = bytes(pending).partition(b"\n")
        pending[:] = rest
        return line.decode("utf-8", "replace") + "\n"

    return read
