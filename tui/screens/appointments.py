"""Appointments of one user: where each came from (studio or Google) and whether it is in Google yet."""

from __future__ import annotations

from studiosync.core.model.appointments import Appointment
from studiosync.core.model.users import User
from studiosync.core.studio import event_kinds
from studiosync.tui.clock import duration, local
from studiosync.tui.safe_text import Text, plain_choices
from studiosync.tui.screens.appointment_edit import AppointmentEditScreen
from studiosync.tui.screens.appointment_kind import status_cell, title_cell
from studiosync.tui.screens.confirm import ConfirmScreen
from studiosync.tui.screens.trace import TraceScreen
from studiosync.tui.screens.view import View
from studiosync.tui.widgets.table import Column, FitTable
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import DataTable, Select, Static

SYNC_STYLE = {
    "synced": "green",
    "pending": "yellow",
    "error": "bold red",
    "deleting": "magenta",
    "not linked": "dim",
    "off": "dim",
}


def sync_state(appt: Appointment, sync_on: bool) -> str:
    # With Google sync off (or for a resource) nothing is on its way to Google: "pending" would be a lie.
    if not sync_on:
        return "off"
    if appt.sync_error:
        return "error"
    if appt.deleted:
        return "deleting"
    if appt.dirty:
        return "pending"
    if appt.google_event_id:
        return "synced"
    return "not linked"


def saved_notice(sync_on: bool, can_sync: bool, live: bool = False) -> str:
    """The toast after a save: where the appointment goes (or that it stays in the studio)."""
    if sync_on and live:
        return "Appointment saved; it goes to Google in a few seconds (live sync)."
    if sync_on:
        return "Appointment saved; it goes to Google with the next sync run."
    if not can_sync:
        return "Appointment saved; it stays in the studio (a resource does not sync with Google)."
    return "Appointment saved; it stays in the studio because this user's Google sync is off."


# When, then the title taking the room left, then where it stands with Google (never dropped); origin,
# status and length go first when the terminal is narrow.
COLUMNS = [
    Column("when", "When", 1, min_width=16),
    Column("title", "Title", 2, min_width=22, flex=True, want=40),
    Column("sync", "Sync", 3, min_width=10),
    Column("origin", "Origin", 4, min_width=6),
    Column("status", "Status", 5, min_width=9),
    Column("length", "Length", 6, min_width=6),
]


class AppointmentsView(View):
    SECTION = "appointments"
    TITLE = "Appointments"
    ADMIN_ONLY = False
    HELP = """\
## Appointments

One user's appointments in studio time. **Origin** says where an appointment was made (the studio, or
Google when two-way sync brought it in). **Sync**: *synced* (in Google and up to date), *pending* (changed
here, goes out with the next sync run, or within seconds while live sync is on), *error* (the last attempt
failed), *deleting* (deleted here, the deletion still has to reach Google), *not linked* (never sent: not populated), *off* (this user's Google
sync is off, or the user is a resource such as a room: the appointments stay in the studio).

`t` opens the trace of the highlighted appointment: its Google event id, last error and history — the
answer to "why isn't this in Google?".
"""
    BINDINGS = [
        Binding("a", "add", "Add", id="appointments.add"),
        Binding("e", "edit", "Edit", id="appointments.edit"),
        Binding("d", "delete", "Delete", id="appointments.delete"),
        Binding("t", "trace", "Trace", id="appointments.trace"),
        Binding("r", "reload", "Reload", id="appointments.reload", show=False),
    ]
    DEFAULT_CSS = """
    AppointmentsView #a-who { height: auto; }
    AppointmentsView #a-who > Static { width: auto; padding: 1 1 0 0; }
    AppointmentsView #a-who Select { width: 1fr; }
    AppointmentsView #a-count { height: auto; color: $text-muted; }
    """

    class Owners(Message):
        def __init__(self, users: list[User]) -> None:
            super().__init__()
            self.users = users

    class Loaded(Message):
        def __init__(self, user: User, appointments: list[Appointment], sync_on: bool) -> None:
            super().__init__()
            self.user, self.appointments, self.sync_on = user, appointments, sync_on

    class Deleted(Message):
        pass

    class Synced(Message):
        """Appointments shown as pending reached Google (live sync): the list is read again."""

        def __init__(self, login: str) -> None:
            super().__init__()
            self.login = login

    login: str | None = None
    appointments: list[Appointment] = []
    _rows: list[tuple[str, dict[str, Text]]] = []
    can_sync = True
    sync_on = True  # the shown user's appointments go to Google (staff, Enable Google Sync checked)
    live = False  # ... at once, on save (the google-sync job's live sync)
    _filling = False
    PENDING_CHECK_S = 2.0

    def compose(self) -> ComposeResult:
        with Horizontal(id="a-who"):
            yield Static("Appointments of")
            yield Select([], prompt="choose a user", id="a-user")
        yield FitTable(COLUMNS, id="a-table", zebra_stripes=True)
        yield Static("", id="a-count")

    def on_mount(self) -> None:
        if not self.backend.is_admin:
            self.query_one("#a-who").display = False
        # The pending marker goes when the change is on Google: one small file read while any is shown.
        self.set_interval(self.PENDING_CHECK_S, self._check_pending)

    def _check_pending(self) -> None:
        waiting = {a.id for a in self.appointments if a.dirty or a.deleted} if self.sync_on else set()
        if waiting and self.login:
            self._pending_gone(self.login, waiting)

    @work(thread=True, exclusive=True, exit_on_error=False, group="appointments-pending")
    def _pending_gone(self, login: str, waiting: set[str]) -> None:
        if waiting - set(self.backend.pending_ids(login)):
            self.post_message(self.Synced(login))

    @on(Synced)
    def _synced(self, event: Synced) -> None:
        if event.login == self.login:
            self._load(event.login)

    def focus_first(self) -> None:
        self.call_after_refresh(self.query_one("#a-table", DataTable).focus)

    def reload(self) -> None:
        self._load_owners()
        if self.login is None:
            self.login = self.backend.me
        self._load(self.login)

    def show_user(self, login: str) -> None:
        self.login = login
        if not self.is_mounted:
            return  # activate() loads it once mounted
        self._select_owner()
        self._load(login)

    @work(thread=True, exclusive=True, exit_on_error=False, group="appointments-owners")
    def _load_owners(self) -> None:
        self.post_message(self.Owners(self.backend.appointment_owners()))

    @on(Owners)
    def _owners(self, event: Owners) -> None:
        self._filling = True
        self.query_one("#a-user", Select).set_options(
            plain_choices(
                (f"{u.name} ({u.login}){' · resource' if u.kind != 'staff' else ''}", u.login)
                for u in event.users
            )
        )
        self._select_owner()

    def _select_owner(self) -> None:
        select = self.query_one("#a-user", Select)
        if self.login and any(v == self.login for _label, v in select._options):  # noqa: SLF001
            self._filling = True
            select.value = self.login
        self.call_after_refresh(self._end_fill)

    def _end_fill(self) -> None:
        self._filling = False

    @on(Select.Changed, "#a-user")
    def _owner_changed(self, event: Select.Changed) -> None:
        if not self._filling and event.value is not Select.NULL and event.value != self.login:
            self.show_user(str(event.value))

    @work(thread=True, exclusive=True, exit_on_error=False, group="appointments-load")
    def _load(self, login: str) -> None:
        user = self.backend.user(login)
        appointments = self.backend.appointments(login)
        self.live = self.backend.live_sync_on()
        self.post_message(self.Loaded(user, appointments, self.backend.google_sync_on(login)))

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        if event.user.login != self.login:
            return
        self.appointments = event.appointments
        self.can_sync = event.user.can_sync
        self.sync_on = event.sync_on
        tz = self.backend.tz()
        self._rows = []
        for appt in event.appointments:
            state = sync_state(appt, event.sync_on)
            title = title_cell(appt)
            if appt.deleted:
                title.stylize("strike dim")
            cells = {
                "when": Text(local(appt.start, tz)),
                "title": title,
                "sync": Text(state, style=SYNC_STYLE.get(state, "dim")),
                "origin": Text(appt.origin, style="cyan" if appt.origin == "google" else ""),
                "status": status_cell(appt),
                "length": Text(duration(appt.start, appt.end)),
            }
            self._rows.append((appt.id, cells))
        self.query_one("#a-table", FitTable).show_rows(self._rows)
        note = ""
        if not event.user.can_sync:
            note = " · a resource: cannot sync with Google"
        elif not event.sync_on:
            note = " · Google sync is off (Google tab: Enable Google Sync)"
        self.query_one("#a-count", Static).update(
            Text(f"{len(event.appointments)} appointments of {event.user.name}{note}", style="dim")
        )
        self.loaded()

    def selected_id(self) -> str | None:
        return self.query_one("#a-table", FitTable).cursor_key()

    def _selected(self) -> Appointment | None:
        wanted = self.selected_id()
        return next((a for a in self.appointments if a.id == wanted), None)

    # -- actions -------------------------------------------------------------------------------------
    def action_reload(self) -> None:
        if self.login:
            self._load(self.login)

    def action_add(self) -> None:
        if self.login:
            self.app.push_screen(AppointmentEditScreen(self.login, None), self._after_edit)

    @on(DataTable.RowSelected, "#a-table")
    def action_edit(self) -> None:
        appt = self._selected()
        if appt is None or self.login is None:
            return
        if appt.deleted:
            waiting = "; its deletion is waiting to reach Google" if self.sync_on else ""
            self.app.notify(f"This appointment is deleted{waiting}.")
            return
        self.app.push_screen(AppointmentEditScreen(self.login, appt), self._after_edit)

    def _after_edit(self, saved: bool | None) -> None:
        if saved:
            self.app.notify(saved_notice(self.sync_on, self.can_sync, self.live))
            self.action_reload()

    def action_delete(self) -> None:
        appt = self._selected()
        if appt is None or appt.deleted:
            return
        refused = event_kinds.delete_refusal(appt)
        if refused is not None:
            self.app.notify(refused, severity="warning", markup=False)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._delete(appt.id)

        google = (
            "; if it is in Google, the next sync run deletes it there too"
            if self.sync_on
            else " (Google sync is off: Google is not touched)"
        )
        self.app.push_screen(
            ConfirmScreen(
                f"Delete “{appt.title}”?", f"It is removed from the appointment book{google}.", yes="Delete"
            ),
            answered,
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="appointments-delete")
    def _delete(self, appointment_id: str) -> None:
        self.backend.delete_appointment(appointment_id)
        self.post_message(self.Deleted())

    @on(Deleted)
    def _deleted(self) -> None:
        self.app.notify("Appointment deleted.")
        self.action_reload()

    def action_trace(self) -> None:
        appt = self._selected()
        if appt is not None:
            self.app.push_screen(TraceScreen(appt.id))
