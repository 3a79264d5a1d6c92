"""What the doctor knows about one user, gathered once (`gather`): their user record, their Google tab,
everyone else's tab, their sync health, their stored token, and -- with `live` -- one token refresh and one
calendar listing. The per-user checks (core.doctor.user_checks, core.doctor.user_options) are plain
decisions over these facts.

Must never write anything, and never call Google unless `live` is asked for: the studio-wide verdicts are
judged from what is stored, and nothing leaves this computer for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from studiosync.core.doctor.live import refresh
from studiosync.core.errors import StudioSyncError
from studiosync.core.explain import Explanation, explain_exception
from studiosync.core.model.users import GooglePrefs, User

if TYPE_CHECKING:
    from studiosync.core.google.tokens import StoredToken
    from studiosync.core.health.users import UserHealth
    from studiosync.core.studio.google_accounts import CalendarInfo
    from studiosync.core.studio.studio import Studio

TAB = "Google tab"  # Maintenance > Preferences > User Preferences > Google
SET = "studiosync google set LOGIN"


@dataclass
class UserFacts:
    """Everything the per-user checks decide on for one user, gathered once (`gather`); the token refresh's
    and calendar listing's results come only from a live gather."""

    login: str
    user: User | None
    prefs: GooglePrefs
    others: list[GooglePrefs]  # everyone else's Google tab (one account per user)
    health: UserHealth | None
    live: bool
    token: StoredToken | None = None
    token_error: StudioSyncError | None = None
    auth_problem: Explanation | None = None
    calendars: list[CalendarInfo] | None = None
    calendar_problem: Explanation | None = None
    unlinked: int = 0  # studio appointments not in Google yet (what Populate Google would send)
    older: int = 0  # ... of which last changed before sync was enabled: only Populate sends those

    @property
    def account(self) -> str | None:
        return self.prefs.account_email or (self.token.account_email if self.token else None) or None

    @property
    def calendar(self) -> CalendarInfo | None:
        if self.calendars is None:
            return None
        return next((c for c in self.calendars if c.id == self.prefs.calendar_id), None)

    @property
    def calendar_label(self) -> str:
        p = self.prefs
        if p.calendar_summary and p.calendar_summary != p.calendar_id:
            return f"'{p.calendar_summary}' ({p.calendar_id})"
        return f"'{p.calendar_id}'"


def gather(studio: Studio, login: str, *, live: bool, timeout: float) -> UserFacts:
    from studiosync.core.health.users import user_health

    user = studio.users.find(login)
    prefs = studio.users.google_prefs(login)
    others = [p for p in studio.users.all_google_prefs() if p.login != login]
    facts = UserFacts(login, user, prefs, others, None, live)
    if user is None or not user.can_sync:
        return facts
    try:
        facts.token = studio.secrets.get(login)
    except StudioSyncError as exc:
        facts.token_error = exc
    facts.health = user_health(
        studio,
        user,
        prefs,
        authenticated=facts.token is not None,
        token_problem=facts.token_error.message if facts.token_error is not None else None,
    )
    if prefs.enabled or prefs.populate_google:
        _count_unlinked(studio, facts)
    if not live or facts.token is None:
        return facts
    try:
        credentials = studio.google.credentials(login)
        refresh(credentials, timeout)
    except Exception as exc:  # noqa: BLE001 - every failure is a finding, explained
        facts.auth_problem = explain_exception(exc, context="google").for_login(login)
        return facts
    if prefs.calendar_id:
        try:
            facts.calendars = studio.google.calendars(login, credentials=credentials, timeout=timeout)
        except Exception as exc:  # noqa: BLE001
            facts.calendar_problem = explain_exception(exc, context="google").for_login(login)
    return facts


def _count_unlinked(studio: Studio, facts: UserFacts) -> None:
    # Mirrors the processor's rule (core.sync.pairing.push_allowed): an unlinked appointment last
    # changed before Google sync was enabled goes to Google only through Populate.
    from studiosync.core.sync.mapping import changed_before_sync, parse_stamp

    enabled_at = parse_stamp(facts.prefs.enabled_at)
    for appt in studio.appointments.list(facts.login, skip_corrupt=True):  # the store check names the rest
        if appt.google_event_id:
            continue
        facts.unlinked += 1
        if changed_before_sync(appt.updated, enabled_at):
            facts.older += 1
