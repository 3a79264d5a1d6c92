"""What a browser session's console process knows about its session, handed over by `studiosync web`.

The web server starts one console process per browser session and passes, in that process's
environment, who is on the other end (the client address it saw on the websocket request) and the
session's settings. `from_environment` reads them; nothing a browser sends can set them.
Never imports Textual (the console's Backend holds one of these).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from studiosync.core.model.users import User
    from studiosync.core.studio.studio import Studio

ENV_CLIENT = "STUDIOSYNC_WEB_CLIENT"
ENV_SESSION = "STUDIOSYNC_WEB_SESSION"
ENV_IDLE = "STUDIOSYNC_WEB_IDLE_SECONDS"
ENV_CALLBACK = "STUDIOSYNC_WEB_CALLBACK"
ENV_TITLE = "STUDIOSYNC_WEB_TITLE"
CALLBACK_PATH = "/oauth2callback"
SIGN_IN_META = "studiosync_sign_in"  # console process -> web server: {"state": ..., "port": ...}
# What a spare console process accepts from the web server's one JSON line (nothing else is set).
SPARE_VARIABLES = frozenset({ENV_CLIENT, ENV_SESSION, ENV_IDLE, ENV_CALLBACK, ENV_TITLE, "COLUMNS", "ROWS"})


@dataclass
class WebContext:
    """What this console process knows about its browser session (`from_environment`): the client's address,
    the session id, the idle limit, the sign-in callback."""

    client: str  # the browser's address as the web server saw it (after a trusted proxy's X-Forwarded-For)
    session: str  # the web server's id of this browser session (in its log lines and ours)
    idle_seconds: float
    callback_url: str | None = None  # <public URL>/oauth2callback when Google may redirect straight back
    title: str = "studiosync"
    # Set by the app: tells the web server which sign-in (OAuth state) belongs to this session, so the
    # callback route can hand Google's redirect to this process's sign-in listener.
    announce_sign_in: Callable[[str, int], None] | None = field(default=None, repr=False)

    @classmethod
    def from_environment(cls, env: Mapping[str, str] | None = None) -> WebContext:
        env = os.environ if env is None else env
        try:
            idle = float(env.get(ENV_IDLE, "1800"))
        except ValueError:
            idle = 1800.0
        return cls(
            client=env.get(ENV_CLIENT) or "unknown",
            session=env.get(ENV_SESSION) or "",
            idle_seconds=idle if idle > 0 else 1800.0,
            callback_url=env.get(ENV_CALLBACK) or None,
            title=env.get(ENV_TITLE) or "studiosync",
        )

    def environment(self) -> dict[str, str]:
        """The variables the web server sets for a session's console process (the inverse of the above)."""
        return {
            ENV_CLIENT: self.client,
            ENV_SESSION: self.session,
            ENV_IDLE: f"{self.idle_seconds:g}",
            ENV_CALLBACK: self.callback_url or "",
            ENV_TITLE: self.title,
        }

    def log_in(self, studio: Studio, login: str, password: str) -> User:
        from studiosync.core.studio.login_guard import web_log_in

        return web_log_in(studio.users, studio.login_guard, login, password, self.client)
