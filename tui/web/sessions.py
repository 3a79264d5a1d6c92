"""The web server's side of one browser session: its console process and the websocket to the browser.

textual-serve's AppService starts the process and speaks its stdin/stdout protocol; this subclass adds
what `studiosync web` needs: the session's environment (client address, idle timeout...), the sign-in
announcements the process makes (OAuth state -> its loopback port, for the callback route), and a stop
that always ends: ask the app to quit, then kill it after a grace period, so SIGTERM never waits on a
wedged session. `SparePool` keeps one console process started ahead (session.py --spare) that the next
session takes, so opening the page does not wait for Python to import the console.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from asyncio.subprocess import Process
from collections.abc import Callable

from aiohttp import WSMsgType, web
from studiosync.tui.web.context import SIGN_IN_META
from textual_serve.app_service import AppService
from textual_serve.download_manager import DownloadManager

log = logging.getLogger("studiosync.web")
QUIT_GRACE_SECONDS = 4.0
MAX_TERMINAL = 1000  # columns/rows a browser may ask for: a bigger screen only costs us memory


class ConsoleSession(AppService):
    def __init__(
        self,
        command: str,
        *,
        session_id: str,
        client: str,
        environment: dict[str, str],
        websocket: web.WebSocketResponse,
        download_manager: DownloadManager,
        on_sign_in: Callable[[str, str, int], None],
    ) -> None:
        super().__init__(
            command,
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=websocket.close,
            download_manager=download_manager,
        )
        self.session_id = session_id
        self.client = client
        self.websocket = websocket
        self._extra_environment = environment
        self._on_sign_in = on_sign_in
        self._stopped: asyncio.Future[None] | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        environment = super()._build_environment(width=width, height=height)
        environment.update(self._extra_environment)
        return environment

    spares: SparePool | None = None

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Process:
        process = self.spares.take() if self.spares is not None else None
        if process is None or process.stdin is None:
            return await super()._open_app_process(width, height)
        settings = dict(self._extra_environment, COLUMNS=str(width), ROWS=str(height))
        process.stdin.write(json.dumps(settings).encode() + b"\n")
        await process.stdin.drain()
        self._process, self._stdin = process, process.stdin
        return process

    async def on_meta(self, data: bytes) -> None:
        try:
            meta = json.loads(data)
        except ValueError:
            return
        if isinstance(meta, dict) and meta.get("type") == SIGN_IN_META:
            state, port = meta.get("state"), meta.get("port")
            if isinstance(state, str) and isinstance(port, int):
                self._on_sign_in(self.session_id, state, port)
            return
        await super().on_meta(data)

    async def pump(self) -> None:
        """Browser -> console process until the websocket closes. Malformed messages are dropped."""
        async for message in self.websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = json.loads(message.data)
                kind, data = envelope[0], envelope[1]
            except (ValueError, TypeError, IndexError, KeyError):
                continue
            if kind == "stdin" and isinstance(data, str):
                await self.send_bytes(data.encode("utf-8"))
            elif kind == "resize" and isinstance(data, dict):
                width, height = data.get("width"), data.get("height")
                if isinstance(width, int) and isinstance(height, int):
                    await self.set_terminal_size(_clamp(width), _clamp(height))
            elif kind == "ping":
                await self.websocket.send_json(["pong", data])
            elif kind == "blur":
                await self.blur()
            elif kind == "focus":
                await self.focus()

    async def stop(self, grace: float = QUIT_GRACE_SECONDS) -> None:
        """Quit the console process (kill it after `grace` s) and wait until it is gone. Idempotent."""
        if self._stopped is not None:
            await asyncio.shield(self._stopped)
            return
        self._stopped = asyncio.get_running_loop().create_future()
        try:
            await self._stop(grace)
        finally:
            self._stopped.set_result(None)

    async def _stop(self, grace: float) -> None:
        process = self._process
        if process is None:
            return
        with contextlib.suppress(Exception):
            await self._download_manager.cancel_app_downloads(app_service_id=self.app_service_id)
        if process.returncode is None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.send_meta({"type": "quit"}), grace)
            try:
                await asyncio.wait_for(process.wait(), grace)
            except TimeoutError:
                log.warning("web session %s did not quit within %.0f s: killed", self.session_id, grace)
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                await process.wait()
        task, self._task = self._task, None
        if task is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(task, grace)


class SparePool:
    """One console process started ahead of need, waiting for its session's settings."""

    def __init__(self, command: str, environment: Callable[[], dict[str, str]]) -> None:
        self._command = command  # ends in --spare
        self._environment = environment
        self._spare: Process | None = None
        self._starting: asyncio.Task[None] | None = None
        self._closed = False

    def refill(self) -> None:
        if self._closed or self._starting is not None:
            return
        self._starting = asyncio.get_running_loop().create_task(self._start())

    async def _start(self) -> None:
        try:
            self._spare = await asyncio.create_subprocess_shell(
                self._command,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=self._environment(),
            )
        except OSError as exc:
            log.warning("could not start a spare console process: %s", exc)
        finally:
            self._starting = None
        if self._closed:
            await self.close()

    def take(self) -> Process | None:
        """The ready spare (a new one starts in the background), or None: start one the slow way."""
        spare, self._spare = self._spare, None
        self.refill()
        return spare if spare is not None and spare.returncode is None else None

    async def close(self) -> None:
        self._closed = True
        spare, self._spare = self._spare, None
        if spare is not None and spare.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                spare.kill()
            await spare.wait()


def _clamp(value: int) -> int:
    return max(1, min(MAX_TERMINAL, value))
