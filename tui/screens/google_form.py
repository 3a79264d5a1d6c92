"""The Google tab's fields, notes and rules (the setup guide's words), with no behaviour of its own.

`compose_google_tab` lays the fields out in the guide's order; `tab_problems` is the tab's validation as
a pure function of the values shown (tested as a table), so the view only wires them together.
"""

from __future__ import annotations

from typing import Any

from studiosync.tui.rows import EMAIL_RE, GoogleTab
from studiosync.tui.widgets.field import Field
from studiosync.tui.widgets.note import Note
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
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

# The boxes of the tab (id suffix) and the GooglePrefs fields saved straight from a box.
CHECKBOXES = ("enabled", "populate-google", "populate-studio", "two-way", "tentative", "contacts", "warn", "detailed")
SAVED_BOXES = ("enabled", "populate_google", "populate_studio", "two_way", "tentative", "contacts", "detailed_logs")

NOTE_IDS = ("g-enabled-why", "g-calendar-why", "g-group-why", "g-warn-why")
LABELS = {
    "g-enabled-why": "Enable Google Sync",
    "g-calendar-why": "Calendar",
    "g-group-why": "Client Group",
    "g-warn-why": "Email Warnings and Errors to Me",
}


def tab_problems(values: dict[str, Any], tab: GoogleTab | None) -> dict[str, str]:
    """Note id -> why the tab cannot be saved, from the values shown (`None` picks are unset)."""
    if tab is None:
        return {"g-enabled-why": "loading…"}
    enabled = values["enabled"]
    found: dict[str, str] = {}
    if enabled and not tab.user.can_sync:
        found["g-enabled-why"] = "resources such as rooms or locations cannot sync with Google"
    elif enabled and not tab.authenticated:
        found["g-enabled-why"] = "authenticate the Google account first (the button below)"
    if enabled and tab.authenticated and values["calendar"] is None:
        found["g-calendar-why"] = "choose the Google calendar to sync to"
    if values["contacts"] and values["group"] is None:
        found["g-group-why"] = "syncing contacts needs an existing Client Group (New group creates one)"
    warn, address = values["warn"], values["warn_email"]
    if warn and not address:
        found["g-warn-why"] = "enter the email address for warnings and errors (required)"
    elif warn and not EMAIL_RE.match(address):
        found["g-warn-why"] = f"{address!r} is not an email address"
    elif not warn and address:
        found["g-warn-why"] = "check Email Warnings and Errors to Me, or clear the address"
    elif enabled and not warn:
        found["g-warn-why"] = "Email Warnings and Errors to Me is required while sync is enabled"
    return found


def compose_google_tab() -> ComposeResult:
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
