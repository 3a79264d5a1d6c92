"""The per-user checks: the user, their Google tab, and their last run.

`gather` collects the facts once (store reads; with `live`, one token refresh and one calendar listing);
each check function is then a plain decision over those facts. Without `live` (the studio-wide verdicts)
nothing leaves this computer: authorization and calendar are judged from what is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from studiosync.core.doctor.checks import ago, make
from studiosync.core.doctor.live import refresh
from studiosync.core.doctor.report import Check
from studiosync.core.errors import StudioSyncError
from studiosync.core.explain import (
    AUTHENTICATE_FIX,
    PICK_CALENDAR_FIX,
    Explanation,
    explain_cause,
    explain_exception,
)
from studiosync.core.model import GooglePrefs, User

if TYPE_CHECKING:
    from studiosync.core.google.tokens import StoredToken
    from studiosync.core.health import UserHealth
    from studiosync.core.studio.google_accounts import CalendarInfo
    from studiosync.core.studio.studio import Studio

_TAB = "Google tab"  # Maintenance > Preferences > User Preferences > Google
_SET = "studiosync google set LOGIN"


@dataclass
class UserFacts:
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
    from studiosync.core.health import user_health

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
    for appt in studio.appointments.list(facts.login):
        if appt.google_event_id:
            continue
        facts.unlinked += 1
        if changed_before_sync(appt.updated, enabled_at):
            facts.older += 1


# -- the checks, in checklist order --------------------------------------------------------------------
def user_is_staff(f: UserFacts) -> Check:
    if f.user is None:
        return make(
            "user_is_staff",
            "fail",
            f"There is no user '{f.login}'.",
            "Maintenance > General > Users: add the user (CLI: studiosync users add LOGIN --name NAME); "
            "see who exists: studiosync users list",
            login=f.login,
        )
    if not f.user.can_sync:
        return make(
            "user_is_staff",
            "fail",
            f"'{f.login}' ({f.user.name}) is a resource; resources such as locations or rooms can NOT sync with Google.",
            "Set up Google sync for a staff user instead (see studiosync users list); resources stay in the "
            "studio only.",
        )
    return make(
        "user_is_staff", "pass", f"'{f.login}' ({f.user.name}) is a staff user and can sync with Google."
    )


def sync_enabled(f: UserFacts) -> Check:
    if f.prefs.enabled:
        since = f" (since {f.prefs.enabled_at[:10]})" if f.prefs.enabled_at else ""
        return make("sync_enabled", "pass", f"Enable Google Sync is checked{since}.")
    return make(
        "sync_enabled",
        "fail",
        "Enable Google Sync is not checked: the Google Sync Processor skips this user.",
        f"{_TAB}: check Enable Google Sync (CLI: {_SET} --enable)",
        login=f.login,
    )


def account_authenticated(f: UserFacts) -> Check:
    name = "account_authenticated"
    if f.token_error is not None:
        found = explain_exception(f.token_error).for_login(f.login)
        return make(
            name, "fail", f"The stored Google authorization cannot be read: {found.message}", found.fix
        )
    if f.token is None:
        return make(
            name,
            "fail",
            "No Google account is authenticated (the button says Authenticate My Google Account).",
            AUTHENTICATE_FIX,
            login=f.login,
        )
    who = f.account or "a Google account"
    if not f.live:
        return make(
            name, "pass", f"Authenticated as {who} (not tested live; run: studiosync doctor {f.login})."
        )
    if f.auth_problem is not None:
        p = f.auth_problem
        if p.transient:
            return make(
                name,
                "warn",
                f"Authenticated as {who}, but the authorization could not be tested: {p.message}",
                p.fix,
            )
        return make(
            name, "fail", f"Authenticated as {who}, but the authorization does not work: {p.message}", p.fix
        )
    return make(
        name, "pass", f"Authenticated as {who}; the authorization works (a token was refreshed just now)."
    )


def account_unique(f: UserFacts) -> Check:
    email = f.account
    if not email:
        return make(
            "account_unique", "pass", "No Google account is linked yet, so none is shared with another user."
        )
    shared = sorted(p.login for p in f.others if p.account_email and p.account_email.lower() == email.lower())
    if shared:
        who = ", ".join(shared)
        return make(
            "account_unique",
            "fail",
            f"Google account {email} is also linked to {who}; each user must sync to a different Google account.",
            f"On the Google tab of {shared[0]} (or LOGIN) click Remove My Google Account and authenticate that "
            f"user's own account (CLI: studiosync google remove {shared[0]}, then studiosync google auth {shared[0]}).",
            login=f.login,
        )
    return make("account_unique", "pass", f"Google account {email} is linked to {f.login} only.")


def calendar_selected(f: UserFacts) -> Check:
    name = "calendar_selected"
    if not f.prefs.calendar_id:
        return make(name, "fail", "No Google calendar is selected.", PICK_CALENDAR_FIX, login=f.login)
    label = f.calendar_label
    if not f.live:
        return make(
            name, "pass", f"Calendar {label} is selected (not tested live; run: studiosync doctor {f.login})."
        )
    if f.calendar_problem is not None:
        p = f.calendar_problem
        return make(
            name,
            "warn" if p.transient else "fail",
            f"Calendar {label} could not be checked: {p.message}",
            p.fix,
        )
    if f.calendars is None:
        return make(
            name,
            "warn",
            f"Calendar {label} is selected but cannot be checked until the Google authorization works.",
            "Fix 'Google account authenticated' first, then run the doctor again.",
        )
    cal = f.calendar
    if cal is None:
        gone = explain_cause("calendar_gone")
        return make(
            name,
            "fail",
            f"Calendar {label} is not among {f.account or 'the account'}'s calendars: {gone.message}",
            PICK_CALENDAR_FIX,
            login=f.login,
        )
    if not cal.writable:
        ro = explain_cause("calendar_read_only")
        return make(
            name, "fail", f"Calendar '{cal.summary}' is read-only ({cal.access_role}): {ro.message}", ro.fix
        )
    return make(name, "pass", f"Calendar '{cal.summary}' exists and is writable ({cal.access_role}).")


def populate(f: UserFacts) -> Check:
    p = f.prefs
    name = "populate"
    if p.populate_studio and not p.two_way:
        return make(
            name,
            "warn",
            "Populate (Google -> studio) is checked but waits for the two-way sync, so it never runs.",
            f"{_TAB}: check Send New, Modified, and Deleted Google Appointments (CLI: {_SET} --two-way), "
            f"or uncheck Populate (CLI: {_SET} --no-populate-studio)",
            login=f.login,
        )
    plans = []
    if p.populate_google:
        plans.append(f"send the {f.unlinked} studio appointment(s) not yet in Google to Google")
    if p.populate_studio:
        plans.append("bring the existing events of the Google calendar into the studio")
    if plans:
        return make(
            name,
            "warn",
            f"Populate is pending: the next sync will {' and '.join(plans)}; the boxes uncheck themselves when done.",
            "Nothing to do if that is wanted; otherwise uncheck Populate on the Google tab "
            f"(CLI: {_SET} --no-populate-google --no-populate-studio)",
            login=f.login,
        )
    older = (
        f" {f.older} studio appointment(s) from before sync was enabled are not in Google." if f.older else ""
    )
    return make(
        name,
        "pass",
        f"Populate is unchecked: only appointments changed since sync was enabled go over.{older}",
        f"To copy older appointments once: {_TAB}: check Populate (CLI: {_SET} --populate-google --populate-studio)",
        login=f.login,
    )


def two_way(f: UserFacts) -> Check:
    if f.prefs.two_way:
        return make(
            "two_way",
            "pass",
            "Two-way: new, modified and deleted Google appointments also come into the studio.",
            f"For studio -> Google only: {_TAB}: uncheck Send New, Modified, and Deleted Google Appointments "
            f"(CLI: {_SET} --no-two-way)",
            login=f.login,
        )
    return make(
        "two_way",
        "pass",
        "One-way: studio appointments go to Google, but appointments added or changed in Google are not brought back.",
        f"For a two-way sync: {_TAB}: check Send New, Modified, and Deleted Google Appointments (CLI: {_SET} --two-way)",
        login=f.login,
    )


def tentative(f: UserFacts) -> Check:
    if f.prefs.tentative:
        note = "" if f.prefs.two_way else " (takes effect only with the two-way sync)"
        return make(
            "tentative", "pass", f"Tentative, non-confirmed Google appointments are downloaded too{note}."
        )
    who = f.account or "the synced Google account"
    return make(
        "tentative",
        "pass",
        "Tentative (not yet accepted) Google appointments are not downloaded. Hint: check it if the phone is an "
        f"Android or HTC, or if {who} is not the primary Google account on the phone.",
        f"{_TAB}: check Download Tentative, Non-Confirmed Appointments (CLI: {_SET} --tentative)",
        login=f.login,
    )


def contacts_group(f: UserFacts, groups: dict[str, str]) -> Check:
    """`groups` = id -> name of the existing client groups."""
    name = "contacts_group"
    fix = (
        f"{_TAB} > Client Group: pick an existing group (new one: Maintenance > Client > Client Groups, CLI: "
        f"studiosync groups add NAME; then {_SET} --client-group NAME)"
    )
    p = f.prefs
    if not p.contacts:
        return make(
            name,
            "pass",
            "Google contacts are not synced (optional).",
            f"To import them: {_TAB}: check Send New and Modified Google Contacts and pick a Client Group "
            f"(CLI: {_SET} --contacts --client-group NAME)",
            login=f.login,
        )
    if not p.client_group:
        return make(name, "fail", "Contacts sync is on but no client group is selected.", fix, login=f.login)
    if p.client_group not in groups:
        return make(
            name,
            "fail",
            "Contacts sync is on but the selected client group no longer exists.",
            fix,
            login=f.login,
        )
    return make(name, "pass", f"Google contacts come into client group '{groups[p.client_group]}'.")


def warn_email(f: UserFacts) -> Check:
    from studiosync.core.mail import validate_email_address

    name = "warn_email"
    fix = (
        f"{_TAB}: check Email Warnings and Errors to Me and enter an address (CLI: {_SET} --warn-email ADDR)"
    )
    address = f.prefs.warn_email
    if not address:
        return make(
            name,
            "fail",
            "Email Warnings and Errors to Me is off (required: nobody would hear about sync failures).",
            fix,
            login=f.login,
        )
    try:
        validate_email_address(address)
    except StudioSyncError as exc:
        return make(name, "fail", f"The warning address is not valid: {exc.message}", fix, login=f.login)
    return make(name, "pass", f"Warnings and errors are emailed to {address}.")


def detailed_logs(f: UserFacts) -> Check:
    name = "detailed_logs"
    if not f.prefs.detailed_logs:
        return make(
            name,
            "pass",
            "Detailed sync logs are not emailed (optional; they help during the first days of syncing).",
            f"{_TAB}: check Email Detailed Sync Logs to Me (CLI: {_SET} --detailed-logs)",
            login=f.login,
        )
    if not f.prefs.warn_email:
        return make(
            name,
            "warn",
            "Email Detailed Sync Logs to Me is checked, but there is no address to send them to.",
            f"{_TAB}: enter the address under Email Warnings and Errors to Me (CLI: {_SET} --warn-email ADDR)",
            login=f.login,
        )
    return make(
        name,
        "pass",
        f"Detailed sync logs are emailed to {f.prefs.warn_email}; after a few days of good syncs they can be turned off.",
        f"{_TAB}: uncheck Email Detailed Sync Logs to Me (CLI: {_SET} --no-detailed-logs)",
        login=f.login,
    )


def mobile(f: UserFacts) -> Check:
    """Phones show an account's primary calendar by default; a secondary one must be switched on there.

    Live, the calendar listing the doctor already fetched says which is primary; otherwise (the studio-wide
    verdicts, or a failed listing) Google's rule stands in: the primary calendar's id is the account's
    address."""
    name = "mobile"
    who = f.account or "the Google account"
    add = (
        f"On the phone add {who} (Android: Settings > Accounts > Add account > Google; iPhone: Settings > "
        "Calendar > Accounts > Add Account > Google) with Calendar sync on"
    )
    calendar_id = f.prefs.calendar_id
    if not calendar_id:
        return make(name, "pass", "No calendar is selected yet (see Google calendar above).", add)
    cal = f.calendar
    if cal is not None:
        primary, summary = cal.primary, cal.summary
    else:
        primary = calendar_id == "primary" or bool(f.account and calendar_id.lower() == f.account.lower())
        summary = f.prefs.calendar_summary or calendar_id
    if primary:
        return make(
            name,
            "pass",
            f"Calendar '{summary}' is the primary calendar of {who}, which phones show by default: add the "
            "account on the phone with Calendar sync on.",
            add + "; the studio's appointments then show in the phone's calendar app.",
        )
    return make(
        name,
        "warn",
        f"Calendar '{summary}' is not the primary calendar of {who}: phones show only the primary calendar by default, so "
        "these appointments stay hidden on the phone until this calendar is switched on there.",
        f"Android: Google Calendar app > Settings > {who} > '{summary}' > Sync on; iPhone: Settings > Calendar > "
        f"Accounts > {who}: Calendars on, and tick '{summary}' at calendar.google.com/calendar/syncselect "
        f"(or sync to the primary calendar: {_SET} --calendar ID)",
        login=f.login,
    )


def last_run(f: UserFacts) -> Check:
    name = "last_run"
    h = f.health
    if h is None:
        return make(name, "pass", "No sync history.")
    if h.status == "failing":
        explained = h.last_error_cause or "unknown"
        runs = f"{h.consecutive_failures} run(s) in a row" if h.consecutive_failures > 1 else "the last run"
        when = f" ({ago(h.attempt_age_s)})" if h.attempt_age_s is not None else ""
        return make(
            name,
            "fail",
            f"Sync failed in {runs}{when}: {h.last_error or explain_cause(explained).message}",
            h.last_error_fix or explain_cause(explained).fix,
            login=f.login,
        )
    if h.last_sync is None:
        if not f.prefs.enabled:
            return make(name, "pass", "No sync has run for this user (Google sync is off).")
        return make(
            name,
            "warn",
            "Google sync is enabled but no sync has run for this user yet.",
            "Utilities > Control Center: make sure the Google Sync Processor job is enabled and its computer is "
            "on (see the sync_job check); or sync now: studiosync sync LOGIN",
            login=f.login,
        )
    counts = f"; last run: {h.last_run_summary}" if h.last_run_summary else ""
    warnings = (
        f"; {len(h.last_run_warnings)} warning(s): {h.last_run_warnings[0]}" if h.last_run_warnings else ""
    )
    status = "warn" if h.last_run_warnings else "pass"
    return make(name, status, f"Last successful sync {ago(h.lag_s)}{counts}{warnings}.")


def held_deletions(f: UserFacts) -> Check:
    """The mass-deletion guard's hold: both sides are kept as they were until someone decides."""
    name = "held_deletions"
    held = f.health.held if f.health else None
    if not held:
        return make(name, "pass", "No deletions are held back.")
    return make(name, "fail", f"{held['message']} (held since {held['since']}).", held["fix"], login=f.login)


def per_user_checks(f: UserFacts, groups: dict[str, str]) -> list[Check]:
    """All per-user checks except the studio-wide ones interleaved by the caller."""
    first = user_is_staff(f)
    if first.failed:
        return [first]  # nothing else about a missing user or a resource means anything
    return [
        first,
        sync_enabled(f),
        account_authenticated(f),
        account_unique(f),
        calendar_selected(f),
        populate(f),
        two_way(f),
        tentative(f),
        contacts_group(f, groups),
        warn_email(f),
        detailed_logs(f),
        mobile(f),
        last_run(f),
        held_deletions(f),
    ]
