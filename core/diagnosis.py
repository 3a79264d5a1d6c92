"""One ordered diagnosis per user: what is wrong with their Google sync, the real cause first.

The dashboard, the Users screen, `studiosync status` (text and JSON), the doctor's per-user verdict and the
warning emails all show the FIRST finding of `diagnose(facts)`, so they can never disagree (issue 13 point 3:
after Remove My Google Account the dashboard blamed the calendar while the real cause was the account).

The order is the order a person has to fix things in -- each earlier cause makes the later ones
meaningless or unfixable:

 1. `resource`                a room or location: it cannot sync at all (the only finding).
 2. `token_unreadable`,       no usable Google account: nothing else can even be checked (the calendar
    `not_authenticated`       picker itself says "authenticate first").
 3. `grant_revoked`,          Google refused the account's authorization on the last run: re-authenticate
    `insufficient_scope`,     before anything else (a calendar cannot be listed without it).
    `oauth_client_invalid`
 4. `account_shared`          the same Google account is linked to another user: fix before syncing twice.
 5. `no_calendar`,            there is nowhere to sync to.
    `calendar_gone`,
    `calendar_read_only`
 6. `sync_off`                Enable Google Sync is off: the processor skips the user, so whatever its
                              last run said is history (nothing after this is reported).
 7. `deletions_held`          the mass-deletion guard holds deletions until a person decides: it stays until
                              someone acts, whatever else the last run met.
 8. <the last run's cause>    the last run failed (`network`, `quota`, `internal`, ...; core.explain's ids).
 9. `client_group_missing`    contacts are on but their client group is gone: contacts are not imported
                              (the run fails: someone must pick a group).
10. `run_warnings`            the last run finished with warnings.
11. `no_warn_email`           nobody hears about failures ("Email Warnings and Errors to Me" is required).
12. `never_synced`            enabled and set up, but no run yet (is the sync job running?).
13. `populate_waits`          Populate studio waits for the two-way sync, so it never runs.
14. `calendar_not_primary`    advice: phones show only the primary calendar by default.
15. `populate_pending`        advice: the next run populates.
16. `ok`

Codes are core.explain's cause ids wherever one exists (one vocabulary with the Google tab's
`last_error_cause`, the logs and the run records); the others are this module's own.

Severities: `error` (nothing or not everything syncs, or a person must decide), `warn` (it syncs, but
something needs attention), `note` (advice), `off` (not syncing, by choice or by nature), `ok`.

Pure: `diagnose` is a decision over plain facts (core.health gathers them from the store, the sync's
alerting from the run it just finished). It never reads the store, never calls Google, never sends.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from studiosync.core.explain import AUTHENTICATE_FIX, PICK_CALENDAR_FIX, explain_cause, fill_login

Severity = Literal["error", "warn", "note", "off", "ok"]
PROBLEMS: frozenset[str] = frozenset({"error", "warn"})  # what a warning email is about

_TAB = "Google tab"
_SET = "studiosync google set LOGIN"
# Last-run causes that belong to an earlier slot of the order (the account or the calendar).
ACCOUNT_CAUSES: frozenset[str] = frozenset({"grant_revoked", "insufficient_scope", "oauth_client_invalid"})
CALENDAR_CAUSES: frozenset[str] = frozenset({"calendar_gone", "calendar_read_only"})
HELD_CAUSE = "deletions_held"  # core.sync.held.CAUSE (the mass-deletion guard)
# The processor's set-up causes: what the Google tab and the token say NOW decides them, not an old run.
_JUDGED_NOW = frozenset({"not_authenticated", "no_calendar", "client_group_missing"})
WARNINGS_SHOWN = 1


@dataclass(frozen=True)
class Finding:
    """One thing the diagnosis says about a user's sync: its code and severity, the message and fix, and the
    doctor check that looks at the same thing."""

    code: str  # a stable id (see the module docstring)
    severity: Severity
    message: str  # one line: what is wrong
    fix: str = ""  # one line: what to do (the screen and field, and the CLI command)
    check: str | None = None  # the doctor check that looks at the same thing
    transient: bool = False  # it clears by itself (a network blip): alerts wait for a second run

    @property
    def problem(self) -> bool:
        return self.severity in PROBLEMS

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Facts:
    """What the diagnosis looks at: a user's Google tab, token, sync state and last run, as plain data."""

    login: str
    staff: bool = True  # False: a resource (room, location)
    enabled: bool = False  # Enable Google Sync
    authenticated: bool = False  # a token is stored
    token_problem: str | None = None  # the token store could not be read (its one-line reason)
    account_email: str | None = None
    shared_with: tuple[str, ...] = ()  # other users linked to the same Google account
    calendar_id: str | None = None
    calendar_summary: str | None = None
    held: dict[str, Any] | None = None  # deletions held back (core.sync.held.summary's shape)
    error: str | None = None  # the last run's error, while the user is failing
    error_cause: str | None = None
    error_fix: str | None = None
    warnings: tuple[str, ...] = ()  # the last run's warnings
    ran: bool = False  # a run was ever recorded
    warn_email: str | None = None
    warn_email_valid: bool = True
    contacts: bool = False
    client_group_exists: bool = True  # the chosen client group (contacts on) exists
    two_way: bool = True
    populate_google: bool = False
    populate_studio: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def diagnose(f: Facts) -> list[Finding]:
    """Every finding, in the order above; never empty (`ok` when nothing is wrong)."""
    if not f.staff:
        return [Finding("resource", "off", "A resource (room or location): it cannot sync with Google.", "")]
    found = [*_account(f), *_calendar(f)]
    if not f.enabled:
        found.append(_sync_off(f))
        return [_off(x) for x in found]  # sync is off: set-up steps are not failures, the rest is history
    found += _after_set_up(f, covered={x.code for x in found})
    return found or [Finding("ok", "ok", "Syncing normally.", "")]


def first(findings: list[Finding]) -> Finding:
    return findings[0]


def first_problem(findings: list[Finding]) -> Finding | None:
    """The first error or warning (what a warning email is about); None when the user syncs cleanly."""
    return next((x for x in findings if x.problem), None)


# -- the slots, in order ----------------------------------------------------------------------------
def _account(f: Facts) -> list[Finding]:
    login = f.login
    if f.token_problem:
        found = explain_cause("store_error")
        return [
            Finding(
                "token_unreadable",
                "error",
                f"The stored Google authorization cannot be read: {f.token_problem}",
                fill_login(found.fix, login),
                "account_authenticated",
            )
        ]
    if not f.authenticated:
        what = "Enable Google Sync is checked, but no" if f.enabled else "Google sync is not set up: no"
        return [
            Finding(
                "not_authenticated",
                "error",
                f"{what} Google account is authenticated" + (": nothing syncs." if f.enabled else "."),
                fill_login(AUTHENTICATE_FIX, login),
                "account_authenticated",
            )
        ]
    found: list[Finding] = []
    if f.error_cause in ACCOUNT_CAUSES:
        explained = explain_cause(f.error_cause)
        found.append(
            Finding(
                explained.cause,
                "error",
                f.error or explained.message,
                fill_login(f.error_fix or explained.fix, login),
                "account_authenticated",
            )
        )
    if f.shared_with:
        other = f.shared_with[0]
        found.append(
            Finding(
                "account_shared",
                "error",
                f"Google account {f.account_email} is also linked to {', '.join(f.shared_with)}; each user "
                "must sync to a different Google account.",
                f"On the Google tab of {other} (or {login}) click Remove My Google Account and authenticate "
                f"that user's own account (CLI: studiosync google remove {other}, then studiosync google "
                f"auth {other}).",
                "account_unique",
            )
        )
    return found


def _calendar(f: Facts) -> list[Finding]:
    if not f.calendar_id:
        what = "No Google calendar is chosen" + (": nothing syncs." if f.enabled else " yet.")
        return [
            Finding("no_calendar", "error", what, fill_login(PICK_CALENDAR_FIX, f.login), "calendar_selected")
        ]
    if f.error_cause in CALENDAR_CAUSES:
        explained = explain_cause(f.error_cause)
        label = f.calendar_summary or f.calendar_id
        return [
            Finding(
                f.error_cause or "",
                "error",
                f"Calendar '{label}': {f.error or explained.message}",
                fill_login(f.error_fix or explained.fix, f.login),
                "calendar_selected",
            )
        ]
    return []


def _sync_off(f: Facts) -> Finding:
    return Finding(
        "sync_off",
        "off",
        "Enable Google Sync is not checked: the Google Sync Processor skips this user.",
        fill_login(f"{_TAB}: check Enable Google Sync (CLI: {_SET} --enable)", f.login),
        "sync_enabled",
    )


def _off(x: Finding) -> Finding:
    return x if x.severity == "off" else Finding(x.code, "off", x.message, x.fix, x.check)


def _after_set_up(f: Facts, covered: set[str]) -> list[Finding]:
    found: list[Finding] = []
    held = _held(f)
    if held is not None:
        found.append(held)
    failed = _last_error(f, covered | {x.code for x in found})
    if failed is not None:
        found.append(failed)
    if f.contacts and not f.client_group_exists:  # it fails the run: contacts need a person to pick a group
        found.append(
            Finding(
                "client_group_missing",
                "error",
                "Contacts sync is on but its client group no longer exists: contacts are not imported.",
                fill_login(
                    f"{_TAB} > Client Group: pick an existing group (CLI: {_SET} --client-group NAME)",
                    f.login,
                ),
                "contacts_group",
            )
        )
    if f.warnings and f.error is None:
        more = len(f.warnings) - WARNINGS_SHOWN
        text = f.warnings[0] + (f" (and {more} more warning{'s' if more > 1 else ''})" if more > 0 else "")
        found.append(
            Finding(
                "run_warnings",
                "warn",
                f"The last run finished with warnings: {text}",
                fill_login("See the run's warnings: studiosync logs --user LOGIN", f.login),
                "last_run",
            )
        )
    found += _advice(f)
    return found


def _held(f: Facts) -> Finding | None:
    if f.held:
        since = f" (held since {f.held['since']})" if f.held.get("since") else ""
        return Finding(
            HELD_CAUSE,
            "error",
            f"{f.held.get('message')}{since}.",
            str(f.held.get("fix") or ""),
            "held_deletions",
        )
    if f.error_cause == HELD_CAUSE:
        explained = explain_cause(HELD_CAUSE)
        return Finding(
            HELD_CAUSE,
            "error",
            f.error or explained.message,
            fill_login(f.error_fix or explained.fix, f.login),
            "held_deletions",
        )
    return None


def _last_error(f: Facts, covered: set[str]) -> Finding | None:
    cause = f.error_cause or ("unknown" if f.error else None)
    if cause is None or cause in _JUDGED_NOW or cause in covered:
        return None
    if cause in ACCOUNT_CAUSES or cause in CALENDAR_CAUSES or cause == HELD_CAUSE:
        return None  # named by an earlier slot (the account, the calendar, the held deletions)
    explained = explain_cause(cause)
    return Finding(
        cause,
        "error",
        f.error or explained.message,
        fill_login(f.error_fix or explained.fix, f.login),
        "last_run",
        explained.transient,
    )


def _advice(f: Facts) -> list[Finding]:
    found: list[Finding] = []
    if not f.warn_email or not f.warn_email_valid:
        what = "is off" if not f.warn_email else "has an address that is not valid"
        found.append(
            Finding(
                "no_warn_email",
                "warn",
                f"Email Warnings and Errors to Me {what}: nobody hears about sync failures.",
                fill_login(
                    f"{_TAB}: check Email Warnings and Errors to Me and enter an address "
                    f"(CLI: {_SET} --warn-email ADDR)",
                    f.login,
                ),
                "warn_email",
            )
        )
    if not f.ran:
        found.append(
            Finding(
                "never_synced",
                "warn",
                "Google sync is enabled but no sync has run for this user yet.",
                fill_login(
                    "Control Center: make sure the Google Sync Processor job is enabled and its computer is "
                    "on (studiosync doctor); or sync now: studiosync sync LOGIN",
                    f.login,
                ),
                "last_run",
            )
        )
    if f.populate_studio and not f.two_way:
        found.append(
            Finding(
                "populate_waits",
                "warn",
                "Populate (Google -> studio) is checked but waits for the two-way sync, so it never runs.",
                fill_login(
                    f"{_TAB}: check Send New, Modified, and Deleted Google Appointments (CLI: {_SET} --two-way), "
                    f"or uncheck Populate (CLI: {_SET} --no-populate-studio)",
                    f.login,
                ),
                "populate",
            )
        )
    if f.calendar_id and not _primary(f):
        who = f.account_email or "the Google account"
        label = f.calendar_summary or f.calendar_id
        found.append(
            Finding(
                "calendar_not_primary",
                "note",
                f"Calendar '{label}' is not the primary calendar of {who}: phones show only the primary "
                "calendar by default, so these appointments stay hidden on the phone until it is switched on there.",
                f"On the phone: Google Calendar app > Settings > {who} > '{label}' > Sync on (studiosync doctor "
                f"{f.login} says how on an iPhone)",
                "mobile",
            )
        )
    if f.populate_google or (f.populate_studio and f.two_way):
        found.append(
            Finding(
                "populate_pending",
                "note",
                "Populate is pending: the next sync copies the existing appointments; the boxes uncheck "
                "themselves when done.",
                fill_login(
                    f"Nothing to do if that is wanted; otherwise uncheck Populate on the {_TAB} "
                    f"(CLI: {_SET} --no-populate-google --no-populate-studio)",
                    f.login,
                ),
                "populate",
            )
        )
    return found


def _primary(f: Facts) -> bool:
    """Google's rule, from stored facts only: the primary calendar's id is the account's address."""
    cal = (f.calendar_id or "").lower()
    return cal == "primary" or bool(f.account_email and cal == f.account_email.lower())
