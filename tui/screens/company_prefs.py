"""Company (Studio) Preferences: studio time zone, the Email tab (SMTP) and the Google API settings.

The fields live in tui.screens.prefs_form; this view loads them, validates them (only once the stored
values are in: nothing flashes red while loading), saves each part, and knows which parts hold unsaved
edits, so leaving asks Save / Discard / Stay.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from studiosync.core.errors import StudioSyncError
from studiosync.core.model.company import CompanyPrefs
from studiosync.tui.failures import one_line
from studiosync.tui.rows import EMAIL_RE
from studiosync.tui.safe_text import Text
from studiosync.tui.screens.prefs_form import FOCUS_PART, PART_NAMES, PARTS, UNSAVED_EMAIL, compose_prefs
from studiosync.tui.screens.view import View
from studiosync.tui.widgets.field import Field
from studiosync.tui.widgets.form import check_form, explain_invalid, problems_of
from studiosync.tui.widgets.note import Note
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Button, Checkbox, Input, Select, Static


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
* **Google API**: the OAuth client secrets file downloaded from Google Cloud (an OAuth client of type
  *Desktop app*), and the API root (leave empty for real Google; the demo points it to its emulator).
* **App published on Google**: Google apps left in *Testing* status lose every user's authorization after
  7 days. Publish the app (Google Cloud Console > OAuth consent screen > Publish app, status *In
  production*), then tick this box; it is saved as soon as it is ticked. The doctor reads it.

* **Mass deletions**: a sync run that would delete more than *More than* of a user's linked appointments or
  events on one side, and more than *And over (%)* of them, deletes none of them: the user shows *deletions
  held* until someone decides on the Dashboard (`h` applies them, `u` undoes them; CLI: `studiosync sync
  LOGIN --allow-deletions | --restore-deleted`). 100% turns the guard off (CLI: `studiosync prefs
  deletions`).

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
        def __init__(self, what: list[str]) -> None:
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
    _ready = False  # the stored values are in the fields: validate from now on
    _clean: dict[str, dict[str, Any]]
    _after_save: Callable[[], object] | None = None

    def compose(self) -> ComposeResult:
        yield from compose_prefs()

    def reload(self) -> None:
        if not self.unsaved():
            self._load()  # coming back must never overwrite what was typed and not saved

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
        self.query_one("#p-budget-user", Field).value = str(g.per_user_per_minute)
        self.query_one("#p-budget-project", Field).value = str(g.per_project_per_minute)
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
        self._clean = {part: self.part_values(part) for part in PARTS}
        self._ready = True
        self._validate()
        self.loaded()

    # -- parts ---------------------------------------------------------------------------------------
    def part_values(self, part: str) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for widget_id in PARTS[part][1]:
            widget = self.query_one(f"#{widget_id}")
            value = widget.value  # type: ignore[attr-defined]
            values[widget_id] = value.strip() if isinstance(value, str) and widget_id != "p-password" else value
        return values

    def dirty_parts(self) -> list[str]:
        if not self._ready:
            return []
        return [part for part in PARTS if self.part_values(part) != self._clean.get(part)]

    def unsaved(self) -> bool:
        return bool(self.dirty_parts())

    def _part_fields(self, part: str) -> list[Field]:
        return [self.query_one(f"#{i}", Field) for i in PARTS[part][0]]

    def _cross(self, part: str) -> dict[str, str | None]:
        if part != "email":
            return {}
        user, password = self.query_one("#p-user", Field).value.strip(), self.query_one("#p-password", Field).value
        return {"p-password-why": "a password needs a username" if password and not user else None}

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _validate(self) -> None:
        if not self._ready:
            return  # still loading: an empty field is not a wrong one
        for part, (_fields, _saved, button) in PARTS.items():
            check_form(self, self._part_fields(part), self.query_one(f"#{button}", Button), self._cross(part))
        check_form(self, [self.query_one("#p-test-to", Field)], self.query_one("#p-test", Button))

    def _problems(self, parts: list[str]) -> list[tuple[str, str, Any]]:
        found = []
        for part in parts:
            found += problems_of(self, self._part_fields(part), self._cross(part))
        return found

    # -- saving --------------------------------------------------------------------------------------
    def _values_to_save(self, part: str) -> dict[str, Any]:
        v = self.part_values(part)
        if part == "tz":
            return {"name": v["p-tz"]}
        if part == "email":
            return {
                "host": v["p-host"],
                "port": int(v["p-port"]),
                "security": str(v["p-security"]),
                "username": v["p-user"] or None,
                "password": v["p-password"] or None,
                "from_addr": v["p-from"],
            }
        if part == "google":
            return {"client_secrets": v["p-secrets"], "api_endpoint": v["p-api"] or None}
        if part == "budget":
            return {
                "per_user": int(v["p-budget-user"].replace(",", "")),
                "per_project": int(v["p-budget-project"].replace(",", "")),
            }
        if part == "deletions":
            return {"max_count": int(v["p-del-count"]), "max_percent": int(v["p-del-percent"])}
        return {
            "enabled": v["p-escalate"],
            "after": int(v["p-escalate-after"]),
            "remind_hours": int(v["p-remind-hours"]),
        }

    def save_parts(self, parts: list[str], then: Callable[[], object] | None = None) -> bool:
        """Save these parts (all valid, or nothing is saved and the problems are named)."""
        problems = self._problems(parts)
        if problems:
            explain_invalid(self, problems)
            return False
        if not parts:
            if then is not None:
                then()
            return True
        self._after_save = then
        self._save([(part, self._values_to_save(part)) for part in parts])
        return True

    def save_form(self, then: Callable[[], object] | None = None) -> bool:
        return self.save_parts(self.dirty_parts(), then)

    def discard_form(self) -> None:
        if self.prefs is not None:
            self._ready = False
            self.post_message(self.Loaded(self.prefs))

    def action_save(self) -> None:
        """prefs: save -- every part with unsaved edits."""
        if not self.dirty_parts():
            self.app.notify("Nothing to save: the company preferences are as stored.")
            return
        self.save_form()

    def action_save_focused(self) -> None:
        """ctrl+s saves the part the focus is in; elsewhere every changed part. Invalid: says why."""
        focused = self.app.focused
        part = FOCUS_PART.get(getattr(focused, "id", "") or "")
        if part is None:
            self.action_save()
        else:
            self.save_parts([part])

    @on(Button.Pressed, ".save")
    def _save_pressed(self, event: Button.Pressed) -> None:
        part = next((p for p, (_f, _s, button) in PARTS.items() if button == event.button.id), None)
        if part is not None:
            self.save_parts([part])

    @work(thread=True, exclusive=True, exit_on_error=False, group="prefs-save")
    def _save(self, parts: list[tuple[str, dict[str, Any]]]) -> None:
        saved: list[str] = []
        for part, values in parts:
            if part == "tz":
                self.backend.set_timezone(values["name"])
            elif part == "email":
                self.backend.set_email(**values)
            elif part == "escalation":
                self.backend.set_escalation(values["enabled"], values["after"])
                self.backend.set_alert_reminder(values["remind_hours"])
            elif part == "budget":
                self.backend.set_request_budget(**values)
            elif part == "deletions":
                self.backend.set_deletion_limits(values["max_count"], values["max_percent"])
            else:
                self.backend.set_google_api(values["client_secrets"], values["api_endpoint"])
            saved.append(PART_NAMES[part])
        self.post_message(self.Saved(saved))

    @on(Saved)
    def _saved(self, event: Saved) -> None:
        self.app.notify(f"Saved the {' and '.join(event.what)}.")
        then, self._after_save = self._after_save, None
        self._ready = False
        self._load()
        if then is not None:
            then()

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
    def email_unsaved(self) -> bool:
        return "email" in self.dirty_parts()

    @on(Button.Pressed, "#p-test")
    def action_test_email(self) -> None:
        to = self.query_one("#p-test-to", Field)
        if not EMAIL_RE.match(to.value.strip()):
            check_form(self, [to], self.query_one("#p-test", Button))
            problem = f"{to.value.strip()!r} is not an email address" if to.value.strip() else "enter an address"
            explain_invalid(self, [("Test to", problem, to)])
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
