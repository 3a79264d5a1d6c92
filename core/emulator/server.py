"""The HTTP front: a ThreadingHTTPServer speaking HTTP/1.1 with keep-alive (httplib2 reuses
connections, so every answer carries Content-Length and `Connection: close` is honoured)."""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .app import App
from .errors import ApiError, DropConnection
from .wire import Request, Response

log = logging.getLogger("studiosync.core.emulator")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "StudiosyncGoogleEmulator/1.0"
    timeout = 120  # idle keep-alive connections are closed after this; httplib2 reconnects
    # Buffer the response so status line, headers and body leave in one segment: written piecemeal,
    # Nagle + delayed ACK stall every keep-alive request by ~40 ms.
    wbufsize = 1 << 16
    server: EmulatorHTTPServer

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, False)

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        return self.rfile.read(length) if length > 0 else b""

    def _serve(self) -> None:
        body = self._read_body()
        req = Request.build(self.command, self.path, dict(self.headers.items()), body)
        try:
            resp = self.server.app.handle(req)
        except DropConnection:
            # The 'dropped connection' fault: no status line at all, the socket just goes away.
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        except Exception:
            log.exception("emulator failed on %s %s", self.command, self.path)
            resp = Response.error(ApiError(500, "backendError", "Internal error in the Google emulator."))
        self._write(resp)

    def _write(self, resp: Response) -> None:
        self.send_response(resp.status, resp.reason)
        for name, value in resp.headers.items():
            if name.lower() not in ("content-length", "connection"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(resp.body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(resp.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        log.debug("%s - %s", self.address_string(), format % args)


class EmulatorHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # benchmarks open many connections at once

    def __init__(self, address: tuple[str, int], app: App) -> None:
        super().__init__(address, _Handler)
        self.app = app
        self._conns: set[socket.socket] = set()
        self._conns_lock = threading.Lock()

    def handle_error(self, request: object, client_address: object) -> None:
        # Clients vanishing mid-request (resets, timeouts) are normal here: no tracebacks on stderr.
        log.debug("connection from %s failed", client_address, exc_info=True)

    def track(self, conn: socket.socket, alive: bool) -> None:
        with self._conns_lock:
            (self._conns.add if alive else self._conns.discard)(conn)

    def close_connections(self) -> None:
        """Hang up on idle keep-alive clients so stop() does not leave threads blocked in reads."""
        with self._conns_lock:
            conns = list(self._conns)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
