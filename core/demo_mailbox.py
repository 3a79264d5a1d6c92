"""The demo's mail server: a small SMTP sink on loopback that keeps every message as an .eml file.

The demo must show email working offline (warning emails, detailed sync logs, Company prefs' "Send test
email") without a relay. It speaks just enough ESMTP for smtplib -- EHLO/HELO, MAIL, RCPT, DATA, RSET,
NOOP, QUIT -- and answers DATA the way Postfix does ("250 2.0.0 Ok: queued as ID"), since that reply is
what the console shows. Not a product mail server: no AUTH, no TLS, loopback only. The stdlib lost its
`smtpd` module in 3.12 and aiosmtpd is a test-only dependency, hence these few lines.
"""

from __future__ import annotations

import itertools
import socketserver
import threading
from pathlib import Path

MAX_MESSAGE = 10 * 1024 * 1024
_ids = itertools.count(1)


class _Session(socketserver.StreamRequestHandler):
    server: _Server
    timeout = 30

    def handle(self) -> None:
        self._reset()
        self._reply("220 studiosync demo mailbox ESMTP")
        while True:
            line = self.rfile.readline(4096)
            if not line:
                return
            verb, _, arg = line.decode("utf-8", "replace").strip().partition(" ")
            verb = verb.upper()
            if verb == "QUIT":
                self._reply("221 2.0.0 Bye")
                return
            self._command(verb, arg)

    def _command(self, verb: str, arg: str) -> None:
        if verb == "EHLO":
            self._reply(f"250-localhost\r\n250-SIZE {MAX_MESSAGE}\r\n250 8BITMIME")
        elif verb == "HELO":
            self._reply("250 localhost")
        elif verb == "MAIL":
            self._reset()
            self.sender = arg
            self._reply("250 2.1.0 Ok")
        elif verb == "RCPT":
            if self.sender is None:
                self._reply("503 5.5.1 Error: need MAIL command")
                return
            self.recipients.append(arg)
            self._reply("250 2.1.5 Ok")
        elif verb == "DATA":
            self._data()
        elif verb in ("RSET", "NOOP"):
            if verb == "RSET":
                self._reset()
            self._reply("250 2.0.0 Ok")
        else:
            self._reply("502 5.5.2 Error: command not recognized")

    def _data(self) -> None:
        if not self.recipients:
            self._reply("503 5.5.1 Error: need RCPT command")
            return
        self._reply("354 End data with <CR><LF>.<CR><LF>")
        lines: list[bytes] = []
        size = 0
        while True:
            line = self.rfile.readline(MAX_MESSAGE)
            if not line:
                return
            if line in (b".\r\n", b".\n"):
                break
            if line.startswith(b"."):
                line = line[1:]  # dot-stuffing (RFC 5321 4.5.2)
            size += len(line)
            if size <= MAX_MESSAGE:
                lines.append(line)
        if size > MAX_MESSAGE:
            self._reply("552 5.3.4 Error: message too big")
        else:
            queued = self.server.keep(b"".join(lines))
            self._reply(f"250 2.0.0 Ok: queued as {queued}")
        self._reset()

    def _reset(self) -> None:
        self.sender: str | None = None
        self.recipients: list[str] = []

    def _reply(self, text: str) -> None:
        self.wfile.write(text.encode("ascii") + b"\r\n")
        self.wfile.flush()


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, folder: Path) -> None:
        super().__init__(("127.0.0.1", 0), _Session)
        self.folder = folder
        self._lock = threading.Lock()

    def keep(self, message: bytes) -> str:
        with self._lock:
            queued = f"DEMO{next(_ids):05d}"
            self.folder.mkdir(parents=True, exist_ok=True)
            (self.folder / f"{queued}.eml").write_bytes(message)
            return queued


class DemoMailbox:
    """`with DemoMailbox(folder) as box:` -- an SMTP sink on 127.0.0.1:`box.port` filling `folder`."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self._server = _Server(self.folder)
        self._thread = threading.Thread(target=self._server.serve_forever, name="demo-mailbox", daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> DemoMailbox:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def messages(self) -> list[Path]:
        return sorted(self.folder.glob("*.eml"))

    def __enter__(self) -> DemoMailbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
