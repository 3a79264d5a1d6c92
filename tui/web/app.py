"""The console as one browser session runs it: StudioSyncApp with the web's rules.

Differences from the terminal console, and why:
- every login needs a password, typed (no user list), throttled (Backend.web -> core.studio.login_guard);
- no embedded job scheduler: one process per browser tab must not each run the studio's jobs
  (`studiosync serve` does);
- Log out is a visible button and ctrl+l (browsers keep ctrl+q, ctrl+w, ctrl+n, ctrl+t for themselves);
  logging out ends this process, and the page offers to log in again;
- no input for the idle timeout ends the session the same way;
- the log records each login (core) and each logout with its reason, the client address and session id.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from studiosync.core.logs import event, log_context
from studiosync.core.studio.studio import Studio
from studiosync.tui import app as app_module
from studiosync.tui.app import StudioSyncApp
from studiosync.tui.screens.login import LoginScreen
from studiosync.tui.web.context import SIGN_IN_META, WebContext
from textual import events, on
from textual.app import SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Button

IDLE_CHECK_SECONDS = 5.0
LOGIN_IDLE_SECONDS = 300.0
# Input that means a person is there (mouse movement alone does not: a pointer resting on the page moves).
_ACTIVITY = (events.Key, events.MouseDown, events.MouseScrollDown, events.MouseScrollUp, events.Paste)


class WebConsoleApp(StudioSyncApp):
    # Relative CSS paths resolve beside the class's own module: name the console's stylesheet exactly.
    CSS_PATH = str(Path(app_module.__file__).parent / "app.tcss")
    BINDINGS = [
        Binding("ctrl+l", "logout", "Log out", id="app.logout", priority=True),
        Binding("ctrl+q", "logout", "Log out", id="app.quit", priority=True, show=False),
    ]
    DEFAULT_CSS = """
    MainScreen #top { height: 1; }
    MainScreen #top TopBar { width: 1fr; }
    MainScreen #top Button { height: 1; min-width: 0; width: auto; border: none; padding: 0 1; margin: 0; }
    """

    def __init__(self, studio: Studio, web: WebContext, **kwargs: Any) -> None:
        super().__init__(studio, embedded_scheduler=False, ask_password=True, **kwargs)
        self.web = web
        self.backend.web = web
        web.announce_sign_in = self._announce_sign_in
        self.last_input = time.monotonic()
        self._server_pid = os.getppid()
        self.logout_reason = "browser closed or server stopped"
        self.title = web.title

    async def on_mount(self, event: events.Mount) -> None:
        # Textual also calls the base class's on_mount unless told not to: it would push the terminal's
        # login screen (with its list of users) over ours.
        event.prevent_default()
        self._install_hangup_handler()
        self.set_interval(IDLE_CHECK_SECONDS, self._check_idle)
        self.push_screen(LoginScreen([], first_run=False, web=True, title=self.web.title))

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, _ACTIVITY):
            self.last_input = time.monotonic()
        await super().on_event(event)

    def _check_idle(self) -> None:
        if os.getppid() != self._server_pid:
            # The web server died without closing us (killed): the browser is gone, so is our stdin.
            self.logout_reason = "web server gone"
            # Logged now: the way out writes to the dead server's pipe and may not reach on_unmount.
            event("WARNING", "web session ended: web server gone", session=self.web.session)
            self._hang_up()  # exits, and never lingers if writing to the closed pipe wedges
            return
        # Nobody logged in: a tab left on the login screen holds a process for nothing; end it sooner.
        limit = (
            self.web.idle_seconds if self.backend.viewer else min(self.web.idle_seconds, LOGIN_IDLE_SECONDS)
        )
        if time.monotonic() - self.last_input >= limit:
            self.log_out(f"idle for {round(limit / 60)} min")

    # -- logging out -----------------------------------------------------------------------------------
    def top_buttons(self) -> Iterable[Button]:
        """The main screen's top row: visible, clickable, whatever keys the browser keeps."""
        yield Button("Password", id="top-password", tooltip="Change my password")
        yield Button("Log out", id="top-logout", variant="warning", tooltip="Log out (ctrl+l)")

    @on(Button.Pressed, "#top-logout")
    def action_logout(self) -> None:
        self.log_out("logged out")

    async def action_quit(self) -> None:
        # ctrl+q where the browser lets it through, and the palette's "Quit": both mean log out here.
        self.log_out("logged out")

    @on(Button.Pressed, "#top-password")
    def _password_button(self) -> None:
        self.action_change_password()

    def log_out(self, reason: str) -> None:
        self.logout_reason = reason
        self.exit(0)

    async def on_unmount(self) -> None:
        viewer = self.backend.viewer
        fields = {"address": self.web.client, "session": self.web.session, "reason": self.logout_reason}
        if viewer is not None:
            with log_context(user=viewer.login):
                event("INFO", "web logout", login=viewer.login, **fields)
        else:
            event("INFO", "web session ended before login", **fields)
        # StudioSyncApp.on_unmount runs after this one (Textual calls both).

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            if command.title != "Quit":  # replaced by Log out, which is what quitting means here
                yield command
        yield SystemCommand("Log out", "End this session (ctrl+l)", self.action_logout)

    # -- Google sign-in coming straight back ---------------------------------------------------------------
    def _announce_sign_in(self, state: str, port: int) -> None:
        """Tell the web server which sign-in is ours (textual-serve's meta channel, stdout of this process)."""
        write_meta = getattr(self._driver, "write_meta", None)
        if write_meta is None:
            return
        meta = {"type": SIGN_IN_META, "state": state, "port": port}
        if threading.get_ident() == self._thread_id:
            write_meta(meta)
        else:  # Backend.begin_auth runs in a worker thread; the driver's stdout belongs to the app's loop
            self.call_from_thread(write_meta, meta)
