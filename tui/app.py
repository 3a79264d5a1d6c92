"""StudioSyncApp: the console IT runs over SSH to set up, schedule, watch and fix studiosync."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import threading
from collections.abc import Callable, Iterable
from typing import Any

from studiosync.core.errors import StudioSyncError
from studiosync.core.studio.studio import Studio
from studiosync.core.text import escape_line, escape_text
from studiosync.tui.backend import Backend
from studiosync.tui.clock import Clock
from studiosync.tui.commands import ConsoleCommands
from studiosync.tui.failures import log_failure
from studiosync.tui.screens.login import LoginScreen
from studiosync.tui.screens.main import MainScreen
from studiosync.tui.screens.unsaved import confirm_leave
from textual import on
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

HANGUP_GRACE_SECONDS = 15.0


class StudioSyncApp(App[int]):
    TITLE = "studiosync"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {ConsoleCommands}
    COMMAND_PALETTE_BINDING = "ctrl+p"
    BINDINGS = [
        Binding("f1", "help", "Help", id="app.help"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
    ]

    def __init__(
        self,
        studio: Studio,
        *,
        clock: Clock | None = None,
        embedded_scheduler: bool = True,
        login: str | None = None,
        demo: bool = False,
        blink_cursor: bool = True,
        start_section: str | None = None,
        login_hint: str = "",
        ask_password: bool = False,
    ) -> None:
        super().__init__()
        self.studio = studio
        self.backend = Backend(studio, clock=clock, demo=demo)
        self.embedded_scheduler = embedded_scheduler
        self.blink_cursor = (
            blink_cursor  # False for snapshots/screenshots: a blinking cursor is not deterministic
        )
        self._login = login
        self._start_section = start_section
        self._login_hint = login_hint
        # `login` given by a person (studiosync console --login X) still needs X's password, if X has one;
        # tests, screenshots and the demo pass a trusted login.
        self._ask_password = ask_password
        self._scheduler: Any = None

    # -- lifecycle -----------------------------------------------------------------------------------
    async def on_mount(self) -> None:
        self._install_hangup_handler()
        if self._login and not self._ask_password:
            self.backend.log_in_as(self._login)
            await self._enter()
            return
        if self._login:
            user = self.studio.users.find(self._login)
            if user is not None and not user.password_hash:
                try:
                    self.backend.log_in(self._login, "")
                except StudioSyncError as exc:
                    self.notify(exc.message, severity="warning")
                else:
                    await self._enter()
                    return
        self.push_screen(
            LoginScreen(
                self.backend.login_choices(),
                first_run=self.backend.first_run(),
                hint=self._login_hint,
                preselect=self._login,
            )
        )

    @on(LoginScreen.LoggedIn)
    async def _logged_in(self, event: LoginScreen.LoggedIn) -> None:
        await self._enter()

    async def _enter(self) -> None:
        main = MainScreen(admin=self.backend.is_admin, start=self._start_section)
        if isinstance(self.screen, LoginScreen):
            await self.switch_screen(main)
        else:
            await self.push_screen(main)
        if self.embedded_scheduler:
            # Once the first section shows its data: APScheduler and the job modules are the heaviest
            # imports we have, and a job that fires a second later loses nothing.
            main.view(main.current).when_loaded(lambda: self.call_later(self._start_scheduler))

    async def _start_scheduler(self) -> None:
        """Run the job scheduler inside this event loop, so jobs fire while the console is open."""
        from studiosync.core.jobs.scheduler import EmbeddedScheduler

        if not self.is_running:
            return
        try:
            self._scheduler = EmbeddedScheduler(self.studio)
            await self._scheduler.start()
        except StudioSyncError as exc:  # the console stays usable without the scheduler; the doctor says why
            self._scheduler = None
            self.report_error(exc, where="scheduler")

    async def on_unmount(self) -> None:
        # asyncio.run() joins worker threads on the way out: tell the long ones (sign-in wait, sync) to end.
        self.workers.cancel_all()
        await self._stop_scheduler()

    async def _stop_scheduler(self) -> None:
        scheduler, self._scheduler = self._scheduler, None
        if scheduler is not None:
            with contextlib.suppress(Exception):
                await scheduler.shutdown()

    def _install_hangup_handler(self) -> None:
        """Exit cleanly when the SSH session or terminal goes away (SIGHUP), and on SIGTERM."""
        if self.is_headless:
            return
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGHUP, signal.SIGTERM):
                loop.add_signal_handler(sig, self._hang_up)

    def _hang_up(self) -> None:
        self.exit(0)
        # A clean exit writes to the terminal, which may be gone: if that wedges, never linger as an orphan
        # holding the run lock and the scheduler. A daemon timer does not delay a normal exit.
        watchdog = threading.Timer(HANGUP_GRACE_SECONDS, os._exit, args=(129,))
        watchdog.daemon = True
        watchdog.start()

    def notify(  # type: ignore[override]
        self,
        message: str,
        *,
        title: str = "",
        severity: Any = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every toast is plain text: its words often quote a name, a title or a server's answer, which
        must neither be read as markup nor reach the terminal with control characters (core.text)."""
        super().notify(
            escape_text(message), title=escape_line(title), severity=severity, timeout=timeout, markup=markup
        )

    # -- errors --------------------------------------------------------------------------------------
    def report_error(self, error: BaseException, *, where: str = "", toast: bool = True) -> str:
        """The single place a failure is shown: one line (cause and fix); the traceback only at DEBUG."""
        line = log_failure(error, where)
        if toast:
            self.notify(line, title="Error", severity="error", timeout=8)
        return line

    # -- actions -------------------------------------------------------------------------------------
    async def action_quit(self) -> None:
        """ctrl+q: a section with unsaved edits asks Save / Discard / Stay first."""
        main = self.main_screen()
        view = main.current_view() if main is not None and self.screen is main else None
        if view is not None and view.unsaved():
            confirm_leave(self, view, self.exit)
            return
        self.exit()

    def action_help(self) -> None:
        from studiosync.tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        view = self.current_view()
        title, text = ("studiosync", "The console for studiosync.")
        if view is not None:
            title, text = view.TITLE, view.HELP
        focused = self.focused
        widget_help = getattr(focused, "HELP", None) if focused is not None else None
        if widget_help and view is not None and widget_help != view.HELP:
            text = f"{text}\n\n{widget_help}"
        keys: list[tuple[str, str]] = []
        for binding in self.screen.active_bindings.values():
            b = binding.binding
            if b.description and b.id and not b.id.startswith(("go.", "app.")):
                keys.append((self.get_key_display(b), b.description))
        self.push_screen(HelpScreen(title, text, keys))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if self.backend.viewer is not None:
            yield SystemCommand(
                "Change my password",
                "Set a new password (asks for the current one)",
                self.action_change_password,
            )

    def action_change_password(self) -> None:
        from studiosync.tui.screens.password import PasswordScreen

        if self.backend.viewer is not None and not isinstance(self.screen, PasswordScreen):
            self.push_screen(PasswordScreen())

    def current_view(self) -> Any:
        main = self.main_screen()
        return main.current_view() if main is not None else None

    def main_screen(self) -> MainScreen | None:
        for candidate in self.screen_stack:
            if isinstance(candidate, MainScreen):
                return candidate
        return None

    def open_section(self, section: str, then: Callable[[Any], object] | None = None) -> None:
        """Show a section (from anywhere: dialogs above the main screen close); `then(view)` runs once
        its data is loaded."""
        main = self.main_screen()
        if main is None:
            return
        while self.screen is not main:
            self.pop_screen()
        main.show_section(section, then=then)

    def open_google_tab(self, login: str) -> None:
        self._open_for_user("google", login)

    def open_appointments(self, login: str) -> None:
        self._open_for_user("appointments", login)

    def _open_for_user(self, section: str, login: str) -> None:
        main = self.main_screen()
        if main is None or not main.has_section(section):
            return
        main.view(section).show_user(login)  # type: ignore[attr-defined]
        self.open_section(section)
