"""'Log in to the software as the appropriate user' (the setup guide's first step).

In the terminal a password is required once any admin has one; before that (first-run setup) anyone may
log in without, so the first admin can set the studio up. In a browser (`studiosync web`, `web=True`)
every login needs a password, the login is typed (the page never lists who exists) and attempts are
throttled by core.studio.login_guard. The password check (scrypt, ~50 ms) runs in a worker.
"""

from __future__ import annotations

from studiosync.core.model.users import User
from studiosync.tui.safe_text import Text, plain_choices
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
        self,
        users: list[User],
        *,
        first_run: bool,
        hint: str = "",
        preselect: str | None = None,
        web: bool = False,
        title: str = "studiosync",
    ) -> None:
        super().__init__()
        self._users = [] if web else users
        self._preselect = preselect
        self._first_run = first_run and not web
        self._hint = hint
        self._web = web
        self._title = title

    def compose(self) -> ComposeResult:
        with Center(), Vertical(id="login-box"):
            yield Static(Text(self._title), id="login-title")
            yield Static("Log in to the software as the appropriate user.", classes="lead")
            yield Label("User")
            if self._web:
                yield Field(placeholder="your login", id="login-name")
            else:
                yield Select(
                    plain_choices(
                        (f"{u.name} ({u.login}){'  admin' if u.admin else ''}", u.login) for u in self._users
                    ),
                    prompt="choose a user",
                    id="login-user",
                    value=self._default_login(),
                )
            yield Label("Password")
            yield Field(password=True, placeholder="password", id="login-password")
            if self._web:
                note = (
                    "Everyone logs in with their own password here. No password yet, or forgotten? "
                    "Ask IT to set your password."
                )
            elif self._first_run:
                note = (
                    "First-run setup: no admin has a password yet, so you can log in without one. "
                    "Set an admin password in Users to protect the console."
                )
            else:
                note = "Admins see everything; everyone else sees their own Google tab, appointments and logs."
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
        if self._web:
            self.query_one("#login-name", Field).focus()
            return
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

    @on(Field.Submitted, "#login-name")
    def _name_entered(self) -> None:
        self.query_one("#login-password", Field).focus()

    @on(Field.Submitted, "#login-password")
    @on(Button.Pressed, "#login-go")
    def _submit(self) -> None:
        if self._web:
            name = self.query_one("#login-name", Field).value.strip()
            if not name:
                self._show_error("type your login")
                self.query_one("#login-name", Field).focus()
                return
            self._check(name, self.query_one("#login-password", Field).value)
            return
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
