"""studiosync web — serve the console to browsers (textual-serve), in the foreground like `serve`.

Imported by the CLI for its arguments only; aiohttp, textual-serve and the server load when it runs.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import os
import signal
import sys

from studiosync.core.cli.common import CliContext, add_command, minutes, port_number
from studiosync.core.errors import InputError, OperationError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(
        sub,
        "web",
        "serve the console to web browsers until SIGTERM/SIGINT (put it behind a TLS reverse proxy)",
        _web,
    )
    p.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default {DEFAULT_HOST}: this machine only)",
    )
    p.add_argument("--port", type=port_number, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    p.add_argument(
        "--public-url",
        metavar="URL",
        help="the address people open (the TLS proxy's), e.g. https://studio.example.com; remembered",
    )
    p.add_argument(
        "--idle-timeout",
        metavar="MINUTES",
        type=minutes,
        help="log a session out after this many minutes without input (default: prefs web, 30)",
    )
    p.add_argument(
        "--max-sessions", type=_count, default=20, help="browser sessions open at once (default 20)"
    )
    p.add_argument(
        "--trusted-proxy",
        metavar="ADDR",
        action="append",
        help="address/network of a reverse proxy whose X-Forwarded-For is believed (default: loopback)",
    )


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 1 <= value <= 500:
        raise argparse.ArgumentTypeError(f"{value} is out of range 1-500")
    return value


def _web(ctx: CliContext, args: argparse.Namespace) -> int:
    from studiosync.core import logs
    from studiosync.core.studio.urls import check_public_url

    host = _check_host(args.host)
    proxies = _check_proxies(args.trusted_proxy)
    public_url = check_public_url(args.public_url) if args.public_url is not None else None
    studio = ctx.studio
    if public_url is not None:
        studio.prefs.set_web(public_url=public_url)  # remembered: the doctor checks Google's redirect URIs
    prefs = studio.prefs.get()
    minutes = args.idle_timeout or prefs.web.idle_minutes
    logs.configure(studio.datadir.logs, process="web")

    from studiosync.tui.web.server import WebSettings

    settings = WebSettings(
        home=str(studio.datadir.root),
        host=host,
        port=args.port,
        title=prefs.name,
        public_url=prefs.web.public_url,
        idle_seconds=minutes * 60.0,
        max_sessions=args.max_sessions,
        trusted_proxies=proxies,
    )
    if not _is_loopback(host):
        print(
            f"studiosync web: warning: listening on {host}: the console is reachable from the network; "
            "put it behind a TLS reverse proxy (README: studiosync web)",
            file=sys.stderr,
            flush=True,
        )
    return asyncio.run(_serve(settings, studio.datadir.logs))


async def _serve(settings: object, log_dir: object) -> int:
    from studiosync.core.logs import event
    from studiosync.tui.web.server import WebServer

    server = WebServer(settings)  # type: ignore[arg-type]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        loop.add_signal_handler(sig, stop.set)
    try:
        bound = await server.start()
    except OSError as exc:
        raise OperationError(
            f"cannot listen on {server.settings.host}:{server.settings.port}: {exc.strerror or exc}",
            fix="choose another --port, or stop what uses it",
        ) from None
    s = server.settings
    where = ", ".join(f"http://{b}" for b in bound)
    event("INFO", "web console started", address=where, public_url=s.public_url, pid=os.getpid())
    print(
        f"studiosync web: serving the console of {s.title} on {where}"
        f"{f' (public URL {s.public_url})' if s.public_url else ''}; idle timeout {s.idle_seconds / 60:g} min; "
        f"logs in {log_dir}",
        file=sys.stderr,
        flush=True,
    )
    await stop.wait()
    open_sessions = len(server.sessions)
    print(f"studiosync web: stopping ({open_sessions} open session(s))", file=sys.stderr, flush=True)
    await server.stop()
    event("INFO", "web console stopped", closed_sessions=open_sessions)
    print("studiosync web: stopped", file=sys.stderr, flush=True)
    return 0


def _check_host(host: str) -> str:
    host = (host or "").strip()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not host or any(c.isspace() for c in host) or "/" in host:
        raise InputError(f"invalid --host {host!r}: give an address such as 127.0.0.1 or 0.0.0.0")
    return host


def _check_proxies(given: list[str] | None) -> list[str]:
    networks = given or ["127.0.0.0/8", "::1/128"]
    for text in networks:
        try:
            ipaddress.ip_network(text, strict=False)
        except ValueError:
            raise InputError(f"invalid --trusted-proxy {text!r}: give an address or network") from None
    return networks


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
