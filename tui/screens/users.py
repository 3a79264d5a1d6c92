"""Users (Maintenance > General > Users): who can sync, their Google status and last sync."""

from __future__ import annotations

from studiosync.tui.clock import ago
from studiosync.tui.rows import (
    AUTHENTICATED,
    CANNOT_SYNC,
    ENABLED,
    FAILING,
    HELD,
    NO_ACCOUNT,
    NOT_SET_UP,
    UserRow,
)
from studiosync.tui.safe_text import Text
from studiosync.tui.screens.confirm import ConfirmScreen
from studiosync.tui.screens.user_edit import UserEditScreen
from studiosync.tui.screens.view import View
from studiosync.tui.widgets.field import Field
from studiosync.tui.widgets.table import Column, FitTable
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Static

STATUS_STYLE = {
    FAILING: "bold red",
    HELD: "bold yellow",
    ENABLED: "green",
    AUTHENTICATED: "yellow",
    NOT_SET_UP: "dim",
    NO_ACCOUNT: "red",
    CANNOT_SYNC: "dim italic",
}


def status_text(status: str) -> Text:
    return Text(status, style=STATUS_STYLE.get(status, ""))


COLUMNS = [
    Column("login", "Login", 1, min_width=8),
    Column("name", "Name", 2, min_width=10),
    Column("google", "Google", 3, min_width=10),
    Column("last", "Last sync", 4, min_width=9),
    Column("kind", "Kind", 6, min_width=8),
    # The first cause of a problem (the dashboard's and the doctor's words): long, so it takes what is left.
    Column("cause", "Cause", 5, min_width=12, flex=True),
]


class UsersView(View):
    SECTION = "users"
    TITLE = "Users"
    HELP = """\
## Users (Maintenance > General > Users)

Google sync is only available for people set up as **users**: anyone who can be the photographer,
the assistant, or have an appointment assigned. **Resources** such as locations or rooms can NOT sync
with Google, so their Google column says *cannot sync*.

Google status: *not set up* (Enable Google Sync unchecked, no account), *authenticated* (account linked,
Enable Google Sync unchecked), *enabled* (Enable Google Sync checked and the account authenticated: it
syncs; `studiosync status` says "syncing"), *enabled, no account* (checked but no account
authenticated: it cannot sync), *failing* (the last sync runs failed; the dashboard and the Google tab
show the reason and the fix), *deletions held* (a run would have deleted too many appointments or events
at once: nothing was deleted; the dashboard's `h` applies the deletions, `u` undoes them). **Cause** names
the first problem of the user's sync, the same cause the dashboard, `studiosync status` and the doctor show. Each user must sync to a different Gmail account.

Type in the filter box to narrow the list by login, name, kind or status.
"""
    BINDINGS = [
        Binding("a", "add", "Add", id="users.add"),
        Binding("e", "edit", "Edit", id="users.edit"),
        Binding("d", "remove", "Remove", id="users.remove"),
        Binding("g", "google", "Google tab", id="users.google"),
        Binding("o", "appointments", "Appts", id="users.appointments"),
        Binding("slash", "filter", "Filter", id="users.filter"),
        Binding("r", "reload", "Reload", id="users.reload", show=False),
    ]
    DEFAULT_CSS = """
    UsersView #users-filter { margin: 0 0 0 0; }
    UsersView #users-count { height: 1; color: $text-muted; }
    """

    class Loaded(Message):
        def __init__(self, rows: list[UserRow]) -> None:
            super().__init__()
            self.rows = rows

    class Removed(Message):
        def __init__(self, login: str) -> None:
            super().__init__()
            self.login = login

    rows: list[UserRow] = []

    def compose(self) -> ComposeResult:
        yield Field(placeholder="filter: type part of a login, name, kind or status", id="users-filter")
        yield FitTable(COLUMNS, id="users-table", zebra_stripes=True)
        yield Static("", id="users-count")

    def focus_first(self) -> None:
        self.call_after_refresh(self.query_one("#users-table", DataTable).focus)

    def reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="users-load")
    def _load(self) -> None:
        self.post_message(self.Loaded(self.backend.user_rows()))

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        self.rows = event.rows
        self._fill()
        self.loaded()

    @on(Field.Changed, "#users-filter")
    def _filter_changed(self) -> None:
        self._fill()

    @on(Field.Submitted, "#users-filter")
    def _filter_done(self) -> None:
        self.query_one("#users-table", DataTable).focus()

    def _fill(self) -> None:
        table = self.query_one("#users-table", FitTable)
        wanted = self.query_one("#users-filter", Field).value.strip().lower()
        now = self.backend.now()
        rows = []
        for row in self.rows:
            haystack = f"{row.login} {row.name} {row.kind} {row.status} {row.account_email or ''}".lower()
            if wanted and wanted not in haystack:
                continue
            last = "—" if row.kind != "staff" else ago(row.last_sync, now)
            cells = {
                "login": Text(row.login + (" *" if row.admin else "")),
                "name": Text(row.name),
                "google": status_text(row.status),
                "last": Text(last),
                "kind": Text(row.kind, style="dim" if row.kind != "staff" else ""),
                "cause": Text(row.cause or "", style="red" if row.status == FAILING else ""),
            }
            rows.append((row.login, cells))
        table.show_rows(rows)
        self.query_one("#users-count", Static).update(
            Text(f"{len(rows)} of {len(self.rows)} users and resources · * admin", style="dim")
        )

    def selected_login(self) -> str | None:
        return self.query_one("#users-table", FitTable).cursor_key()

    def _selected_row(self) -> UserRow | None:
        login = self.selected_login()
        return next((r for r in self.rows if r.login == login), None)

    # -- actions -------------------------------------------------------------------------------------
    def action_filter(self) -> None:
        self.query_one("#users-filter", Field).focus()

    def action_reload(self) -> None:
        self.reload()

    def action_add(self) -> None:
        self.app.push_screen(UserEditScreen(), self._after_edit)

    @on(DataTable.RowSelected, "#users-table")
    def action_edit(self) -> None:
        login = self.selected_login()
        if login is None:
            return
        user = self.backend.studio.users.find(login)
        if user is not None:
            self.app.push_screen(UserEditScreen(user), self._after_edit)

    def _after_edit(self, saved: bool | None) -> None:
        if saved:
            self.app.notify("User saved.")
            self.reload()

    def action_remove(self) -> None:
        row = self._selected_row()
        if row is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._remove(row.login)

        self.app.push_screen(
            ConfirmScreen(
                f"Remove {row.name} ({row.login})?",
                "Their appointments, Google tab and stored Google token are removed too. This cannot be undone.",
            ),
            answered,
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="users-remove")
    def _remove(self, login: str) -> None:
        self.backend.remove_user(login)
        self.post_message(self.Removed(login))

    @on(Removed)
    def _removed(self, event: Removed) -> None:
        self.app.notify(f"Removed {event.login}.")
        self.reload()

    def action_google(self) -> None:
        row = self._selected_row()
        if row is None:
            return
        if row.kind != "staff":
            self.app.notify(
                "Resources such as rooms or locations cannot sync with Google.", severity="warning"
            )
            return
        self.console.open_google_tab(row.login)

    def action_appointments(self) -> None:
        login = self.selected_login()
        if login:
            self.console.open_appointments(login)
