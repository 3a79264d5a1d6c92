"""Authenticate My Google Account, over SSH.

Shows the link to open (and a QR code when the terminal is big enough), and completes whichever way the
redirect comes back: the browser reaching our loopback listener (local browser, or `ssh -L`), or the
person pasting the address the browser ended on. A worker sits in `session.wait()`; the paste field
hands its address to the same session. A refused, stale or foreign address is explained in one line and
the dialog stays open for the next try (the same link works again) until it signs in or is cancelled.

"Show link" (ctrl+l) hands the terminal back for a moment and prints the bare address on one line, no
border, wrapped by the terminal itself: selecting it over SSH copies exactly the address. In the demo,
"Consent in the emulator" clicks Allow on the emulator's consent page for the preselected account.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from studiosync.core.errors import InputError, StudioSyncError
from studiosync.tui.backend import one_line
from studiosync.tui.failures import log_failure
from studiosync.tui.safe_text import Text
from studiosync.tui.screens.modal import Modal
from studiosync.tui.widgets.field import Field
from studiosync.tui.widgets.note import Note
from studiosync.tui.widgets.qr import QRCode
from textual import on, work
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Static

if TYPE_CHECKING:
    from studiosync.core.google.oauth import AuthResult
    from studiosync.core.google.signin import AuthorizationSession
    from studiosync.core.model.users import GooglePrefs

WAIT_SECONDS = 900.0  # time to find a browser, sign in and consent


class GoogleAuthScreen(Modal[bool]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="auth.cancel"),
        Binding("ctrl+l", "show_link", "Show link", id="auth.show-link"),
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
    /* Four buttons in the demo: sized to their labels so Cancel still fits at 80 columns. */
    GoogleAuthScreen .buttons Button { min-width: 10; }
    """

    class Started(Message):
        def __init__(self, session: AuthorizationSession) -> None:
            super().__init__()
            self.session = session

    class Rejected(Message):
        """One try did not sign in (refused, stale code, account already linked...): the dialog stays."""

        def __init__(self, why: str) -> None:
            super().__init__()
            self.why = why

    class Finished(Message):
        def __init__(self, account: str | None, error: str | None = None) -> None:
            super().__init__()
            self.account, self.error = account, error

    session: AuthorizationSession | None = None

    def __init__(self, login: str, name: str, account_hint: str | None = None) -> None:
        super().__init__()
        self.login, self.person_name, self.account_hint = login, name, account_hint
        self._paste_pending = False  # a pasted address is being tried: its outcome goes under the field too

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(f"Authenticate My Google Account — {self.person_name}"), classes="dialog-title")
            with VerticalScroll():
                yield Static(Text("Starting the sign-in…"), id="auth-state")
                yield Static(
                    Text(
                        "1. Open this address in a browser (any computer or phone), sign in as the Google account "
                        "this user syncs to, and allow access to Calendar and Contacts. To copy it over SSH, "
                        "press ctrl+l (Show link): it is shown alone on one line."
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
                yield Button("Show link", id="auth-show-link")
                yield Button("Copy link", id="auth-copy")
                yield Button("Cancel", variant="primary", id="auth-cancel")

    def on_mount(self) -> None:
        self.query_one("#auth-cancel", Button).focus()
        self._begin()

    def on_unmount(self) -> None:
        # Never leave a worker blocked in session.wait(): the console could not exit until it timed out.
        if self.session is not None:
            self.session.cancel()

    # -- starting and waiting (workers: they never touch widgets, they post messages) -------------------
    @work(thread=True, exclusive=True, exit_on_error=False, group="auth-begin")
    def _begin(self) -> None:
        try:
            session = self.backend.begin_auth(self.login, self.account_hint)
        except Exception as exc:  # noqa: BLE001 - one line on screen; the traceback only in a debug record
            self.post_message(self.Finished(None, _line(exc)))
            return
        if not self.is_attached:  # the dialog closed while the session started: let its listener go
            session.close()
            return
        self.post_message(self.Started(session))

    @on(Started)
    def _started(self, event: Started) -> None:
        self.session = session = event.session
        self._state("Waiting for Google…", "yellow")
        self.query_one("#auth-url", Static).update(Text(session.url))
        size = self.app.size
        self.query_one("#auth-qr", QRCode).show(
            session.url, max_width=size.width - 6, max_height=size.height - 14
        )
        if self.app.is_web:  # studiosync web: Google's page opens in a new browser tab
            from studiosync.tui import web_sign_in as sign_in

            self.app.open_url(session.url, new_tab=True)
            self.query_one("#auth-ssh", Static).update(Text(sign_in.step_two(session)))
            self.query_one("#auth-copy", Button).label = "Open Google's page"
        else:
            self.query_one("#auth-ssh", Static).update(
                Text(
                    f"2. The browser then goes to http://localhost:{session.port}/. If this console runs on "
                    f"another machine, either connect with `ssh -L {session.port}:localhost:{session.port}` "
                    "(it then completes by itself), or copy the address the browser ends on (it may say it "
                    "cannot connect) and paste it here:"
                )
            )
        self._wait(session)
        if self.backend.demo:
            self.query_one("#auth-demo", Button).focus()

    @work(thread=True, exclusive=True, exit_on_error=False, group="auth-wait")
    def _wait(self, session: AuthorizationSession) -> None:
        linked: list[GooglePrefs] = []

        def link(result: AuthResult) -> None:
            # Inside the session's try: an account another user syncs is refused like a bad code, and the
            # person can open the link again and choose another account.
            linked.append(self.backend.finish_auth(self.login, result))

        try:
            session.wait(
                WAIT_SECONDS, on_rejected=lambda why: self.post_message(self.Rejected(why)), accept=link
            )
        except Exception as exc:  # noqa: BLE001 - one line on screen; the traceback only in a debug record
            self.post_message(self.Finished(None, _line(exc)))
            return
        self.post_message(self.Finished(linked[-1].account_email if linked else None))

    @on(Rejected)
    def _rejected(self, event: Rejected) -> None:
        self._state(f"{event.why.rstrip('.')}. Still waiting: try again, or Cancel.", "bold red")
        if self._paste_pending:
            self._paste_pending = False
            self.query_one("#auth-paste-why", Note).say(event.why, error=True)

    @on(Finished)
    def _finished(self, event: Finished) -> None:
        if event.error:
            if "cancelled" in event.error:
                return
            self._state(event.error, "bold red")
            return
        self.app.notify(f"Authenticated as {event.account}.")
        self.dismiss(True)

    def _state(self, text: str, style: str) -> None:
        self.query_one("#auth-state", Static).update(Text(text, style=style))

    # -- the person's actions -----------------------------------------------------------------------------
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
        self._paste_pending = True
        note.say("Address accepted; finishing the sign-in…", ok=True)

    @on(Button.Pressed, "#auth-demo")
    def _demo(self) -> None:
        if self.session is not None:
            self._state("Clicking Allow on the emulator's consent page…", "yellow")
            self._demo_consent(self.session.url)

    @work(thread=True, exclusive=True, exit_on_error=False, group="auth-demo")
    def _demo_consent(self, url: str) -> None:
        try:
            self.backend.demo_consent(url)
        except Exception as exc:  # noqa: BLE001 - one line on screen; the traceback only in a debug record
            self.post_message(self.Rejected(_line(exc)))

    @on(Button.Pressed, "#auth-show-link")
    def action_show_link(self) -> None:
        if self.session is None:
            return
        url = self.session.url
        try:
            with self.app.suspend():
                _print_bare_link(url, self.person_name)
        except SuspendNotSupported:  # a browser terminal (textual-serve), tests: a borderless screen instead
            self.app.push_screen(LinkScreen(url))

    @on(Button.Pressed, "#auth-copy")
    def action_copy(self) -> None:
        if self.session is not None and self.app.is_web:
            self.app.open_url(self.session.url, new_tab=True)  # a blocked pop-up gets a second chance
        elif self.session is not None:
            # OSC 52: reaches the clipboard of the machine the terminal runs on, even over SSH -- when the
            # terminal (and tmux: set-clipboard on) lets it. Show link is the way that always works.
            self.app.copy_to_clipboard(self.session.url)
            self.app.notify("Link copied (if your terminal allows clipboard access; else use Show link).")

    @on(Button.Pressed, "#auth-cancel")
    def action_cancel(self) -> None:
        if self.session is not None:
            self.session.cancel()
        self.dismiss(False)

    def action_close(self) -> None:
        self.action_cancel()


class LinkScreen(ModalScreen[None]):
    """The bare address where the console cannot hand the terminal back: no border, nothing else on its
    lines, so a terminal selection picks up only the address."""

    BINDINGS = [
        Binding("escape", "close", "Back", id="link.close"),
        Binding("enter", "close", "Back", show=False, id="link.enter"),
    ]
    DEFAULT_CSS = """
    LinkScreen { background: $background; padding: 0; }
    LinkScreen #link-help { color: $text-muted; height: auto; margin-bottom: 1; }
    LinkScreen #link-url { width: 100%; height: auto; padding: 0; border: none; }
    """

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url

    def compose(self) -> ComposeResult:
        yield Static(
            Text("The sign-in link (select it with the mouse; Esc or Enter to go back):"), id="link-help"
        )
        yield Static(Text(self.url), id="link-url")

    def action_close(self) -> None:
        self.dismiss(None)


def _print_bare_link(url: str, name: str) -> None:
    """With the console suspended: the address alone on one line, soft-wrapped by the terminal."""
    print("\033[H\033[2J", end="")  # a clean screen: nothing but the address to select
    print(f"Sign-in link for {name}. Select it (it is a single line) and open it in any browser:\n")
    print(url)
    print()
    with contextlib.suppress(EOFError, KeyboardInterrupt):
        input("Press Enter to return to studiosync. ")


def _line(exc: BaseException) -> str:
    if not isinstance(exc, StudioSyncError):
        return f"Google sign-in failed unexpectedly: {log_failure(exc, 'Google sign-in')}; try again"
    return one_line(exc)
