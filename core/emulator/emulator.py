"""GoogleEmulator: the control API plus an HTTP server on loopback."""

from __future__ import annotations

import threading
from pathlib import Path
from types import TracebackType
from typing import Any

from .app import App
from .control import Controller, control_router
from .server import EmulatorHTTPServer


class GoogleEmulator(Controller):
    """Offline Google (OAuth, Calendar v3, People v1, batch) served over real HTTP.

    The socket is bound at construction (so `url` is known at once); `start()` (or `with`) serves it from
    a daemon thread, `stop()` shuts it down.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        token_ttl: float = 3600.0,
        seed: dict[str, Any] | str | Path | None = None,
    ) -> None:
        super().__init__(token_ttl)
        self.app = App(self.state, control_router(self))
        # The consent page's "Use another account" signs a new address up, as a fresh Google account.
        self.app.oauth.sign_up = self.add_account
        self._server = EmulatorHTTPServer((host, port), self.app)
        bound_host, bound_port = self._server.server_address[:2]
        shown = f"[{bound_host}]" if ":" in str(bound_host) else str(bound_host)
        self._base_url = f"http://{shown}:{bound_port}"
        self._thread: threading.Thread | None = None
        self._closed = False
        if seed is not None:
            self.load_seed(seed)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> GoogleEmulator:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.02},
                name="google-emulator",
                daemon=True,
            )
            self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until `stop()` (from another thread) or KeyboardInterrupt."""
        try:
            self._server.serve_forever(poll_interval=0.2)
        finally:
            self._close()

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._close()

    def _close(self) -> None:
        if not self._closed:
            self._closed = True
            self._server.close_connections()
            self._server.server_close()

    def __enter__(self) -> GoogleEmulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
