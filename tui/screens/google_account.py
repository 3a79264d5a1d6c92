"""The account half of the Google tab: the Authenticate / Remove button, the calendar picker fed live
from Google, the last sync's status and "New group".

`GoogleAccountPart` is the base of `GoogleView` (tui.screens.google_tab), which owns the form: loading,
validation and saving. Refreshing the account never touches what the person typed in the form.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from studiosync.core.errors import StudioSyncError
from studiosync.core.model.clients import ClientGroup
from studiosync.core.studio.google_accounts import CalendarInfo
from studiosync.tui.clock import ago
from studiosync.tui.failures import one_line
from studiosync.tui.rows import GoogleTab
from studiosync.tui.safe_text import Text, plain_choices
from studiosync.tui.screens.confirm import ConfirmScreen
from studiosync.tui.screens.google_auth import GoogleAuthScreen
from studiosync.tui.screens.google_form import AUTHENTICATE, NOTES, REMOVE
from studiosync.tui.screens.name_prompt import NamePrompt
from studiosync.tui.screens.view import View
from studiosync.tui.widgets.note import Note
from textual import on, work
from textual.message import Message
from textual.widgets import Button, Checkbox, Select, Static


class GoogleAccountPart(View):
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

    class Removed(Message):
        def __init__(self, login: str, warning: str | None) -> None:
            super().__init__()
            self.login, self.warning = login, warning

    login: str | None = None
    tab: GoogleTab | None = None
    calendars: list[CalendarInfo] | None = None
    _filling = False

    def _end_fill(self) -> None:
        """The form (GoogleView) validates again once a refill is done."""

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
                self._group_created(name)

        taken = {g.name for g in self.tab.groups} if self.tab is not None else set()
        self.app.push_screen(
            NamePrompt(
                "New client group",
                "Name of the group for Google contacts:",
                taken=taken,
                save=self.backend.add_group,  # saved inside the dialog: a refusal keeps the typed name
            ),
            named,
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="google-group")
    def _group_created(self, name: str) -> None:
        groups = self.backend.client_groups()
        pick = next((g.id for g in groups if g.name == name), "")
        self.post_message(self.GroupAdded(self.login or "", groups, pick))

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
