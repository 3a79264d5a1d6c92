"""The studio's domain as dataclasses.

Stored documents are plain JSON; these classes are what services hand to the CLI and the console.
Times are timezone-aware datetimes (ISO 8601 with offset on disk); all-day appointments use dates
with an exclusive end, as Google does.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any, Literal, TypeVar

if TYPE_CHECKING:  # annotations only: `users list` never needs the datetime module
    from datetime import date, datetime

UserKind = Literal["staff", "resource"]
AppointmentStatus = Literal["confirmed", "tentative"]
Origin = Literal["studio", "google"]
Security = Literal["none", "starttls", "ssl"]

USER_KINDS: tuple[str, ...] = ("staff", "resource")
STATUSES: tuple[str, ...] = ("confirmed", "tentative")
SECURITIES: tuple[str, ...] = ("none", "starttls", "ssl")
NO_TITLE = "(No title)"  # shown for an untitled event, as Google Calendar does; never stored

T = TypeVar("T")


def from_doc(cls: type[T], doc: dict[str, Any]) -> T:
    """Build a dataclass from a stored document, ignoring unknown keys (written by newer versions)."""
    names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    return cls(**{k: v for k, v in doc.items() if k in names})


def to_doc(obj: Any) -> dict[str, Any]:
    return asdict(obj)


@dataclass
class User:
    login: str
    name: str
    kind: UserKind = "staff"
    admin: bool = False
    password_hash: str | None = None
    created: str = ""

    @property
    def can_sync(self) -> bool:
        # Seed: "Resources such as locations or rooms can NOT sync with Google."
        return self.kind == "staff"

    def public(self) -> dict[str, Any]:
        return {
            "login": self.login,
            "name": self.name,
            "kind": self.kind,
            "admin": self.admin,
            "has_password": self.password_hash is not None,
            "created": self.created,
        }


@dataclass
class ClientGroup:
    id: str
    name: str


@dataclass
class Client:
    id: str
    name: str
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    group: str | None = None  # group id
    origin: Origin = "studio"
    google_resource: str | None = None  # People API resourceName ("people/c123")
    google_owner: str | None = None  # login of the user whose contacts it came from
    google_etag: str | None = None
    # What Google last said (for the owner's contact): a value Google drops is dropped here too, while
    # values typed in the studio stay -- a three-way merge, not a blind union or overwrite.
    google_emails: list[str] = field(default_factory=list)
    google_phones: list[str] = field(default_factory=list)
    created: str = ""
    updated: str = ""


@dataclass
class TraceEntry:
    """One line of an appointment's sync history (answers "why isn't this in Google?")."""

    time: str
    action: str  # created, changed, deleted, pushed, pulled, conflict, error...
    detail: str = ""
    run_id: str | None = None


@dataclass
class Appointment:
    id: str
    user: str
    title: str
    start: datetime | date
    end: datetime | date
    all_day: bool = False
    status: AppointmentStatus = "confirmed"
    notes: str = ""
    origin: Origin = "studio"
    # Sync bookkeeping: `revision` is bumped on every change; the appointment is dirty while
    # revision > synced_revision. A deleted appointment stays as a tombstone until the deletion synced.
    revision: int = 1
    synced_revision: int = 0
    deleted: bool = False
    created: str = ""
    updated: str = ""
    google_event_id: str | None = None
    google_etag: str | None = None
    google_updated: str | None = None
    sync_error: str | None = None
    trace: list[dict[str, Any]] = field(default_factory=list)
    # The synced base (core.sync.synced): each field's value as both sides held it after the last sync,
    # plus the Google event's own time zones, so a run can tell which side changed which field.
    # None: never synced, or last synced before bases were kept.
    synced: dict[str, Any] | None = None
    # What Google says about the event, kept by the sync (never edited in the studio; core.studio.
    # event_kinds says what the studio may do with it): Google's eventType (None: "default", or not from
    # Google), whether it blocks time ("Show me as": transparency), and the organizer's email when someone
    # else organizes it (an invitation this account is a guest of; `guests_can_modify`: its guests may edit).
    google_event_type: str | None = None
    busy: bool = True
    organizer: str | None = None
    guests_can_modify: bool = False
    # The revision whose change Google refused for good (core.sync.failures.is_refusal): never sent again;
    # a later change (a new revision) is. 0: none.
    refused_revision: int = 0

    @property
    def dirty(self) -> bool:
        return self.revision > self.synced_revision

    @property
    def display_title(self) -> str:
        """The title as people see it: an untitled Google event is stored untitled ("") and shown as
        Google Calendar shows it."""
        return self.title if self.title.strip() else NO_TITLE

    @property
    def refused(self) -> bool:
        """Google refused this very version for good: it is not sent again."""
        return self.refused_revision == self.revision and self.dirty


def content_snapshot(appt: Appointment) -> dict[str, Any]:
    """The shared fields of an appointment as a synced-base record (core.sync.synced reads it back).

    All-day is the form of start/end: dates (all-day, end exclusive) or date-times."""
    return {
        "title": appt.title,
        "notes": appt.notes or "",
        "start": appt.start.isoformat(),
        "end": appt.end.isoformat(),
        "status": appt.status,
    }


@dataclass
class GooglePrefs:
    """A user's Google tab (Maintenance > Preferences > User Preferences > Google)."""

    login: str
    enabled: bool = False
    account_email: str | None = None
    calendar_id: str | None = None
    calendar_summary: str | None = None
    populate_google: bool = False
    populate_studio: bool = False
    two_way: bool = False
    tentative: bool = False
    contacts: bool = False
    client_group: str | None = None  # group id
    warn_email: str | None = None  # "Email Warnings and Errors to Me": on when an address is set
    detailed_logs: bool = False
    enabled_at: str | None = None
    last_sync: str | None = None  # last successful sync
    last_attempt: str | None = None
    last_error: str | None = None
    last_error_cause: str | None = None
    last_error_fix: str | None = None
    consecutive_failures: int = 0
    escalated: bool = False


@dataclass
class EmailPrefs:
    host: str = ""
    port: int = 587
    security: Security = "starttls"
    username: str | None = None
    from_addr: str = ""
    has_password: bool = False
    # The admin's explicit word that a password may travel in clear (security none) to this host.
    allow_plaintext: bool = False

    @property
    def configured(self) -> bool:
        return bool(self.host and self.from_addr)


@dataclass
class GoogleApiPrefs:
    client_secrets_source: str | None = None  # where the admin's file came from
    client_id: str | None = None
    client_type: str | None = None  # installed | web
    api_endpoint: str | None = None  # None = real Google
    # The admin's word that the OAuth app is "In production" on Google's consent screen: apps left in
    # "Testing" lose every user's authorization after 7 days, and the client file cannot tell us which.
    app_published: bool = False
    # The Calendar request budget the processor keeps to (core.google.budget): Google's documented default
    # quotas unless the project's were changed in Google Cloud.
    per_user_per_minute: int = 600
    per_project_per_minute: int = 10_000


DEFAULT_STUDIO_NAME = "studiosync"
DEFAULT_IDLE_MINUTES = 30


@dataclass
class WebPrefs:
    """The browser console (`studiosync web`)."""

    # The address people open (the TLS reverse proxy's), e.g. https://studio.example.com. With a Google
    # "web" OAuth client, sign-in comes straight back to <public_url>/oauth2callback.
    public_url: str | None = None
    idle_minutes: int = DEFAULT_IDLE_MINUTES  # a browser session with no input for this long logs out


@dataclass
class CompanyPrefs:
    name: str = DEFAULT_STUDIO_NAME  # the studio's name: the browser console's page title
    timezone: str = "UTC"
    email: EmailPrefs = field(default_factory=EmailPrefs)
    google: GoogleApiPrefs = field(default_factory=GoogleApiPrefs)
    escalate_to_admins: bool = True
    escalate_after: int = 3
    # Alert emails (core.alerts): while a problem lasts, a reminder every this many hours (0: none).
    alert_remind_hours: int = 24
    # The mass-deletion guard: a run deleting more than this many of a user's linked items on one side AND
    # more than this share of them deletes none (core.sync.options.DeletionLimits says why both).
    deletion_max_count: int = 10
    deletion_max_percent: int = 25
    web: WebPrefs = field(default_factory=WebPrefs)
