"""Company Preferences: the studio's name and zone, outgoing email, the Google API client and request
budget, the browser console, escalation, alert reminders and the mass-deletion limits. Plain data: never
does I/O, never validates (core.studio.prefs does)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Security = Literal["none", "starttls", "ssl"]
SECURITIES: tuple[str, ...] = ("none", "starttls", "ssl")


@dataclass
class EmailPrefs:
    """Company Preferences > Email: the SMTP server the studio's email goes out through (the password is a
    secret kept apart; `has_password` says one is set)."""

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
    """Company Preferences > Google: the OAuth client users sign in with, the API endpoint (real Google or an
    emulator) and the request budget."""

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
    """Company Preferences, whole: the studio's name and time zone, email, Google API, escalation, alert
    reminders, deletion limits and the browser console."""

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
