"""The Google tab of one user (Maintenance > Preferences > User Preferences > Google).

It mirrors the setup guide field by field, in its order and words, with the guide's explanation beside
each field, so IT can follow "Troubleshooting Google Sync Setup" on screen. Validation runs as you type
and Save stays disabled until the tab is valid.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from studiosync.core.errors import StudioSyncError
from studiosync.core.model import ClientGroup
from studiosync.core.studio.google_accounts import CalendarInfo
from studiosync.tui.backend import EMAIL_RE, GoogleTab, one_line
from studiosync.tui.clock import ago
from studiosync.tui.safe_text import Text, plain_choices
from studiosync.tui.screens.confirm import ConfirmScreen
from studiosync.tui.screens.google_auth import GoogleAuthScreen
from studiosync.tui.screens.name_prompt import NamePrompt
from studiosync.tui.screens.view import PaletteCommand, View
from studiosync.tui.widgets.field import Field
from studiosync.tui.widgets.note import Note
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Checkbox, Select, Static

AUTHENTICATE = "Authenticate My Google Account"
REMOVE = "Remove My Google Account"

# The guide's explanations, next to the field they explain.
NOTES = {
    "enabled": "The Enable Google Sync box must be checked for this user to sync.",
    "account": (
        "Authenticated when the button says Remove My Google Account. If you change the Gmail password, "
        "remove and re-authenticate the account. Each user must sync to a different Gmail account."
    ),
    "calendar": "An existing Google calendar you can write to. Each user syncs to a single Google calendar.",
    "populate": (
        "Check these to get older appointments to sync over. They uncheck themselves once all previous "
        "appointments are synced."
    ),
    "two_way": "Check this if you want a two-way sync; unchecked, studio appointments only go to Google.",
    "tentative": (
        "Check this if you have an Android or HTC phone, or if this Google account is not the primary account "
        "on the phone: events made there can arrive as tentative (not confirmed) and are skipped without it."
    ),
    "contacts": "Optional: Google contacts become studio clients in the Client Group below.",
    "group": (
        "If syncing contacts, choose an existing Client Group. To create one just for Google sync use "
        "New group (or Maintenance > Client > Client Groups)."
    ),
    "warn": "Required: the address that receives warning and error emails. Email must be set up in Company prefs.",
    "detailed": (
        "Optional, but very helpful when the sync is first started. After a few days of syncing, feel free "
        "to uncheck this option."
    ),
}


class GoogleView(View):
    SECTION = "google"
    TITLE = "Google tab"
    ADMIN_ONLY = False
    HELP = """\
## Google tab (Maintenance > Preferences > User Preferences > Google)

Follows *Troubleshooting Google Sync Setup*, top to bottom:

* **Enable Google Sync** must be checked.
* The account must be authenticated: the button then says **Remove My Google Account**. Otherwise click
  **Authenticate My Google Account**: open the link shown (or scan the QR code), sign in and allow access.
  Over SSH, forward the port shown (`ssh -L PORT:localhost:PORT`) or paste back the address the browser
  ends on (`http://localhost:PORT/?code=...`). If the Gmail password changes, remove and re-authenticate.
* An existing Google **calendar** is selected (only calendars you can write to are offered).
* The **Populate** boxes bring older appointments over once, then uncheck themselves.
* **Send New, Modified, and Deleted Google Appointments** = two-way sync.
* **Download Tentative, Non-Confirmed Appointments** for Android/HTC phones or when this Google account is not
  the phone's primary account.
* **Contacts** (optional) need an existing **Client Group**; ctrl+n creates one.
* **Email Warnings and Errors to Me** with an address (required); **Email Detailed Sync Logs to Me** (optional).

Save (ctrl+s) stays disabled until every field is valid; the red note beside a field says why.
"""
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="google.save"),
        Binding("ctrl+a", "auth", "Auth/Remove", id="google.auth"),
        Binding("ctrl+r", "calendars", "Calendars", id="google.calendars"),
        Binding("ctrl+n", "new_group", "New group", id="google.new_group"),
        Binding("ctrl+z", "revert", "Revert", id="google.revert", show=False),
    ]
    DEFAULT_CSS = """
    GoogleView #g-who { height: auto; }
    GoogleView #g-who Select { width: 1fr; }
    GoogleView #g-form { height: 1fr; }
    GoogleView .row { height: auto; }
    GoogleView .row > Static { width: auto; padding: 1 1 0 1; }
    GoogleView .row Select { width: 1fr; }
    /* One line: a long calendar name ("ann@studio-demo.test (current)") must not wrap onto the border. */
    GoogleView Select SelectCurrent Static#label { text-wrap: nowrap; text-overflow: ellipsis; }
    GoogleView .row Button { min-width: 10; width: auto; }
    GoogleView Checkbox { border: none; padding: 0; height: 1; margin-top: 1; }
    /* Textual's focus style is a two-row `tall` border: on a one-row box it hides the label. */
    GoogleView Checkbox:focus { border: none; background: $boost; }
    GoogleView #g-account { padding: 1 0 0 0; width: 1fr; height: auto; }
    GoogleView #g-auth { margin-left: 4; }
    GoogleView #g-status { height: auto; padding: 1 0 0 0; }
    GoogleView #g-buttons { height: auto; padding-top: 1; }
    GoogleView #g-buttons Button { margin-right: 1; }
    GoogleView #g-resource { color: $warning; height: auto; }
    GoogleView #g-resource.-empty { display: none; }
    """

    class Loaded(Message):
        def __init__(self, tab: GoogleTab) -> None:
            super().__init__()
            self.tab = tab

    class Account(Message):
        """Authentication finished: the account part of the tab changed, the rest is the person's typing."""

        def __init__(self, tab: GoogleTab) -> None:
            super().__init__()
            self.tab = tab

    class GroupAdded(Message):
        def __init__(self, login: str, groups: list[ClientGroup], pick: str) -> None:
            super().__init__()
            self.login, self.groups, self.pick = login, groups, pick

    class Calendars(Message):
        def __init__(
            self, login: str, calendars: list[CalendarInfo] | None, error: str | None = None
        ) -> None:
            super().__init__()
            self.login, self.calendars, self.error = login, calendars, error

    class Saved(Message):
        def __init__(self, login: str) -> None:
            super().__init__()
            self.login = login

    class Removed(Message):
        def __init__(self, login: str, warning: str | None) -> None:
            super().__init__()
            self.login, self.warning = login, warning

    class Staff(Message):
        def __init__(self, choices: list[tuple[str, str]]) -> None:
            super().__init__()
            self.choices = choices

    login: str | None = None
    tab: GoogleTab | None = None
    calendars: list[CalendarInfo] | None = None
    _filling = False

    def compose(self) -> ComposeResult:
        with Horizontal(id="g-who", classes="row"):
            yield Static("Google tab of", id="g-who-label")
            yield Select([], prompt="choose a user", id="g-user")
        with VerticalScroll(id="g-form"):
            yield Static("", id="g-resource", classes="-empty")
            yield Checkbox("Enable Google Sync", id="g-enabled")
            yield Note(NOTES["enabled"], id="g-enabled-why")
            yield Static("", id="g-account")
            yield Button(AUTHENTICATE, id="g-auth", variant="primary")
            yield Note(NOTES["account"], id="g-account-why")
            with Horizontal(classes="row"):
                yield Static("Calendar")
                yield Select([], prompt="authenticate first", id="g-calendar")
                yield Button("Reload", id="g-calendars")
            yield Note(NOTES["calendar"], id="g-calendar-why")
            yield Checkbox("Populate Google with existing studio appointments", id="g-populate-google")
            yield Checkbox("Populate studiosync with existing Google appointments", id="g-populate-studio")
            yield Note(NOTES["populate"], id="g-populate-why")
            yield Checkbox(
                "Send New, Modified, and Deleted Google Appointments to studiosync", id="g-two-way"
            )
            yield Note(NOTES["two_way"], id="g-two-way-why")
            yield Checkbox("Download Tentative, Non-Confirmed Appointments", id="g-tentative")
            yield Note(NOTES["tentative"], id="g-tentative-why")
            yield Checkbox("Send New and Modified Google Contacts into studiosync", id="g-contacts")
            yield Note(NOTES["contacts"], id="g-contacts-why")
            with Horizontal(classes="row"):
                yield Static("Client Group")
                yield Select([], prompt="none", id="g-group")
                yield Button("New group", id="g-new-group")
            yield Note(NOTES["group"], id="g-group-why")
            yield Checkbox("Email Warnings and Errors to Me", id="g-warn")
            with Horizontal(classes="row"):
                yield Static("Address")
                yield Field(placeholder="name@example.com", id="g-warn-email")
            yield Note(NOTES["warn"], id="g-warn-why")
            yield Checkbox("Email Detailed Sync Logs to Me", id="g-detailed")
            yield Note(NOTES["detailed"], id="g-detailed-why")
            yield Static("", id="g-status")
            with Horizontal(id="g-buttons"):
                yield Button("Save", variant="success", id="g-save", disabled=True)
                yield Button("Revert", id="g-revert")

    # -- loading -------------------------------------------------------------------------------------
    def on_mount(self) -> None:
        if not self.backend.is_admin:
            self.query_one("#g-who", Horizontal).display = False

    def reload(self) -> None:
        if self.backend.is_admin:
            self._load_staff()
        if self.login is None:
            self.login = (
                self.backend.me if self.backend.viewer and self.backend.viewer.kind == "staff" else None
            )
        if self.login:
            self._load(self.login)

    def show_user(self, login: str) -> None:
        self.login = login
        self.calendars = None
        if not self.is_mounted:
            return  # activate() loads it once mounted
        self._set_user_select(login)
        self._load(login)

    @work(thread=True, exclusive=True, exit_on_error=False, group="google-staff")
    def _load_staff(self) -> None:
        users = [u for u in self.backend.studio.users.list() if u.can_sync]
        self.post_message(self.Staff([(f"{u.name} ({u.login})", u.login) for u in users]))

    @on(Staff)
    def _staff(self, event: Staff) -> None:
        select = self.query_one("#g-user", Select)
        self._filling = True
        select.set_options(plain_choices(event.choices))
        if self.login is None and event.choices:
            self.login = event.choices[0][1]
            self._load(self.login)
        self._set_user_select(self.login)
        self.call_after_refresh(self._done_filling)

    def _set_user_select(self, login: str | None) -> None:
        select = self.query_one("#g-user", Select)
        if login and any(value == login for _label, value in select._options):  # noqa: SLF001
            self._filling = True
            select.value = login
            self.call_after_refresh(self._done_filling)

    def _done_filling(self) -> None:
        self._filling = False

    @on(Select.Changed, "#g-user")
    def _user_changed(self, event: Select.Changed) -> None:
        if self._filling or event.value is Select.NULL or event.value == self.login:
            return
        self.show_user(str(event.value))

    @work(thread=True, exclusive=True, exit_on_error=False, group="google-load")
    def _load(self, login: str) -> None:
        tab = self.backend.google_tab(login)
        self.post_message(self.Loaded(tab))
        if tab.authenticated:
            self._fetch_calendars(login)

    def _fetch_calendars(self, login: str) -> None:
        """Runs inside a worker: calendars come live from Google; a failure is shown beside the picker."""
        try:
            calendars = self.backend.writable_calendars(login)
        except StudioSyncError as exc:
            self.post_message(self.Calendars(login, None, one_line(exc)))
            return
        self.post_message(self.Calendars(login, calendars))

    @work(thread=True, exclusive=True, exit_on_error=False, group="google-calendars")
    def _reload_calendars(self, login: str) -> None:
        self._fetch_calendars(login)

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        if event.tab.user.login != self.login:
            return
        self.tab = event.tab
        self._fill(event.tab)

    def _fill(self, tab: GoogleTab) -> None:
        p = tab.prefs
        self._filling = True
        resource = self.query_one("#g-resource", Static)
        resource.update(Text("Resources such as locations or rooms can NOT sync with Google."))
        resource.set_class(tab.user.can_sync, "-empty")
        for box, value in (
            ("#g-enabled", p.enabled),
            ("#g-populate-google", p.populate_google),
            ("#g-populate-studio", p.populate_studio),
            ("#g-two-way", p.two_way),
            ("#g-tentative", p.tentative),
            ("#g-contacts", p.contacts),
            ("#g-warn", bool(p.warn_email)),
            ("#g-detailed", p.detailed_logs),
        ):
            self.query_one(box, Checkbox).value = value
        self.query_one("#g-warn-email", Field).value = p.warn_email or ""
        group = self.query_one("#g-group", Select)
        group.set_options(plain_choices((g.name, g.id) for g in tab.groups))
        if p.client_group and any(g.id == p.client_group for g in tab.groups):
            group.value = p.client_group
        self._paint_account(tab)
        self._fill_calendars()
        self._paint_status(tab)
        self.call_after_refresh(self._end_fill)

    def _end_fill(self) -> None:
        self._filling = False
        self._validate()

    def _paint_account(self, tab: GoogleTab) -> None:
        button = self.query_one("#g-auth", Button)
        if tab.authenticated:
            text = Text.assemble("Authenticated as ", (tab.prefs.account_email or "?", "bold green"))
            button.label = REMOVE
            button.variant = "error"
        else:
            text = Text("Not authenticated", style="yellow")
            button.label = AUTHENTICATE
            button.variant = "primary"
        button.disabled = not tab.user.can_sync or (not tab.api_ready and not tab.authenticated)
        self.query_one("#g-account", Static).update(text)
        note = self.query_one("#g-account-why", Note)
        if not tab.api_ready:
            note.say(
                "The Google API settings are not set up yet: Company prefs > Google API (client secrets file).",
                error=True,
            )
        else:
            note.say(NOTES["account"])

    def _paint_status(self, tab: GoogleTab) -> None:
        p = tab.prefs
        now = self.backend.now()
        parts: list[Any] = [("Last successful sync: ", "bold"), ago(p.last_sync, now)]
        if p.last_error:
            parts += ["\n", ("Last error: ", "bold red"), p.last_error]
            if p.last_error_fix:
                parts += ["\n", ("Fix: ", "bold"), p.last_error_fix]
        self.query_one("#g-status", Static).update(Text.assemble(*parts))

    @on(Calendars)
    def _calendars(self, event: Calendars) -> None:
        if event.login != self.login:
            return
        self.calendars = event.calendars
        note = self.query_one("#g-calendar-why", Note)
        if event.error:
            note.say(f"Could not read the calendars from Google: {event.error}", error=True)
        else:
            note.say(NOTES["calendar"])
        select = self.query_one("#g-calendar", Select)
        # A fresh list from Google must not undo a calendar the person picked and has not saved yet.
        picked = select.value if select.value is not Select.NULL else None
        self._filling = True
        self._fill_calendars(prefer=picked)
        self.call_after_refresh(self._end_fill)

    def _fill_calendars(self, prefer: Any = None) -> None:
        """Offer the writable calendars; select `prefer` if still offered, else the stored one."""
        select = self.query_one("#g-calendar", Select)
        tab = self.tab
        if tab is None or not tab.authenticated:
            select.set_options([])
            select.prompt = "authenticate first"
            return
        current = tab.prefs.calendar_id
        options = [(f"{c.summary}{' (primary)' if c.primary else ''}", c.id) for c in self.calendars or []]
        if current and not any(value == current for _label, value in options):
            options.append((f"{tab.prefs.calendar_summary or current} (current)", current))
        select.prompt = "choose a calendar" if self.calendars is not None else "loading calendars…"
        select.set_options(plain_choices(options))
        wanted = prefer if prefer is not None and any(value == prefer for _l, value in options) else current
        if wanted:
            select.value = wanted

    # -- validation ----------------------------------------------------------------------------------
    @on(Checkbox.Changed)
    @on(Select.Changed, "#g-calendar, #g-group")
    @on(Field.Changed, "#g-warn-email")
    def _changed(self) -> None:
        if not self._filling:
            self._validate()

    def problems(self) -> dict[str, str | None]:
        tab = self.tab
        enabled = self.query_one("#g-enabled", Checkbox).value
        found: dict[str, str | None] = {}
        if tab is None:
            return {"g-enabled-why": "loading…"}
        if enabled and not tab.user.can_sync:
            found["g-enabled-why"] = "resources such as rooms or locations cannot sync with Google"
        elif enabled and not tab.authenticated:
            found["g-enabled-why"] = "authenticate the Google account first (the button below)"
        calendar = self.query_one("#g-calendar", Select).value
        if enabled and tab.authenticated and calendar is Select.NULL:
            found["g-calendar-why"] = "choose the Google calendar to sync to"
        if (
            self.query_one("#g-contacts", Checkbox).value
            and self.query_one("#g-group", Select).value is Select.NULL
        ):
            found["g-group-why"] = "syncing contacts needs an existing Client Group (New group creates one)"
        warn = self.query_one("#g-warn", Checkbox).value
        address = self.query_one("#g-warn-email", Field).value.strip()
        if warn and not address:
            found["g-warn-why"] = "enter the email address for warnings and errors (required)"
        elif warn and not EMAIL_RE.match(address):
            found["g-warn-why"] = f"{address!r} is not an email address"
        elif not warn and address:
            found["g-warn-why"] = "check Email Warnings and Errors to Me, or clear the address"
        elif enabled and not warn:
            found["g-warn-why"] = "Email Warnings and Errors to Me is required while sync is enabled"
        return found

    def _validate(self) -> bool:
        found = self.problems()
        for note_id in ("g-enabled-why", "g-calendar-why", "g-group-why", "g-warn-why"):
            for note in self.query(f"#{note_id}").results(Note):
                note.explain(found.get(note_id))
        self.query_one("#g-warn-email", Field).set_class("g-warn-why" in found, "-invalid")
        save = self.query_one("#g-save", Button)
        save.disabled = bool(found)
        return not found

    # -- saving --------------------------------------------------------------------------------------
    def form_values(self) -> dict[str, Any]:
        """The tab as keyword arguments for GoogleAccounts.update (only what the form owns)."""
        assert self.tab is not None
        calendar = self.query_one("#g-calendar", Select).value
        group = self.query_one("#g-group", Select).value
        warn = self.query_one("#g-warn", Checkbox).value
        values: dict[str, Any] = {
            "enabled": self.query_one("#g-enabled", Checkbox).value,
            "populate_google": self.query_one("#g-populate-google", Checkbox).value,
            "populate_studio": self.query_one("#g-populate-studio", Checkbox).value,
            "two_way": self.query_one("#g-two-way", Checkbox).value,
            "tentative": self.query_one("#g-tentative", Checkbox).value,
            "contacts": self.query_one("#g-contacts", Checkbox).value,
            "warn_email": self.query_one("#g-warn-email", Field).value.strip() if warn else None,
            "detailed_logs": self.query_one("#g-detailed", Checkbox).value,
        }
        # Only a changed calendar is sent: choosing one asks Google, and a change resets the sync state.
        if calendar is not Select.NULL and calendar != self.tab.prefs.calendar_id:
            values["calendar_id"] = str(calendar)
        if group is not Select.NULL:
            values["client_group"] = str(group)
        return values

    @on(Button.Pressed, "#g-save")
    def action_save(self) -> None:
        if self.tab is None or self.login is None or not self._validate():
            return
        self.query_one("#g-save", Button).disabled = True
        self._save(self.login, self.form_values())

    @work(thread=True, exclusive=True, exit_on_error=False, group="google-save")
    def _save(self, login: str, values: dict[str, Any]) -> None:
        try:
            self.backend.save_google(login, **values)
        finally:
            self.app.call_from_thread(self._validate)
        self.post_message(self.Saved(login))

    @on(Saved)
    def _saved(self, event: Saved) -> None:
        self.app.notify(f"Saved the Google tab of {event.login}.")
        self._load(event.login)

    @on(Button.Pressed, "#g-revert")
    def action_revert(self) -> None:
        if self.tab is not None:
            self._fill(self.tab)

    # -- account -------------------------------------------------------------------------------------
    @on(Button.Pressed, "#g-auth")
    def action_auth(self) -> None:
        tab = self.tab
        if tab is None or self.query_one("#g-auth", Button).disabled:
            return
        login = tab.user.login
        if tab.authenticated:

            def answered(yes: bool | None) -> None:
                if yes:
                    self._remove(login)

            self.app.push_screen(
                ConfirmScreen(
                    f"Remove the Google account of {tab.user.name}?",
                    f"studiosync forgets {tab.prefs.account_email} and stops syncing this user until an account is "
                    "authenticated again. Events already in Google stay there.",
                    yes=REMOVE,
                ),
                answered,
            )
            return

        def authenticated(done: bool | None) -> None:
            if done:
                self.app.notify(f"{tab.user.name}'s Google account is authenticated. Now choose a calendar.")
                self._refresh_account(login)

        self.app.push_screen(GoogleAuthScreen(login, tab.user.name, tab.prefs.account_email), authenticated)

    @work(thread=True, exclusive=True, exit_on_error=False, group="google-account")
    def _refresh_account(self, login: str) -> None:
        self.post_message(self.Account(self.backend.google_tab(login)))
        self._fetch_calendars(login)

    @on(Account)
    def _account(self, event: Account) -> None:
        # Only the account part is refreshed: boxes ticked before authenticating stay ticked (unsaved).
        if event.tab.user.login != self.login:
            return
        self.tab = event.tab
        self.calendars = None
        self._paint_account(event.tab)
        self._paint_status(event.tab)
        select = self.query_one("#g-calendar", Select)
        picked = select.value if select.value is not Select.NULL else None
        self._filling = True
        self._fill_calendars(prefer=picked)
        self.call_after_refresh(self._end_fill)

    @work(thread=True, exclusive=True, exit_on_error=False, group="google-remove")
    def _remove(self, login: str) -> None:
        self.post_message(self.Removed(login, self.backend.remove_google(login)))

    @on(Removed)
    def _removed(self, event: Removed) -> None:
        if event.warning:
            self.app.notify(event.warning, severity="warning", timeout=8)
        self.app.notify(f"Removed the Google account of {event.login}.")
        self.calendars = None
        self._load(event.login)

    @on(Button.Pressed, "#g-calendars")
    def action_calendars(self) -> None:
        if self.tab is not None and self.tab.authenticated and self.login:
            self.query_one("#g-calendar-why", Note).say("Reading the calendars from Google…")
            self._reload_calendars(self.login)

    @on(Button.Pressed, "#g-new-group")
    def action_new_group(self) -> None:
        if not self.backend.is_admin:
            self.app.notify("Ask an admin to create a client group.", severity="warning")
            return

        def named(name: str | None) -> None:
            if name:
                self._add_group(name)

        self.app.push_screen(NamePrompt("New client group", "Name of the group for Google contacts:"), named)

    @work(thread=True, exclusive=True, exit_on_error=False, group="google-group")
    def _add_group(self, name: str) -> None:
        group = self.backend.add_group(name)
        self.post_message(self.GroupAdded(self.login or "", self.backend.client_groups(), group.id))

    @on(GroupAdded)
    def _group_added(self, event: GroupAdded) -> None:
        # Only the group picker changes; everything else typed on the tab stays as it is (unsaved).
        if self.tab is None or event.login != self.login:
            return
        self.tab = replace(self.tab, groups=event.groups)
        self._filling = True
        select = self.query_one("#g-group", Select)
        select.set_options(plain_choices((g.name, g.id) for g in event.groups))
        select.value = event.pick
        # A group is only ever picked for contacts: creating one here means "sync contacts into it".
        self.query_one("#g-contacts", Checkbox).value = True
        self.call_after_refresh(self._end_fill)

    def palette(self) -> list[PaletteCommand]:
        return [
            PaletteCommand("google: save", self.action_save, "save this Google tab"),
            PaletteCommand("google: authenticate / remove account", self.action_auth, "the account button"),
            PaletteCommand(
                "google: reload calendars", self.action_calendars, "read the calendar list from Google"
            ),
            PaletteCommand(
                "google: new client group", self.action_new_group, "create a group for Google contacts"
            ),
        ]
