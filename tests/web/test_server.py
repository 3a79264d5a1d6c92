"""`studiosync web` from outside without a browser: its options, its guards, its page and its stop."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
from studiosync.core.studio.studio import Studio
from studiosync.tui.web.browser import WebServerProcess

_STARTED: list[WebServerProcess] = []


@pytest.fixture(autouse=True)
def _no_server_left_behind() -> Iterator[None]:
    yield
    while _STARTED:
        _STARTED.pop().kill()  # only those a failing test left running; a stopped one is a no-op


def start_web(home: Path, *args: str) -> tuple[WebServerProcess, int]:
    web = WebServerProcess(home, *args)
    _STARTED.append(web)
    return web, web.port


def stop(web: WebServerProcess) -> tuple[int, str]:
    return web.terminate()


@pytest.fixture(scope="module")
def web_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("webserver") / "home"
    studio = Studio.open(home)
    studio.users.add("pat", "Pat", admin=True, password="pat password")
    studio.prefs.set_name("Bright & <Bold> Studio")
    return home


@pytest.fixture(scope="module")
def web(web_home: Path) -> Iterator[int]:
    server = WebServerProcess(web_home, "--max-sessions", "1")  # the module's: not in _STARTED
    yield server.port
    server.stop()


def get(port: int, path: str = "/", host: str | None = None) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    if host:
        request.add_header("Host", host)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()


def test_the_page_has_the_studio_name_escaped_and_nothing_from_the_internet(web: int) -> None:
    status, headers, body = get(web)
    assert status == 200
    assert "<title>Bright &amp; &lt;Bold&gt; Studio</title>" in body
    assert "googleapis" not in body and "https://" not in body  # fonts and scripts come from this server
    assert (
        headers["X-Frame-Options"] == "DENY"
        and "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    )
    assert f"ws://127.0.0.1:{web}/ws" in body
    assert get(web, "/static/js/textual.js")[0] == 200


def test_a_foreign_host_name_is_refused(web: int) -> None:
    # DNS rebinding: a page of attacker.example resolving to 127.0.0.1 still sends its own name.
    status, _, body = get(web, host=f"attacker.example:{web}")
    assert status == 421 and "not served under the name 'attacker.example'" in body
    assert get(web, host=f"localhost:{web}")[0] == 200


def test_websockets_only_from_the_console_page_and_only_so_many(web: int) -> None:
    async def scenario() -> None:
        url = f"http://127.0.0.1:{web}/ws?width=80&height=24"
        async with aiohttp.ClientSession() as session:
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await session.ws_connect(url, origin="http://evil.example")
            assert refused.value.status == 403
            with pytest.raises(aiohttp.WSServerHandshakeError) as missing:
                await session.ws_connect(url)
            assert missing.value.status == 403
            ws = await session.ws_connect(url, origin=f"http://127.0.0.1:{web}")
            first = await asyncio.wait_for(ws.receive(), 30)  # the console paints
            assert first.type == aiohttp.WSMsgType.BINARY
            with pytest.raises(aiohttp.WSServerHandshakeError) as full:  # --max-sessions 1
                await session.ws_connect(url, origin=f"http://127.0.0.1:{web}")
            assert full.value.status == 503
            await ws.close()

    asyncio.run(scenario())


def test_an_unknown_sign_in_callback_says_so(web: int) -> None:
    status, _, body = get(web, "/oauth2callback?state=nope&code=4/abc")
    assert status == 400 and "not open in any studiosync browser session" in body


def test_another_host_warns_and_sigterm_exits_0(web_home: Path) -> None:
    proc, _port = start_web(web_home, "--host", "0.0.0.0")
    code, err = stop(proc)
    lines = err.splitlines()
    assert code == 0
    assert lines[0].startswith(
        "studiosync web: warning: listening on 0.0.0.0: the console is reachable from the network"
    )
    assert "TLS" in lines[0] and lines[-1] == "studiosync web: stopped"


def test_default_is_loopback_without_warning(web_home: Path) -> None:
    proc, _port = start_web(web_home)
    code, err = stop(proc)
    assert code == 0 and "warning" not in err and "on http://127.0.0.1:" in err


def test_a_port_in_use_is_one_line_and_exit_1(web_home: Path, web: int) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "studiosync", "--home", str(web_home), "web", "--port", str(web)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 1
    assert done.stderr.startswith(f"studiosync: error: cannot listen on 127.0.0.1:{web}")
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--port", "0"), "out of range"),
        (("--host", "bad host"), "invalid --host"),
        (("--public-url", "ftp://studio"), "not an http(s) address"),
        (("--idle-timeout", "0"), "out of range 1-1440"),
        (("--trusted-proxy", "not-an-ip"), "invalid --trusted-proxy"),
    ],
)
def test_bad_options_exit_2_with_one_line_and_save_nothing(
    web_home: Path, args: tuple[str, ...], message: str
) -> None:
    before = Studio.open(web_home).prefs.get()
    done = subprocess.run(
        [sys.executable, "-m", "studiosync", "--home", str(web_home), "web", *args],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2 and message in done.stderr and len(done.stderr.splitlines()) == 1
    assert Studio.open(web_home).prefs.get() == before


def test_public_url_is_remembered_for_the_doctor(tmp_path: Path) -> None:
    home = tmp_path / "home"
    Studio.open(home)
    proc, _port = start_web(home, "--public-url", "https://studio.example.com/")
    code, err = stop(proc)
    assert code == 0 and "(public URL https://studio.example.com)" in err
    assert Studio.open(home).prefs.get().web.public_url == "https://studio.example.com"


def test_behind_the_tls_proxy_the_page_uses_wss(web: int) -> None:
    request = urllib.request.Request(f"http://127.0.0.1:{web}/")
    request.add_header("X-Forwarded-Proto", "https")  # from loopback: our own proxy
    with urllib.request.urlopen(request, timeout=5) as response:
        body = response.read().decode()
    assert f"wss://127.0.0.1:{web}/ws" in body


def test_console_processes_end_when_the_server_is_killed(tmp_path: Path) -> None:
    from studiosync.tui.web.browser import log_records

    home = tmp_path / "home"
    Studio.open(home)
    web, port = start_web(home)

    async def open_session() -> None:
        async with aiohttp.ClientSession() as session:
            ws = await session.ws_connect(f"http://127.0.0.1:{port}/ws", origin=f"http://127.0.0.1:{port}")
            await asyncio.wait_for(ws.receive(), 30)
            deadline = time.monotonic() + 30
            while not log_records(home, "web session opened") and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            web.kill()  # SIGKILL: no chance to close anything

    try:
        asyncio.run(open_session())
    finally:
        web.kill()
    pid = log_records(home, "web session opened")[-1]["pid"]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        os.kill(pid, signal.SIGKILL)
        raise AssertionError("the console process outlived its web server")
    # (It ends through the parent check, or sooner if writing to the dead server's pipe fails first.)
