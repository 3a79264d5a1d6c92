"""'Log in to the software as the appropriate user' (the setup guide's first step).

A password is required once any admin has one; before that (first-run setup) anyone may log in without,
so the first admin can set the studio up. The password check (scrypt, ~50 ms) runs in a worker.
"""

from __future__ import annotations

from studiosync.core.model import User
from studiosync.tui.safe_text import Text
from studiosync.tui.widgets.field import Field
from studiosync.tui.widgets.note import Note
from studiosync.tui.workers import WorkerErrors
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Label, Select, Static


class LoginScreen(WorkerErrors, Screen[None]):
    CSS_PATH = "login.tcss"
    BINDINGS = [Binding("ctrl+q", "app.quit", "Quit", id="login.quit")]

    class LoggedIn(Message):
        def __init__(self, user: User) -> None:
            super().__init__()
            self.user = user

    class Refused(Message):
        def __init__(self, reason: str) -> None:
            super().__init__()
            self.reason = reason

    def __init__(
        self, users: list[User], *, first_run: bool, hint: str = "", preselect: str | None = None
    ) -> None:
        super().__init__()
        self._users = users
        self._preselect = preselect
        self._first_run = first_run
        self._hint = hint

    def compose(self) -> ComposeResult:
        with Center(), Vertical(id="login-box"):
            yield Static("studiosync", id="login-title")
            yield Static("Log in to the software as the appropriate user.", classes="lead")
            yield Label("User")
            yield Select(
                [(f"{u.name} ({u.login}){'  admin' if u.admin else ''}", u.login) for u in self._users],
                prompt="choose a user",
                id="login-user",
                value=self._default_login(),
            )
            yield Label("Password")
            yield Field(password=True, placeholder="password", id="login-password")
            note = (
                "First-run setup: no admin has a password yet, so you can log in without one. "
                "Set an admin password in Users to protect the console."
                if self._first_run
                else "Admins see everything; everyone else sees their own Google tab, appointments and logs."
            )
            yield Note(note, id="login-note")
            if self._hint:
                yield Note(self._hint, id="login-hint")
            yield Button("Log in", variant="primary", id="login-go")
            yield Static(Text(""), id="login-error")
        yield Footer()

    def _default_login(self) -> str | object:
        # The user named on the command line; else the first admin, who usually sets the studio up.
        if self._preselect and any(u.login == self._preselect for u in self._users):
            return self._preselect
        admins = [u.login for u in self._users if u.admin]
        if admins:
            return admins[0]
        return self._users[0].login if len(self._users) == 1 else Select.NULL

    def on_mount(self) -> None:
        if not self._users:
            self._show_error(
                "No users yet: create one with `studiosync users add LOGIN --name NAME --admin`."
            )
        select = self.query_one("#login-user", Select)
        if select.value is Select.NULL:
            select.focus()
        else:
            self.query_one("#login-password", Field).focus()

    @on(Select.Changed, "#login-user")
    def _user_chosen(self, event: Select.Changed) -> None:
        if event.value is not Select.NULL:
            self.query_one("#login-password", Field).focus()

    @on(Field.Submitted, "#login-password")
    @on(Button.Pressed, "#login-go")
    def _submit(self) -> None:
        login = self.query_one("#login-user", Select).value
        if login is Select.NULL:
            self._show_error("choose a user to log in as")
            return
        self._check(str(login), self.query_one("#login-password", Field).value)

    @work(thread=True, exclusive=True, exit_on_error=False, group="login")
    def _check(self, login: str, password: str) -> None:
        from studiosync.core.errors import InputError

        try:
            user = self.app.backend.log_in(login, password)  # type: ignore[attr-defined]
        except InputError as exc:
            self.post_message(self.Refused(exc.message))
            return
        self.post_message(self.LoggedIn(user))

    @on(Refused)
    def _refused(self, event: Refused) -> None:
        self._show_error(event.reason)
        self.query_one("#login-password", Field).value = ""

    def _show_error(self, text: str) -> None:
        self.query_one("#login-error", Static).update(Text(text, style="bold red"))
