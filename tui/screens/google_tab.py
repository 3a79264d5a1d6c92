"""The Google tab of one user (Maintenance > Preferences > User Preferences > Google).

It mirrors the setup guide field by field, in its order and words, with the guide's explanation beside
each field, so IT can follow "Troubleshooting Google Sync Setup" on screen. Validation runs as you type
and Save stays disabled until the tab is valid.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from studiosync.core.studio.google_accounts import CalendarInfo
from studiosync.tui.rows import GoogleTab
from studiosync.tui.safe_text import Text, plain_choices
from studiosync.tui.screens.google_account import GoogleAccountPart
from studiosync.tui.screens.google_form import (
    AUTHENTICATE,
    CHECKBOXES,
    HELP,
    LABELS,
    NOTE_IDS,
    NOTES,
    REMOVE,
    SAVED_BOXES,
    compose_google_tab,
    tab_problems,
)
from studiosync.tui.screens.unsaved import confirm_leave
from studiosync.tui.widgets.field import Field
from studiosync.tui.widgets.form import explain_invalid
from studiosync.tui.widgets.note import Note
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Button, Checkbox, Select, Static

__all__ = ["AUTHENTICATE", "NOTES", "REMOVE", "GoogleView"]


class GoogleView(GoogleAccountPart):
    SECTION = "google"
    TITLE = "Google tab"
    ADMIN_ONLY = False
    HELP = HELP
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

    class Saved(Message):
        def __init__(self, login: str) -> None:
            super().__init__()
            self.login = login

    class Staff(Message):
        def __init__(self, choices: list[tuple[str, str]]) -> None:
            super().__init__()
            self.choices = choices

    login: str | None = None
    _after_save: Callable[[], object] | None = None
    tab: GoogleTab | None = None
    calendars: list[CalendarInfo] | None = None
    _filling = False

    def compose(self) -> ComposeResult:
        yield from compose_google_tab()

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
        wanted = str(event.value)

        def stay() -> None:
            self._set_user_select(self.login)

        def switch() -> None:
            self.show_user(wanted)

        if self.unsaved():
            confirm_leave(self.app, self, switch, f"The Google tab of {self.login}")
            self.call_after_refresh(stay)  # the picker shows the tab on screen until the answer
        else:
            switch()

    @work(thread=True, exclusive=True, exit_on_error=False, group="google-load")
    def _load(self, login: str) -> None:
        tab = self.backend.google_tab(login)
        self.post_message(self.Loaded(tab))
        if tab.authenticated:
            self._fetch_calendars(login)

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        if event.tab.user.login != self.login:
            return
        self.tab = event.tab
        self._fill(event.tab)
        self.loaded()

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

    # -- validation ----------------------------------------------------------------------------------
    @on(Checkbox.Changed)
    @on(Select.Changed, "#g-calendar, #g-group")
    @on(Field.Changed, "#g-warn-email")
    def _changed(self) -> None:
        if not self._filling:
            self._validate()

    def shown_values(self) -> dict[str, Any]:
        """What the tab shows right now, as plain values (unset picks are None)."""

        def pick(selector: str) -> Any:
            value = self.query_one(selector, Select).value
            return None if value is Select.NULL else value

        box = {k: self.query_one(f"#g-{k}", Checkbox).value for k in CHECKBOXES}
        return {
            "enabled": box["enabled"],
            "populate_google": box["populate-google"],
            "populate_studio": box["populate-studio"],
            "two_way": box["two-way"],
            "tentative": box["tentative"],
            "contacts": box["contacts"],
            "warn": box["warn"],
            "detailed_logs": box["detailed"],
            "warn_email": self.query_one("#g-warn-email", Field).value.strip(),
            "calendar": pick("#g-calendar"),
            "group": pick("#g-group"),
        }

    def problems(self) -> dict[str, str]:
        return tab_problems(self.shown_values(), self.tab)

    def _validate(self) -> bool:
        found = self.problems()
        for note_id in NOTE_IDS:
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
        shown = self.shown_values()
        values = {k: shown[k] for k in SAVED_BOXES}
        values["warn_email"] = shown["warn_email"] if shown["warn"] else None
        # Only a changed calendar is sent: choosing one asks Google, and a change resets the sync state.
        if shown["calendar"] is not None and shown["calendar"] != self.tab.prefs.calendar_id:
            values["calendar_id"] = str(shown["calendar"])
        if shown["group"] is not None:
            values["client_group"] = str(shown["group"])
        return values

    def stored_values(self) -> dict[str, Any]:
        """What the tab would show for the stored settings (to tell unsaved edits from them)."""
        assert self.tab is not None
        p = self.tab.prefs
        values: dict[str, Any] = {k: getattr(p, k) for k in SAVED_BOXES}
        values["warn_email"] = p.warn_email or None
        if p.client_group and any(g.id == p.client_group for g in self.tab.groups):
            values["client_group"] = p.client_group
        return values

    def unsaved(self) -> bool:
        if self.tab is None or self._filling or not self.is_mounted:
            return False
        return self.form_values() != self.stored_values()

    def save_form(self, then: Callable[[], object] | None = None) -> bool:
        if self.tab is None or self.login is None:
            return False
        if not self._validate():
            found = self.problems()
            target = {"g-warn-why": "#g-warn-email", "g-calendar-why": "#g-calendar", "g-group-why": "#g-group"}
            explain_invalid(
                self,
                [
                    (LABELS[note_id], why, self.query_one(target.get(note_id, "#g-enabled")))
                    for note_id, why in found.items()
                ],
            )
            return False
        self._after_save = then
        self.query_one("#g-save", Button).disabled = True
        self._save(self.login, self.form_values())
        return True

    def discard_form(self) -> None:
        if self.tab is not None:
            self._fill(self.tab)

    @on(Button.Pressed, "#g-save")
    def action_save(self) -> None:
        self.save_form()

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
        then, self._after_save = self._after_save, None
        if then is not None:
            then()

    @on(Button.Pressed, "#g-revert")
    def action_revert(self) -> None:
        self.discard_form()
