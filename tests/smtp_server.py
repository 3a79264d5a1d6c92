"""A real SMTP server for tests (aiosmtpd in a thread), plus a server that never answers.

Use the plain fixture::

    from tests.smtp_server import smtp_server  # noqa: F401

    def test_x(smtp_server): ...

or build variants directly::

    with LocalSMTPServer(auth=("ann", "pw"), starttls=True) as server:
        send_email(..., ssl_context=server.client_context())
        server.messages[0].message["Subject"]
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email
import email.policy
import ipaddress
import socket
import ssl
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

HOST = "127.0.0.1"


def free_port() -> int:
    """A port nobody listens on right now (aiosmtpd's Controller(port=0) fails its self-check)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes
    tls: bool  # the session was encrypted (STARTTLS or implicit TLS)


def make_self_signed_cert(directory: Path, hostname: str = "localhost") -> tuple[Path, Path]:
    """(cert.pem, key.pem) valid for `hostname` and 127.0.0.1, made with `cryptography`."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())  # EC: instant, unlike RSA key generation
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostname)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName(hostname), x509.IPAddress(ipaddress.ip_address(HOST))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class _Handler:
    def __init__(self, owner: LocalSMTPServer) -> None:
        self.owner = owner

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address.lower() in self.owner.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        tls = session.ssl is not None or self.owner.implicit_tls
        self.owner.messages.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), message, raw, tls)  # type: ignore[arg-type]
        )
        return self.owner.reply


class LocalSMTPServer:
    """aiosmtpd on 127.0.0.1:<free port>, recording what it receives in ``messages``.

    auth: (username, password) to accept; AUTH PLAIN/LOGIN is then offered (over plain text too,
        unless starttls is on, in which case login requires TLS first, like real servers).
    starttls: offer STARTTLS with a self-signed certificate (see ``client_context()``).
    implicit_tls: TLS from the first byte (port-465 style) with the same certificate.
    refuse: recipient addresses answered with 550.
    """

    def __init__(
        self,
        *,
        auth: tuple[str, str] | None = None,
        starttls: bool = False,
        implicit_tls: bool = False,
        refuse: Iterable[str] = (),
        reply: str = "250 2.0.0 Message accepted for delivery",
    ) -> None:
        self.host = HOST
        self.port = free_port()
        self.auth = auth
        self.starttls = starttls
        self.implicit_tls = implicit_tls
        self.refuse = {a.lower() for a in refuse}
        self.reply = reply
        self.messages: list[Received] = []
        self.auth_attempts: list[str] = []
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self.cert_path: Path | None = None
        self._controller: Controller | None = None

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        assert self.auth is not None
        if isinstance(auth_data, LoginPassword):
            self.auth_attempts.append(auth_data.login.decode())
            ok = (auth_data.login.decode(), auth_data.password.decode()) == self.auth
            return AuthResult(success=ok, handled=False)
        return AuthResult(success=False, handled=False)

    def server_context(self) -> ssl.SSLContext:
        assert self.cert_path is not None
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(self.cert_path, self.cert_path.with_name("key.pem"))
        return ctx

    def client_context(self) -> ssl.SSLContext:
        """A client context that trusts this server's self-signed certificate (and checks it)."""
        assert self.cert_path is not None, "start a TLS server first"
        return ssl.create_default_context(cafile=str(self.cert_path))

    def start(self) -> LocalSMTPServer:
        kwargs: dict[str, Any] = {"server_hostname": "localhost"}  # skip getfqdn()
        if self.starttls or self.implicit_tls:
            self._tmp = tempfile.TemporaryDirectory(prefix="smtp-cert-")
            self.cert_path, _ = make_self_signed_cert(Path(self._tmp.name))
        if self.starttls:
            kwargs["tls_context"] = self.server_context()
        if self.implicit_tls:
            kwargs["ssl_context"] = self.server_context()
        if self.auth is not None:
            kwargs["authenticator"] = self._authenticate
            # aiosmtpd only counts STARTTLS as TLS: without it, allow AUTH in the clear (tests only).
            kwargs["auth_require_tls"] = self.starttls
        self._controller = Controller(_Handler(self), hostname=self.host, port=self.port, **kwargs)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> LocalSMTPServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextlib.contextmanager
def silent_server() -> Iterator[int]:
    """A port that accepts TCP connections (kernel backlog) but never says a word: for timeouts."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        sock.listen(8)
        yield sock.getsockname()[1]


@pytest.fixture
def smtp_server() -> Iterator[LocalSMTPServer]:
    """A plain (no TLS, no AUTH) local SMTP server."""
    with LocalSMTPServer() as server:
        yield server
