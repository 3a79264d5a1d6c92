"""Company (Studio) Preferences: studio time zone, the Email tab (SMTP) and the Google API settings."""

from __future__ import annotations

from typing import Any

from studiosync.core.errors import InputError
from studiosync.core.model import CompanyPrefs
from studiosync.core.studio.prefs import check_api_endpoint
from studiosync.core.studio.timeparse import zone
from studiosync.tui.backend import EMAIL_RE
from studiosync.tui.safe_text import Text
from studiosync.tui.screens.view import PaletteCommand, View
from studiosync.tui.widgets.field import Field
from studiosync.tui.widgets.form import check_form, rule
from studiosync.tui.widgets.note import Note
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Checkbox, Label, Select, Static


def _valid_zone(text: str) -> bool:
    try:
        zone(text.strip())
    except InputError:
        return False
    return True


def _valid_port(text: str) -> bool:
    return text.strip().isdigit() and 1 <= int(text.strip()) <= 65535


def _whole(text: str, most: int) -> bool:
    return text.strip().isdigit() and int(text.strip()) <= most


def _valid_url(text: str) -> bool:
    if not text.strip():
        return True  # empty = real Google
    try:
        check_api_endpoint(text)
    except InputError:
        return False
    return True


# The widgets of the email part: ctrl+s in any of them saves the email settings.
EMAIL_PART = frozenset(
    {
        "p-host",
        "p-port",
        "p-security",
        "p-user",
        "p-password",
        "p-from",
        "p-email-save",
        "p-test-to",
        "p-test",
    }
)
UNSAVED_EMAIL = "Save the email settings first: the test uses the saved ones"

PUBLISHED_NOTE = (
    'Google apps left in "Testing" status lose every user\'s authorization after 7 days: publish the app '
    "on Google Cloud Console > OAuth consent screen, then tick this (saved at once)."
)


DELETIONS_NOTE = (
    "A sync run deleting more than this many of a user's linked appointments or events on one side, AND "
    "more than this share of them, deletes none of them until someone decides (Dashboard: h applies, u "
    "undoes). 100% turns the guard off."
)


class CompanyPrefsView(View):
    SECTION = "prefs"
    TITLE = "Company prefs"
    HELP = """\
## Company (Studio) Preferences

* **Studio time zone**: appointments are shown and typed in this zone (an IANA name such as Europe/London).
* **Email**: studiosync emails warnings, errors and detailed sync logs to users, so emailing must be set
  up (Maintenance > Preferences > Company Preferences > Email tab). *Send test email* shows the mail
  server's answer, word for word. It uses the *saved* settings: while the email fields have unsaved changes
  it refuses and asks you to save first (ctrl+s, also from the *Test to* field).
* **Alert emails**: a user hears about a sync problem once when it starts, once when its cause changes,
  and once when it is resolved, with a reminder every *Remind every h* hours while it lasts (0: none).
  When a user's sync keeps failing, admins are emailed too after that many runs, by the same rules.
* **Mass deletions**: a sync run that would delete more than *More than* of a user's linked appointments or
  events on one side, and more than *And over (%)* of them, deletes none of them: the user shows *deletions
  held* until someone decides on the Dashboard (`h` applies them, `u` undoes them; CLI: `studiosync sync
  LOGIN --allow-deletions | --restore-deleted`). 100% turns the guard off (CLI: `studiosync prefs
  deletions`).
* **Google API**: the OAuth client secrets file downloaded from Google Cloud (an OAuth client of type
  *Desktop app*), and the API root (leave empty for real Google; the demo points it to its emulator).
* **App published on Google**: Google apps left in *Testing* status lose every user's authorization after
  7 days. Publish the app (Google Cloud Console > OAuth consent screen > Publish app, status *In
  production*), then tick this box; it is saved as soon as it is ticked. The doctor reads it.

Each part has its own Save button, enabled once its fields are valid.
"""
    BINDINGS = [
        Binding("ctrl+s", "save_focused", "Save", id="prefs.save"),
        Binding("ctrl+t", "test_email", "Test email", id="prefs.test_email"),
    ]
    DEFAULT_CSS = """
    CompanyPrefsView VerticalScroll { height: 1fr; }
    CompanyPrefsView .part { text-style: bold; color: $accent; margin-top: 1; }
    CompanyPrefsView .row { height: auto; }
    /* 16: the longest label ("Client secrets", 14) plus a gap before its field. */
    CompanyPrefsView Label { width: 16; padding-top: 1; }
    CompanyPrefsView Note { padding: 0 0 0 16; }
    CompanyPrefsView Select { width: 1fr; }
    CompanyPrefsView .save { margin-left: 16; }
    CompanyPrefsView Checkbox { margin-left: 15; }
    CompanyPrefsView #p-test-answer { padding: 0 0 0 16; height: auto; }
    """

    class Loaded(Message):
        def __init__(self, prefs: CompanyPrefs) -> None:
            super().__init__()
            self.prefs = prefs

    class Saved(Message):
        def __init__(self, what: str) -> None:
            super().__init__()
            self.what = what

    class PublishedSaved(Message):
        def __init__(self, published: bool, ok: bool) -> None:
            super().__init__()
            self.published, self.ok = published, ok

    class TestAnswer(Message):
        def __init__(self, answer: str, ok: bool) -> None:
            super().__init__()
            self.answer, self.ok = answer, ok

    prefs: CompanyPrefs | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static("Studio time zone", classes="part")
            with Horizontal(classes="row"):
                yield Label("Time zone")
                yield Field(
                    id="p-tz", validators=[rule(_valid_zone, "not an IANA time zone (e.g. Europe/London)")]
                )
            yield Note("Appointments are shown and typed in this zone.", id="p-tz-why")
            yield Button("Save time zone", id="p-tz-save", classes="save", disabled=True)

            yield Static("Email (SMTP)", classes="part")
            with Horizontal(classes="row"):
                yield Label("Server")
                yield Field(
                    placeholder="smtp.example.com",
                    id="p-host",
                    validators=[
                        rule(
                            lambda v: bool(v.strip()) and " " not in v.strip(), "the mail server's host name"
                        )
                    ],
                )
            yield Note("", id="p-host-why")
            with Horizontal(classes="row"):
                yield Label("Port")
                yield Field("587", id="p-port", validators=[rule(_valid_port, "a port number 1-65535")])
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
                    placeholder="you@example.com",
                    validators=[rule(lambda v: bool(EMAIL_RE.match(v.strip())), "an email address")],
                )
            yield Button("Send test email", id="p-test", classes="save", disabled=True)
            yield Static(Text(""), id="p-test-answer")

            yield Static("Google API", classes="part")
            with Horizontal(classes="row"):
                yield Label("Client secrets")
                yield Field(
                    id="p-secrets",
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

            yield Static("Alert emails", classes="part")
            yield Checkbox("Email sync failures to admins", id="p-escalate")
            with Horizontal(classes="row"):
                yield Label("After runs")
                yield Field(
                    "3",
                    id="p-escalate-after",
                    validators=[
                        rule(lambda v: v.strip().isdigit() and 1 <= int(v) <= 100, "a number of runs, 1-100")
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
                    validators=[
                        rule(lambda v: v.strip().isdigit() and 0 <= int(v) <= 720, "a number of hours, 0-720")
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
                    validators=[rule(lambda v: _whole(v, 100_000), "a number of items, 0-100000")],
                )
            with Horizontal(classes="row"):
                yield Label("And over (%)")
                yield Field(
                    "25",
                    id="p-del-percent",
                    validators=[rule(lambda v: _whole(v, 100), "a share in percent, 0-100 (100: off)")],
                )
            yield Note(DELETIONS_NOTE, id="p-del-why")
            yield Button("Save", id="p-deletions-save", classes="save", disabled=True)

    def reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="prefs-load")
    def _load(self) -> None:
        self.post_message(self.Loaded(self.backend.company()))

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        self.prefs = p = event.prefs
        self.query_one("#p-tz", Field).value = p.timezone
        e = p.email
        self.query_one("#p-host", Field).value = e.host
        self.query_one("#p-port", Field).value = str(e.port)
        self.query_one("#p-security", Select).value = e.security
        self.query_one("#p-user", Field).value = e.username or ""
        self.query_one("#p-password", Field).value = ""
        self.query_one("#p-from", Field).value = e.from_addr
        self.query_one("#p-password-why", Note).set_base(
            ("A password is stored. " if e.has_password else "No password stored. ")
            + "It is kept in the keyring (or the protected secrets file), never in the data files."
        )
        self.query_one("#p-escalate", Checkbox).value = p.escalate_to_admins
        self.query_one("#p-escalate-after", Field).value = str(p.escalate_after)
        self.query_one("#p-remind-hours", Field).value = str(p.alert_remind_hours)
        self.query_one("#p-del-count", Field).value = str(p.deletion_max_count)
        self.query_one("#p-del-percent", Field).value = str(p.deletion_max_percent)
        g = p.google
        self.query_one("#p-secrets", Field).value = g.client_secrets_source or ""
        self.query_one("#p-api", Field).value = g.api_endpoint or ""
        published = self.query_one("#p-published", Checkbox)
        with published.prevent(Checkbox.Changed):  # showing the stored value is not ticking it
            published.value = g.app_published
        client = (
            f"Loaded: OAuth client {g.client_id} ({g.client_type})." if g.client_id else "Not set up yet."
        )
        self.query_one("#p-secrets-why", Note).set_base(
            client
            + " Use an OAuth client of type Desktop app (Google Cloud console > APIs & Services > Credentials)."
        )
        self.call_after_refresh(self._validate)

    @on(Field.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _validate(self) -> None:
        q = self.query_one
        check_form(self, [q("#p-tz", Field)], q("#p-tz-save", Button))
        user, password = q("#p-user", Field).value.strip(), q("#p-password", Field).value
        cross = "a password needs a username" if password and not user else None
        check_form(
            self,
            [q("#p-host", Field), q("#p-port", Field), q("#p-from", Field)],
            q("#p-email-save", Button),
            {"p-password-why": cross},
        )
        check_form(self, [q("#p-test-to", Field)], q("#p-test", Button))
        check_form(self, [q("#p-secrets", Field), q("#p-api", Field)], q("#p-google-save", Button))
        check_form(
            self, [q("#p-escalate-after", Field), q("#p-remind-hours", Field)], q("#p-escalation-save", Button)
        )
        check_form(self, [q("#p-del-count", Field), q("#p-del-percent", Field)], q("#p-deletions-save", Button))

    # -- saving --------------------------------------------------------------------------------------
    @on(Button.Pressed, "#p-tz-save")
    def _save_tz(self) -> None:
        self._save("time zone", "tz", {"name": self.query_one("#p-tz", Field).value.strip()})

    @on(Button.Pressed, "#p-email-save")
    def _save_email(self) -> None:
        q = self.query_one
        self._save(
            "email settings",
            "email",
            {
                "host": q("#p-host", Field).value.strip(),
                "port": int(q("#p-port", Field).value.strip()),
                "security": str(q("#p-security", Select).value),
                "username": q("#p-user", Field).value.strip() or None,
                "password": q("#p-password", Field).value or None,
                "from_addr": q("#p-from", Field).value.strip(),
            },
        )

    @on(Button.Pressed, "#p-google-save")
    def _save_google(self) -> None:
        self._save(
            "Google settings",
            "google",
            {
                "client_secrets": self.query_one("#p-secrets", Field).value.strip(),
                "api_endpoint": self.query_one("#p-api", Field).value.strip() or None,
            },
        )

    @on(Button.Pressed, "#p-escalation-save")
    def _save_escalation(self) -> None:
        self._save(
            "escalation settings",
            "escalation",
            {
                "enabled": self.query_one("#p-escalate", Checkbox).value,
                "after": int(self.query_one("#p-escalate-after", Field).value.strip()),
                "remind_hours": int(self.query_one("#p-remind-hours", Field).value.strip()),
            },
        )

    @on(Button.Pressed, "#p-deletions-save")
    def _save_deletions(self) -> None:
        self._save(
            "mass-deletion limits",
            "deletions",
            {
                "max_count": int(self.query_one("#p-del-count", Field).value.strip()),
                "max_percent": int(self.query_one("#p-del-percent", Field).value.strip()),
            },
        )

    def action_save_focused(self) -> None:
        """ctrl+s saves the part the focus is in (its Save button only once the part is valid)."""
        focused = self.app.focused
        part = getattr(focused, "id", "") or ""
        if part in ("p-tz", "p-tz-save"):
            button, save = "#p-tz-save", self._save_tz
        elif part in ("p-secrets", "p-api", "p-google-save"):
            button, save = "#p-google-save", self._save_google
        elif part in ("p-escalate", "p-escalate-after", "p-remind-hours", "p-escalation-save"):
            button, save = "#p-escalation-save", self._save_escalation
        elif part in ("p-del-count", "p-del-percent", "p-deletions-save"):
            button, save = "#p-deletions-save", self._save_deletions
        elif part in EMAIL_PART:
            # "Test to" and "Send test email" belong to the email part: the test uses its saved settings.
            button, save = "#p-email-save", self._save_email
        else:
            return  # the published box is saved as soon as it is ticked; elsewhere there is nothing to save
        if self.query_one(button, Button).disabled:
            self.app.notify("Fix the fields marked in red first.", severity="warning")
            return
        save()

    def email_values(self) -> dict[str, str]:
        """The email part as shown (the password only counts when something is typed in it)."""
        q = self.query_one
        return {
            "host": q("#p-host", Field).value.strip(),
            "port": q("#p-port", Field).value.strip(),
            "security": str(q("#p-security", Select).value),
            "username": q("#p-user", Field).value.strip(),
            "from": q("#p-from", Field).value.strip(),
        }

    def email_unsaved(self) -> bool:
        if self.prefs is None:
            return False
        e = self.prefs.email
        stored = {
            "host": e.host,
            "port": str(e.port),
            "security": e.security,
            "username": e.username or "",
            "from": e.from_addr,
        }
        return self.email_values() != stored or bool(self.query_one("#p-password", Field).value)

    @work(thread=True, exclusive=True, exit_on_error=False, group="prefs-save")
    def _save(self, what: str, part: str, values: dict[str, Any]) -> None:
        if part == "tz":
            self.backend.set_timezone(values["name"])
        elif part == "email":
            self.backend.set_email(**values)
        elif part == "escalation":
            self.backend.set_escalation(values["enabled"], values["after"])
            self.backend.set_alert_reminder(values["remind_hours"])
        elif part == "deletions":
            self.backend.set_deletion_limits(values["max_count"], values["max_percent"])
        else:
            self.backend.set_google_api(values["client_secrets"], values["api_endpoint"])
        self.post_message(self.Saved(what))

    @on(Saved)
    def _saved(self, event: Saved) -> None:
        self.app.notify(f"Saved the {event.what}.")
        self._load()

    @on(Checkbox.Changed, "#p-published")
    def _published_changed(self, event: Checkbox.Changed) -> None:
        # Saved on its own, at once: the Google settings' Save re-imports the client file, which this
        # box has nothing to do with, and reloading the page would drop what is typed in other parts.
        self._save_published(event.value)

    @work(thread=True, exclusive=True, exit_on_error=False, group="prefs-published")
    def _save_published(self, published: bool) -> None:
        try:
            self.backend.set_app_published(published)
        except Exception:
            self.post_message(self.PublishedSaved(not published, ok=False))
            raise  # shown as the usual one-line error (e.g. no OAuth client configured yet)
        self.post_message(self.PublishedSaved(published, ok=True))

    @on(PublishedSaved)
    def _published_saved(self, event: PublishedSaved) -> None:
        if not event.ok:
            box = self.query_one("#p-published", Checkbox)
            with box.prevent(Checkbox.Changed):  # back to what is stored
                box.value = event.published
            return
        self.app.notify(
            "Saved: the Google app is published (In production)."
            if event.published
            else "Saved: the Google app is not published (Testing)."
        )

    # -- test email ----------------------------------------------------------------------------------
    @on(Button.Pressed, "#p-test")
    def action_test_email(self) -> None:
        to = self.query_one("#p-test-to", Field)
        if not EMAIL_RE.match(to.value.strip()):
            to.focus()
            return
        if self.email_unsaved():
            # Refused rather than saved on the fly: the test must show what the sync will really use.
            self.query_one("#p-test-answer", Static).update(Text(UNSAVED_EMAIL, style="yellow"))
            self.app.notify(UNSAVED_EMAIL, severity="warning")
            return
        self.query_one("#p-test-answer", Static).update(Text("Sending…", style="yellow"))
        self._send_test(to.value.strip())

    @work(thread=True, exclusive=True, exit_on_error=False, group="prefs-test")
    def _send_test(self, address: str) -> None:
        from studiosync.core.errors import StudioSyncError
        from studiosync.tui.backend import one_line

        try:
            answer = self.backend.send_test_email(address)
        except StudioSyncError as exc:
            self.post_message(self.TestAnswer(one_line(exc), ok=False))
            return
        self.post_message(self.TestAnswer(answer, ok=True))

    @on(TestAnswer)
    def _answer(self, event: TestAnswer) -> None:
        label = "Server answered: " if event.ok else "Failed: "
        # The server's words are untrusted text: plain Text, never markup.
        self.query_one("#p-test-answer", Static).update(
            Text.assemble((label, "bold green" if event.ok else "bold red"), event.answer)
        )

    def palette(self) -> list[PaletteCommand]:
        return [
            PaletteCommand(
                "prefs: send test email", self.action_test_email, "send a test email and show the answer"
            ),
            PaletteCommand("prefs: save email settings", self._save_email, "save the SMTP settings"),
            PaletteCommand("prefs: save Google settings", self._save_google, "save the Google API settings"),
        ]
