"""`studiosync web`'s HTTP side: the page, the websocket that drives one console process per browser
session, the Google sign-in callback, and a shutdown that closes every session.

Built on aiohttp and textual-serve's pieces (its AppService protocol, xterm.js bundle and download
manager) rather than its Server class, because that one has no page title, loads a web font from the
internet, accepts websockets from any origin, trusts no proxy and cannot stop while a browser is
connected. What this server guards (the console's login is the real gate; see README "Security"):
- Host: only an IP literal, localhost, this machine's name or the public URL's host, so a DNS-rebinding
  page cannot reach a console bound to 127.0.0.1;
- Origin: a websocket must come from a page this server served (same host), so another site open in the
  same browser cannot drive a session (cross-site websocket hijacking);
- a cap on open sessions (each is a process); security headers; X-Forwarded-For only from trusted proxies.
Never logs keystrokes, screen contents, passwords or sign-in codes.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import os
import secrets
import shlex
import socket
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from importlib.metadata import version
from importlib.resources import files
from pathlib import Path
from urllib.parse import urlsplit

import jinja2
from aiohttp import ClientSession, ClientTimeout, web
from studiosync.core.logs import event
from studiosync.tui.web.context import CALLBACK_PATH, WebContext
from studiosync.tui.web.sessions import ConsoleSession, SparePool
from textual_serve.download_manager import DownloadManager

log = logging.getLogger("studiosync.web")
STATIC = Path(files("textual_serve")) / "static"  # type: ignore[arg-type]
TEMPLATES = Path(files("studiosync.tui.web")) / "templates"  # type: ignore[arg-type]
CLOSE_SECONDS = 6.0  # everything must be down within systemd's/the 10 s


@dataclass
class WebSettings:
    """How `studiosync web` serves: the data dir, where it listens, the page title and public URL, the idle
    limit, the session cap and the trusted proxies."""

    home: str | None
    host: str
    port: int
    title: str
    public_url: str | None
    idle_seconds: float
    max_sessions: int = 20
    trusted_proxies: list[str] = field(default_factory=lambda: ["127.0.0.1/8", "::1/128"])


class WebServer:
    def __init__(self, settings: WebSettings) -> None:
        self.settings = settings
        self.sessions: dict[str, ConsoleSession] = {}
        self.sign_ins: dict[str, tuple[str, int]] = {}  # OAuth state -> (session id, loopback port)
        self.downloads = DownloadManager()
        self._proxies = [ipaddress.ip_network(p, strict=False) for p in settings.trusted_proxies]
        self._hosts = _allowed_host_names(settings.public_url)
        self._templates = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, keep_trailing_newline=True
        )
        self._runner: web.AppRunner | None = None
        self.spares = SparePool(self._command(spare=True), self._spare_environment)

    # -- lifecycle -------------------------------------------------------------------------------------
    def application(self) -> web.Application:
        app = web.Application(middlewares=[self._guard])
        app.add_routes(
            [
                web.get("/", self._index),
                web.get("/ws", self._websocket),
                web.get(CALLBACK_PATH, self._callback),
                web.get("/download/{key}", self._download),
                web.static("/static", STATIC, show_index=False),
            ]
        )
        return app

    async def start(self) -> list[str]:
        """Listen; returns the bound addresses (host:port). OSError when the port is taken."""
        self._runner = web.AppRunner(self.application(), access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.settings.host, self.settings.port)
        await site.start()
        self.spares.refill()
        return [_format_address(s.getsockname()) for s in (site._server.sockets if site._server else [])]  # noqa: SLF001

    async def stop(self) -> None:
        """Close every session (its websocket and its process), then the listener."""
        open_sessions = list(self.sessions.values())
        await asyncio.gather(
            self.spares.close(), *(self._close(s) for s in open_sessions), return_exceptions=True
        )
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _close(self, session: ConsoleSession) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(session.websocket.close(code=1001, message=b"server stopping"), 1.0)
        await session.stop()

    # -- guards ----------------------------------------------------------------------------------------
    @web.middleware
    async def _guard(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        host = _host_name(request.host)
        if not _host_allowed(host, self._hosts):
            return _text(
                421,
                f"studiosync: this console is not served under the name {host!r}; use its "
                "address, or start `studiosync web --public-url` with this name",
            )
        response = await handler(request)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response

    def client_address(self, request: web.Request) -> str:
        """The browser's address: the peer, or the last X-Forwarded-For hop when the peer is our proxy."""
        peer = request.remote or "unknown"
        forwarded = request.headers.get("X-Forwarded-For")
        if forwarded and self._trusted(peer):
            last = forwarded.split(",")[-1].strip()
            with contextlib.suppress(ValueError):
                return str(ipaddress.ip_address(last))
        return peer

    def _trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self._proxies)

    # -- routes ----------------------------------------------------------------------------------------
    async def _index(self, request: web.Request) -> web.StreamResponse:
        ws_url = self._websocket_url(request)
        html = self._templates.get_template("index.html").render(
            title=self.settings.title,
            static_url=self._base_url(request) + "/static/",
            websocket_url=ws_url,
            font_size=_font_size(request.query.get("fontsize")),
        )
        response = web.Response(text=html, content_type="text/html", charset="utf-8")
        origin = urlsplit(ws_url)
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
            f"img-src 'self' data:; font-src 'self'; connect-src 'self' {origin.scheme}://{origin.netloc}; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
        )
        response.headers["Cache-Control"] = "no-store"
        return response

    def _base_url(self, request: web.Request) -> str:
        public = self.settings.public_url
        if public and _host_name(request.host) == urlsplit(public).hostname:
            return public
        scheme = request.scheme
        forwarded = request.headers.get("X-Forwarded-Proto", "").strip().lower()
        if forwarded in ("http", "https") and self._trusted(request.remote or ""):
            scheme = forwarded  # an https page behind our TLS proxy needs wss://, not ws://
        return f"{scheme}://{request.host}"

    def _websocket_url(self, request: web.Request) -> str:
        base = self._base_url(request)
        scheme = "wss" if base.startswith("https:") else "ws"
        return f"{scheme}:{base.split(':', 1)[1]}/ws"

    async def _websocket(self, request: web.Request) -> web.StreamResponse:
        client = self.client_address(request)
        origin = request.headers.get("Origin")
        if not _same_origin(origin, request.host):
            event("WARNING", "web session refused: foreign origin", address=client, origin=origin or "-")
            return _text(403, "studiosync: this page may only be opened from its own address")
        if len(self.sessions) >= self.settings.max_sessions:
            event(
                "WARNING",
                "web session refused: too many open",
                address=client,
                limit=self.settings.max_sessions,
            )
            return _text(503, "studiosync: too many open sessions; close another tab or try again later")
        websocket = web.WebSocketResponse(heartbeat=15, max_msg_size=1 << 20)
        await websocket.prepare(request)
        session_id = secrets.token_hex(6)
        session = ConsoleSession(
            self._command(),
            session_id=session_id,
            client=client,
            environment=self._environment(session_id, client),
            websocket=websocket,
            download_manager=self.downloads,
            on_sign_in=self._sign_in_started,
        )
        session.spares = self.spares
        self.sessions[session_id] = session
        try:
            await session.start(_size(request.query.get("width"), 80), _size(request.query.get("height"), 24))
            event(
                "INFO",
                "web session opened",
                address=client,
                session=session_id,
                pid=session.pid,
                open=len(self.sessions),
            )
            await session.pump()
        except Exception as exc:  # noqa: BLE001 - one broken session must not take the server down
            log.error("web session %s failed", session_id, exc_info=exc)
        finally:
            await session.stop()
            self.sessions.pop(session_id, None)
            self._forget_sign_ins(session_id)
            with contextlib.suppress(Exception):
                await websocket.close()
            event("INFO", "web session closed", address=client, session=session_id, open=len(self.sessions))
        return websocket

    def _command(self, *, spare: bool = False) -> str:
        argv = [sys.executable, "-m", "studiosync.tui.web.session"]
        if self.settings.home:
            argv += ["--home", str(self.settings.home)]
        if spare:
            argv.append("--spare")
        # exec: the shell textual-serve starts becomes the console process, so a kill reaches it.
        return "exec " + shlex.join(argv)

    def _spare_environment(self) -> dict[str, str]:
        """What textual-serve gives every console process; the session's own settings come later."""
        environment = dict(os.environ)
        environment.update(
            TEXTUAL_DRIVER="textual.drivers.web_driver:WebDriver",
            TEXTUAL_FPS="60",
            TEXTUAL_COLOR_SYSTEM="truecolor",
            TERM_PROGRAM="textual",
            TERM_PROGRAM_VERSION=version("textual-serve"),
        )
        return environment

    def _environment(self, session_id: str, client: str) -> dict[str, str]:
        public = self.settings.public_url
        context = WebContext(
            client=client,
            session=session_id,
            idle_seconds=self.settings.idle_seconds,
            callback_url=f"{public}{CALLBACK_PATH}" if public else None,
            title=self.settings.title,
        )
        return context.environment()

    async def _download(self, request: web.Request) -> web.StreamResponse:
        key = request.match_info["key"]
        try:
            meta = await self.downloads.get_download_metadata(key)
        except KeyError:
            raise web.HTTPNotFound(text="no such download") from None
        response = web.StreamResponse()
        response.headers["Content-Type"] = meta.mime_type + (
            f"; charset={meta.encoding}" if meta.encoding else ""
        )
        disposition = "inline" if meta.open_method == "browser" else "attachment"
        response.headers["Content-Disposition"] = f"{disposition}; filename={meta.file_name}"
        await response.prepare(request)
        async for chunk in self.downloads.download(key):
            await response.write(chunk)
        await response.write_eof()
        return response

    # -- Google sign-in coming straight back -----------------------------------------------------------
    def _sign_in_started(self, session_id: str, state: str, port: int) -> None:
        self.sign_ins[state] = (session_id, port)

    def _forget_sign_ins(self, session_id: str) -> None:
        for state in [s for s, (sid, _p) in self.sign_ins.items() if sid == session_id]:
            del self.sign_ins[state]

    async def _callback(self, request: web.Request) -> web.StreamResponse:
        """Google's redirect (<public URL>/oauth2callback?state=...&code=...): handed to the console process
        that started this sign-in, whose listener checks the state and exchanges the code."""
        state = request.query.get("state", "")
        found = self.sign_ins.get(state)
        if found is None:
            return _page(
                400,
                "This sign-in is not open in any studiosync browser session any more. "
                "Go back to the studiosync tab and click Authenticate My Google Account again.",
            )
        session_id, port = found
        try:
            async with (
                ClientSession(timeout=ClientTimeout(total=15)) as client,
                client.get(f"http://127.0.0.1:{port}/?{request.query_string}") as answer,
            ):
                accepted = answer.status == 200
        except (TimeoutError, OSError):
            accepted = False
        event("INFO", "web sign-in returned from Google", session=session_id, accepted=accepted)
        if not accepted:
            return _page(
                400, "studiosync could not use this sign-in. Go back to the studiosync tab for details."
            )
        self.sign_ins.pop(state, None)
        return _page(200, "Google sign-in received. Close this tab and go back to the studiosync tab.")


# -- helpers ---------------------------------------------------------------------------------------------
def _text(status: int, text: str) -> web.Response:
    return web.Response(status=status, text=text + "\n", content_type="text/plain")


def _page(status: int, text: str) -> web.Response:
    body = (
        "<!doctype html><meta charset=utf-8><title>studiosync</title>"
        f"<p style='font-family:sans-serif'>{jinja2.utils.markupsafe.escape(text)}</p>"
    )
    response = web.Response(status=status, text=body, content_type="text/html", charset="utf-8")
    response.headers["Cache-Control"] = "no-store"
    return response


def _size(text: str | None, default: int) -> int:
    try:
        return max(10, min(1000, int(text or default)))
    except ValueError:
        return default


def _font_size(text: str | None) -> int:
    try:
        return max(8, min(40, int(text or 16)))
    except ValueError:
        return 16


def _host_name(host_header: str | None) -> str:
    """The name part of a Host header ("[::1]:8080" -> "::1", "Example.com:80" -> "example.com")."""
    host = (host_header or "").strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _allowed_host_names(public_url: str | None) -> set[str]:
    names = {"localhost"}
    hostname = socket.gethostname().lower()
    names |= {hostname, f"{hostname}.local", socket.getfqdn().lower()}
    if public_url:
        names.add((urlsplit(public_url).hostname or "").lower())
    return {n for n in names if n}


def _host_allowed(host: str, names: set[str]) -> bool:
    """IP literals are fine (a rebinding attack needs a name it controls); names must be known ones."""
    if host in names:
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _same_origin(origin: str | None, host_header: str | None) -> bool:
    if not origin:
        return False
    parts = urlsplit(origin)
    return bool(parts.netloc) and parts.netloc.lower() == (host_header or "").strip().lower()


def _format_address(sockname: tuple) -> str:
    host, port = sockname[0], sockname[1]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
