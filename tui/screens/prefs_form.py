"""The fields of Company prefs, part by part: their validators, notes and layout (no behaviour).

Each part has its own Save button; `PARTS` names the fields of each part, so the view can tell which
part has unsaved edits and validate it, and ctrl+s saves the part the focus is in.
"""

from __future__ import annotations

from studiosync.core.errors import InputError
from studiosync.core.studio.request_budget import MAX_BUDGET, MIN_BUDGET
from studiosync.core.studio.timeparse import zone
from studiosync.core.studio.urls import check_api_endpoint
from studiosync.tui.rows import EMAIL_RE
from studiosync.tui.safe_text import Text
from studiosync.tui.widgets.field import Field
from studiosync.tui.widgets.form import rule
from studiosync.tui.widgets.note import Note
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Checkbox, Label, Select, Static


def _valid_zone(text: str) -> bool:
    try:
        zone(text.strip())
    except InputError:
        return False
    return True


def _whole(text: str, least: int, most: int) -> bool:
    """A whole number from `least` to `most` (digits only: no sign, no decimal point). isdecimal, not
    isdigit: "²" is a digit that int() refuses."""
    return text.strip().isdecimal() and least <= int(text.strip()) <= most


def _valid_url(text: str) -> bool:
    if not text.strip():
        return True  # empty = real Google
    try:
        check_api_endpoint(text)
    except InputError:
        return False
    return True


def _budget_ok(text: str) -> bool:
    digits = text.strip().replace(",", "")
    return digits.isdecimal() and MIN_BUDGET <= int(digits) <= MAX_BUDGET


# part -> (its validated fields, every widget whose value it saves, its Save button)
PARTS: dict[str, tuple[tuple[str, ...], tuple[str, ...], str]] = {
    "tz": (("p-tz",), ("p-tz",), "p-tz-save"),
    "email": (
        ("p-host", "p-port", "p-from"),
        ("p-host", "p-port", "p-security", "p-user", "p-password", "p-from"),
        "p-email-save",
    ),
    "google": (("p-secrets", "p-api"), ("p-secrets", "p-api"), "p-google-save"),
    "budget": (("p-budget-user", "p-budget-project"), ("p-budget-user", "p-budget-project"), "p-budget-save"),
    "escalation": (
        ("p-escalate-after", "p-remind-hours"),
        ("p-escalate", "p-escalate-after", "p-remind-hours"),
        "p-escalation-save",
    ),
    "deletions": (("p-del-count", "p-del-percent"), ("p-del-count", "p-del-percent"), "p-deletions-save"),
}
PART_NAMES = {
    "tz": "time zone",
    "email": "email settings",
    "google": "Google settings",
    "budget": "request budget",
    "escalation": "alert email settings",
    "deletions": "mass-deletion limits",
}
# The widgets of each part (ctrl+s in any of them saves that part). "Test to" belongs to the email part:
# the test uses the saved email settings.
FOCUS_PART = {
    widget: part for part, (_v, saved, button) in PARTS.items() for widget in (*saved, button)
} | {"p-test-to": "email", "p-test": "email"}

DELETIONS_NOTE = (
    "A sync run deleting more than this many of a user's linked appointments or events on one side, AND "
    "more than this share of them, deletes none of them until someone decides (Dashboard: h applies, u "
    "undoes). 100% turns the guard off."
)
BUDGET_RANGE = f"Calendar requests a minute, {MIN_BUDGET}-{MAX_BUDGET:,}"
BUDGET_NOTE = (
    "Calendar requests a minute the sync may send, per user and for the Google Cloud project (Google's "
    "default quotas: 600 and 10,000). Set them to the project's quotas if those were changed."
)
UNSAVED_EMAIL = "Save the email settings first: the test uses the saved ones"
PUBLISHED_NOTE = (
    'Google apps left in "Testing" status lose every user\'s authorization after 7 days: publish the app '
    "on Google Cloud Console > OAuth consent screen, then tick this (saved at once)."
)


def compose_prefs() -> ComposeResult:
    with VerticalScroll():
        yield Static("Studio time zone", classes="part")
        with Horizontal(classes="row"):
            yield Label("Time zone")
            yield Field(
                id="p-tz",
                label="Time zone", validators=[rule(_valid_zone, "not an IANA time zone (e.g. Europe/London)")]
            )
        yield Note("Appointments are shown and typed in this zone.", id="p-tz-why")
        yield Button("Save time zone", id="p-tz-save", classes="save", disabled=True)

        yield Static("Email (SMTP)", classes="part")
        with Horizontal(classes="row"):
            yield Label("Server")
            yield Field(
                placeholder="smtp.example.com",
                id="p-host",
                label="Server",
                validators=[
                    rule(
                        lambda v: bool(v.strip()) and " " not in v.strip(), "the mail server's host name"
                    )
                ],
            )
        yield Note("", id="p-host-why")
        with Horizontal(classes="row"):
            yield Label("Port")
            yield Field(
                "587",
                id="p-port",
                label="Port",
                validators=[rule(lambda v: _whole(v, 1, 65535), "a port number 1-65535")],
            )
        yield Note("587 with STARTTLS, 465 with SSL, 25 without.", id="p-port-why")
        with Horizontal(classes="row"):
            yield Label("Security")
            yield Select(
                [("STARTTLS", "starttls"), ("SSL/TLS", "ssl"), ("none", "none")],
                value="starttls",
                allow_blank=False,
                id="p-security",
            )
        with Horizontal(classes="row"):
            yield Label("Username")
            yield Field(id="p-user", placeholder="empty: no login")
        with Horizontal(classes="row"):
            yield Label("Password")
            yield Field(id="p-password", password=True, placeholder="empty: keep the stored one")
        yield Note(
            "Kept in the keyring (or the protected secrets file), never in the data files.",
            id="p-password-why",
        )
        with Horizontal(classes="row"):
            yield Label("From")
            yield Field(
                id="p-from",
                label="From",
                placeholder="studio@example.com",
                validators=[
                    rule(lambda v: bool(EMAIL_RE.match(v.strip())), "the sender's email address")
                ],
            )
        yield Note("", id="p-from-why")
        yield Button("Save email settings", id="p-email-save", classes="save", disabled=True)
        with Horizontal(classes="row"):
            yield Label("Test to")
            yield Field(
                id="p-test-to",
                label="Test to",
                placeholder="you@example.com",
                validators=[rule(lambda v: bool(EMAIL_RE.match(v.strip())), "an email address")],
            )
        yield Note("Where Send test email (ctrl+t) sends to.", id="p-test-to-why")
        yield Button("Send test email", id="p-test", classes="save", disabled=True)
        yield Static(Text(""), id="p-test-answer")

        yield Static("Google API", classes="part")
        with Horizontal(classes="row"):
            yield Label("Client secrets")
            yield Field(
                id="p-secrets",
                label="Client secrets",
                placeholder="/path/to/client_secret.json",
                validators=[
                    rule(lambda v: bool(v.strip()), "the OAuth client JSON downloaded from Google Cloud")
                ],
            )
        yield Note(
            "OAuth client of type Desktop app (Google Cloud console > APIs & Services > Credentials).",
            id="p-secrets-why",
        )
        with Horizontal(classes="row"):
            yield Label("API root")
            yield Field(
                id="p-api",
                label="API root",
                placeholder="empty: real Google",
                validators=[rule(_valid_url, "an http(s) URL, or empty for real Google")],
            )
        yield Note(
            "Leave empty for Google; the demo points this at its built-in emulator.", id="p-api-why"
        )
        yield Button("Save Google settings", id="p-google-save", classes="save", disabled=True)
        # Short: a checkbox label never wraps, and "App published on Google (In production)" is cut
        # off at 80 columns. The section title says Google; the note says where to publish.
        yield Checkbox("App published (In production)", id="p-published")
        yield Note(PUBLISHED_NOTE, id="p-published-why")
        with Horizontal(classes="row"):
            yield Label("Per user/min")
            yield Field(
                "600", id="p-budget-user", label="Per user/min", validators=[rule(_budget_ok, BUDGET_RANGE)]
            )
        yield Note("", id="p-budget-user-why")
        with Horizontal(classes="row"):
            yield Label("Project/min")
            yield Field(
                "10000", id="p-budget-project", label="Project/min", validators=[rule(_budget_ok, BUDGET_RANGE)]
            )
        yield Note(BUDGET_NOTE, id="p-budget-project-why")
        yield Button("Save request budget", id="p-budget-save", classes="save", disabled=True)

        yield Static("Alert emails", classes="part")
        yield Checkbox("Email sync failures to admins", id="p-escalate")
        with Horizontal(classes="row"):
            yield Label("After runs")
            yield Field(
                "3",
                id="p-escalate-after",
                label="After runs",
                validators=[
                    rule(lambda v: _whole(v, 1, 100), "a number of runs, 1-100")
                ],
            )
        yield Note(
            "When a user's sync fails this many runs in a row, admins get an email too (once).",
            id="p-escalate-after-why",
        )
        with Horizontal(classes="row"):
            yield Label("Remind every h")
            yield Field(
                "24",
                id="p-remind-hours",
                label="Remind every h",
                validators=[
                    rule(lambda v: _whole(v, 0, 720), "a number of hours, 0-720")
                ],
            )
        yield Note(
            "While a problem lasts, its email is repeated this often (0: never); otherwise one email when "
            "it starts, changes or ends.",
            id="p-remind-hours-why",
        )
        yield Button("Save", id="p-escalation-save", classes="save", disabled=True)

        yield Static("Mass deletions", classes="part")
        with Horizontal(classes="row"):
            yield Label("More than")
            yield Field(
                "10",
                id="p-del-count",
                label="More than",
                validators=[rule(lambda v: _whole(v, 0, 100_000), "a number of items, 0-100000")],
            )
        yield Note("", id="p-del-count-why")
        with Horizontal(classes="row"):
            yield Label("And over (%)")
            yield Field(
                "25",
                id="p-del-percent",
                label="And over (%)",
                validators=[rule(lambda v: _whole(v, 0, 100), "a share in percent, 0-100 (100: off)")],
            )
        yield Note(DELETIONS_NOTE, id="p-del-percent-why")
        yield Button("Save", id="p-deletions-save", classes="save", disabled=True)
