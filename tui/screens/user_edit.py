"""Add or edit a user or resource (Maintenance > General > Users)."""

from __future__ import annotations

from studiosync.core.model.users import User
from studiosync.core.studio.users import LOGIN_RE
from studiosync.tui.screens.modal import DialogBody, Modal
from studiosync.tui.widgets.field import Field
from studiosync.tui.widgets.form import check_form, explain_invalid, problems_of, rule
from studiosync.tui.widgets.note import Note
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Checkbox, Label, Select, Static


class UserEditScreen(Modal[bool]):
    """Returns True when saved."""

    AREA = "user"
    BINDINGS = [
        Binding("escape", "close", "Cancel", id="user_edit.cancel"),
        Binding("ctrl+s", "save", "Save", id="user_edit.save"),
    ]
    DEFAULT_CSS = """
    UserEditScreen .row { height: auto; }
    UserEditScreen Label { width: 12; padding-top: 1; }
    UserEditScreen Note { padding: 0 0 0 12; }
    UserEditScreen Checkbox { margin-left: 11; }
    """

    class Saved(Message):
        pass

    def __init__(self, user: User | None = None) -> None:
        super().__init__()
        self.user = user

    def compose(self) -> ComposeResult:
        user = self.user
        with Vertical(classes="dialog"):
            yield Static(
                f"Edit user {user.login}" if user else "Add a user or resource",
                classes="dialog-title",
                markup=False,
            )
            with DialogBody():
                with Horizontal(classes="row"):
                    yield Label("Login")
                    yield Field(
                        user.login if user else "",
                        id="user-login",
                        disabled=user is not None,
                        validators=[
                            rule(
                                lambda v: bool(LOGIN_RE.match(v)),
                                "1-32 lowercase letters, digits . _ -; starts with a letter",
                            )
                        ],
                    )
                yield Note("What they type to log in; cannot change later.", id="user-login-why")
                with Horizontal(classes="row"):
                    yield Label("Name")
                    yield Field(
                        user.name if user else "",
                        id="user-name",
                        validators=[rule(lambda v: bool(v.strip()), "a name is required")],
                    )
                yield Note("Shown as photographer/assistant on appointments.", id="user-name-why")
                with Horizontal(classes="row"):
                    yield Label("Kind")
                    yield Select(
                        [
                            ("staff (a person; can sync with Google)", "staff"),
                            ("resource (a room or location; cannot sync)", "resource"),
                        ],
                        value=user.kind if user else "staff",
                        allow_blank=False,
                        id="user-kind",
                        disabled=user is not None,
                    )
                yield Checkbox(
                    "Admin (sees and changes everything)", value=bool(user and user.admin), id="user-admin"
                )
                with Horizontal(classes="row"):
                    yield Label("Password")
                    yield Field(
                        password=True, id="user-password", placeholder="blank: keep" if user else "optional"
                    )
                with Horizontal(classes="row"):
                    yield Label("Again")
                    yield Field(password=True, id="user-password2")
                yield Note("Needed to log in once any admin has a password.", id="user-password-why")
                yield Static("", classes="dialog-error")
            with Horizontal(classes="buttons"):
                yield Button("Save", variant="primary", id="save", disabled=True)
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self._validate()
        self._initial = self._values()
        self.query_one("#user-name" if self.user else "#user-login", Field).focus()

    def _values(self) -> tuple[object, ...]:
        fields = ("user-login", "user-name", "user-password", "user-password2")
        return (
            *(self.query_one(f"#{i}", Field).value for i in fields),
            self.query_one("#user-kind", Select).value,
            self.query_one("#user-admin", Checkbox).value,
        )

    def unsaved(self) -> bool:
        return self._values() != getattr(self, "_initial", self._values())

    def save_form(self, then: object = None) -> bool:
        self.action_save()
        return True

    def cancel_value(self) -> bool:
        return False

    def _fields(self) -> list[Field]:
        fields = [self.query_one("#user-name", Field)]
        if self.user is None:
            fields.insert(0, self.query_one("#user-login", Field))
        return fields

    def _cross(self) -> dict[str, str | None]:
        p1 = self.query_one("#user-password", Field).value
        p2 = self.query_one("#user-password2", Field).value
        return {"user-password-why": "the two passwords differ" if p1 != p2 else None}

    @on(Field.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _validate(self) -> bool:
        self.say_error(None)
        return check_form(self, self._fields(), self.query_one("#save", Button), self._cross())

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_close()

    @on(Button.Pressed, "#save")
    @on(Field.Submitted)
    def action_save(self) -> None:
        if not self._validate():
            explain_invalid(self, problems_of(self, self._fields(), self._cross()))
            return
        self._save(
            self.query_one("#user-login", Field).value.strip(),
            self.query_one("#user-name", Field).value.strip(),
            str(self.query_one("#user-kind", Select).value),
            self.query_one("#user-admin", Checkbox).value,
            self.query_one("#user-password", Field).value or None,
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="user-save")
    def _save(self, login: str, name: str, kind: str, admin: bool, password: str | None) -> None:
        if self.user is None:
            self.backend.add_user(login, name, kind=kind, admin=admin, password=password)
        else:
            self.backend.update_user(self.user.login, name=name, admin=admin, password=password)
        self.post_message(self.Saved())

    @on(Saved)
    def _saved(self) -> None:
        self.dismiss(True)
