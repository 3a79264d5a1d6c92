"""Authenticate My Google Account, over SSH.

Shows the link to open (and a QR code when the terminal is big enough), and completes whichever way the
redirect comes back first: the browser reaching our loopback listener (local browser, or `ssh -L`), or
the person pasting the address the browser ended on. A worker sits in `session.wait()`; the paste field
hands its URL to the same session. In the demo, the console plays the browser: the emulator consents
at once, so one key press authenticates.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from studiosync.core.errors import InputError, StudioSyncError
from studiosync.tui.backend import one_line
from studiosync.tui.safe_text import Text
from studiosync.tui.screens.modal import Modal
from studiosync.tui.widgets.field import Field
from studiosync.tui.widgets.note import Note
from studiosync.tui.widgets.qr import QRCode
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Static
from textual.worker import get_current_worker

if TYPE_CHECKING:
    from studiosync.core.google.oauth import AuthorizationSession

WAIT_SECONDS = 900.0  # time to find a browser, sign in and consent
POLL_SECONDS = 0.1


class GoogleAuthScreen(Modal[bool]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="auth.cancel"),
        Binding("ctrl+o", "copy", "Copy link", id="auth.copy"),
    ]
    DEFAULT_CSS = """
    GoogleAuthScreen > .dialog { width: 100%; max-width: 120; height: 100%; max-height: 60; }
    GoogleAuthScreen VerticalScroll { height: 1fr; }
    GoogleAuthScreen #auth-url { color: $accent; height: auto; }
    GoogleAuthScreen #auth-qr { margin: 1 0; }
    GoogleAuthScreen #auth-state { height: auto; text-style: bold; }
    GoogleAuthScreen .row { height: auto; }
    GoogleAuthScreen .row Button { margin-left: 1; }
    """

    class Started(Message):
        def __init__(self, session: AuthorizationSession) -> None:
            super().__init__()
            self.session = session

    class Finished(Message):
        def __init__(self, account: str | None, error: str | None = None) -> None:
            super().__init__()
            self.account, self.error = account, error

    session: AuthorizationSession | None = None

    def __init__(self, login: str, name: str, account_hint: str | None = None) -> None:
        super().__init__()
        self.login, self.person_name, self.account_hint = login, name, account_hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(f"Authenticate My Google Account — {self.person_name}"), classes="dialog-title")
            with VerticalScroll():
                yield Static(Text("Starting the sign-in…"), id="auth-state")
                yield Static(
                    Text(
                        "1. Open this address in a browser (any computer or phone), sign in as the Google account "
                        "this user syncs to, and allow access to Calendar and Contacts:"
                    )
                )
                yield Static(Text(""), id="auth-url")
                yield QRCode(id="auth-qr")
                # Step 2 is written like step 1 (a plain paragraph), not as an indented field note.
                yield Static(Text(""), id="auth-ssh")
                with Horizontal(classes="row"):
                    yield Field(placeholder="http://localhost:PORT/?state=…&code=…", id="auth-paste")
                    yield Button("Use this address", id="auth-submit")
                yield Note("", id="auth-paste-why")
            with Horizontal(classes="buttons"):
                if self.backend.demo:
                    yield Button("Consent in the emulator (demo)", variant="success", id="auth-demo")
                yield Button("Copy link", id="auth-copy")
                yield Button("Cancel", variant="primary", id="auth-cancel")

    def on_mount(self) -> None:
        self.query_one("#auth-cancel", Button).focus()
        self._begin()

    def on_unmount(self) -> None:
        # Never leave a worker blocked in session.wait(): the console could not exit until it timed out.
        if self.session is not None:
            self.session.cancel()

    @work(thread=True, exclusive=True, exit_on_error=False, group="auth-begin")
    def _begin(self) -> None:
        session = self.backend.begin_auth(self.login, self.account_hint)
        self.post_message(self.Started(session))

    @on(Started)
    def _started(self, event: Started) -> None:
        self.session = session = event.session
        self.query_one("#auth-state", Static).update(Text("Waiting for Google…", style="yellow"))
        self.query_one("#auth-url", Static).update(Text(session.url))
        size = self.app.size
        self.query_one("#auth-qr", QRCode).show(
            session.url, max_width=size.width - 6, max_height=size.height - 14
        )
        self.query_one("#auth-ssh", Static).update(
            Text(
                f"2. The browser then goes to http://localhost:{session.port}/. If this console runs on another "
                f"machine, either connect with `ssh -L {session.port}:localhost:{session.port}` (it then "
                "completes by itself), or copy the address the browser ends on (it may say it cannot connect) "
                "and paste it here:"
            )
        )
        self._wait(session)
        if self.backend.demo:
            self.query_one("#auth-demo", Button).focus()

    @work(thread=True, exclusive=True, exit_on_error=False, group="auth-wait")
    def _wait(self, session: AuthorizationSession) -> None:
        # Poll instead of one long session.wait(): a cancelled worker (dialog closed, console quitting)
        # must end within a moment, not when the sign-in times out.
        worker = get_current_worker()
        deadline = time.monotonic() + WAIT_SECONDS
        while not session.done:
            if worker.is_cancelled or not self.app.is_running or time.monotonic() > deadline:
                session.cancel()
                break
            time.sleep(POLL_SECONDS)
        try:
            result = session.wait(0)  # the redirect is in (or it was cancelled): returns or raises at once
            prefs = self.backend.finish_auth(self.login, result)
        except StudioSyncError as exc:
            self.post_message(self.Finished(None, one_line(exc)))
            return
        self.post_message(self.Finished(prefs.account_email))

    @on(Finished)
    def _finished(self, event: Finished) -> None:
        if event.error:
            if "cancelled" in event.error:
                return
            self.query_one("#auth-state", Static).update(Text(event.error, style="bold red"))
            return
        self.app.notify(f"Authenticated as {event.account}.")
        self.dismiss(True)

    @on(Field.Submitted, "#auth-paste")
    @on(Button.Pressed, "#auth-submit")
    def _pasted(self) -> None:
        note = self.query_one("#auth-paste-why", Note)
        if self.session is None:
            note.say("the sign-in has not started yet", error=True)
            return
        text = self.query_one("#auth-paste", Field).value
        try:
            self.session.submit_redirect_url(text)
        except InputError as exc:
            note.say(exc.message, error=True)
            return
        note.say("Address accepted; finishing the sign-in…", ok=True)

    @on(Button.Pressed, "#auth-demo")
    def _demo(self) -> None:
        if self.session is not None:
            self.query_one("#auth-state", Static).update(Text("Consenting in the emulator…", style="yellow"))
            self._demo_consent(self.session.url)

    @work(thread=True, exclusive=True, exit_on_error=False, group="auth-demo")
    def _demo_consent(self, url: str) -> None:
        self.backend.demo_consent(url)

    @on(Button.Pressed, "#auth-copy")
    def action_copy(self) -> None:
        if self.session is not None:
            # OSC 52: reaches the clipboard of the machine the terminal runs on, even over SSH.
            self.app.copy_to_clipboard(self.session.url)
            self.app.notify("Link copied (if your terminal allows clipboard access).")

    @on(Button.Pressed, "#auth-cancel")
    def action_cancel(self) -> None:
        if self.session is not None:
            self.session.cancel()
        self.dismiss(False)

    def action_close(self) -> None:
        self.action_cancel()
