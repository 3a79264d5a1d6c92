"""The causes of Google-side failures: each a stable id with a one-line message, a fix and whether it
clears by itself (`CAUSES`, `explain`, `is_transient`), the `GoogleProblem` that carries one, and the
`GoogleError` we raise with it.

The processor, the doctor, the CLI and the console all branch on `cause` (never on exception types or
Google's wording, which changes), and show `message` + `fix` to people. Messages never carry tokens,
authorization codes or request bodies: only Google's short error text, scrubbed and truncated.

Must never import Google's client libraries: the console and the doctor explain causes without loading
them (classifying an exception is core.google.errors).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from studiosync.core.errors import OperationError

# -- the table --------------------------------------------------------------------------------------
# cause -> (message, fix, transient).  "transient" = it resolves without anyone doing anything; the sync
# must then never read the failure as a deletion and simply tries again next run.
_REAUTH = "studiosync google remove LOGIN, then studiosync google auth LOGIN"
_TABLE: dict[str, tuple[str, str, bool]] = {
    "grant_revoked": (
        "Google no longer accepts this user's authorization (revoked, expired, or the password changed).",
        "Open the user's Google tab, click Remove My Google Account, then Authenticate My Google Account "
        f"again (CLI: {_REAUTH}). If it recurs every 7 days, the Google Cloud project's OAuth consent "
        "screen is still in Testing status: publish it.",
        False,
    ),
    "insufficient_scope": (
        "The Google authorization lacks the Calendar or Contacts permission.",
        "Open the user's Google tab, click Remove My Google Account, then Authenticate My Google Account "
        f"again and tick both the Calendar and the Contacts permissions (CLI: {_REAUTH}).",
        False,
    ),
    "calendar_gone": (
        "The chosen Google calendar no longer exists or is no longer shared with this account.",
        "Open the user's Google tab and pick another calendar.",
        False,
    ),
    "calendar_read_only": (
        "This Google account cannot change events in the chosen calendar (read-only access).",
        "Give the account 'Make changes to events' on that calendar in Google Calendar, or pick a "
        "calendar it owns in the user's Google tab.",
        False,
    ),
    "quota": (
        "The Google Cloud project's API quota is used up; this user's sync is paused until tomorrow.",
        "Nothing to do if it is rare; otherwise check the quotas of the Google Cloud project "
        "(APIs & Services > Google Calendar API > Quotas).",
        True,
    ),
    "rate_limited": (
        "Google asked us to slow down (rate limit) and the retries ran out.",
        "Nothing to do: the sync will retry on the next run.",
        True,
    ),
    "network": (
        "Cannot reach Google (no network, DNS failure, connection refused or timeout).",
        "This computer must be on and online; check the Google API root in Company Preferences.",
        True,
    ),
    "google_outage": (
        "Google's servers kept failing, even after retries.",
        "Nothing to do: the sync will retry on the next run. If it persists, check "
        "https://www.google.com/appsstatus.",
        True,
    ),
    "sync_token_expired": (
        "Google's sync token expired, so a full resync is needed.",
        "Nothing to do: the next sync lists everything and reconciles (nothing is deleted).",
        True,
    ),
    "not_found": (
        "The Google item no longer exists.",
        "Nothing to do: the sync reconciles it on the next run.",
        False,
    ),
    "conflict": (
        "Google reported a conflict (the item already exists, or changed in the meantime).",
        "Nothing to do: the sync re-reads the item and reconciles it on the next run.",
        False,
    ),
    "bad_request": (
        "Google rejected the request as invalid.",
        "Check the item's data (dates, times, attendees); if it persists, report it with the log.",
        False,
    ),
    # Refusals of one event's write (core.sync.failures.is_refusal): permanent, about that event only --
    # never "the calendar is read-only". The sync keeps Google's version and does not send it again.
    "event_type_restriction": (
        "Google does not let apps change or delete this kind of event (a birthday, or an event Gmail "
        "made from an email).",
        "Nothing to do: the studio keeps Google's version. Change the event in Google Calendar (a "
        "birthday: in Google Contacts).",
        False,
    ),
    "not_organizer": (
        "Only the organizer of this invitation can change it; this Google account is a guest.",
        "Nothing to do: the studio keeps Google's version. Ask the organizer to change the event, or "
        "delete it from your calendar.",
        False,
    ),
    "event_refused": (
        "Google refused this change to one event (not allowed for this event).",
        "Nothing to do: the studio keeps Google's version. Change the event in Google Calendar if needed.",
        False,
    ),
    "api_not_enabled": (
        "The Google Calendar API or People API is not enabled in the Google Cloud project.",
        "In the Google Cloud console, enable the Google Calendar API and the People API for the project "
        "that owns the OAuth client, then retry.",
        False,
    ),
    "oauth_client_invalid": (
        "Google rejected the studio's OAuth client (it was deleted, or its secret was reset).",
        "Load a current OAuth client secrets file in Company Preferences, then re-authenticate each "
        f"user's Google account (CLI: {_REAUTH}).",
        False,
    ),
    "unknown": (
        "Unexpected error while talking to Google.",
        "Retry later; if it persists, check the log for details.",
        False,
    ),
}
CAUSES: tuple[str, ...] = tuple(_TABLE)


def explain(cause: str) -> tuple[str, str]:
    """(message, fix) for a cause id, so other modules (doctor, console, emails) reuse the same texts."""
    message, fix, _ = _TABLE.get(cause, _TABLE["unknown"])
    return message, fix


def is_transient(cause: str) -> bool:
    return _TABLE.get(cause, _TABLE["unknown"])[2]


@dataclass(frozen=True)
class GoogleProblem:
    """A Google-side failure, classified: its cause id, message and fix for a person, whether it clears by
    itself, and the HTTP status and Google's reason when Google answered."""

    cause: str
    message: str
    fix: str
    transient: bool
    status: int | None = None
    reason: str | None = None

    def one_line(self) -> str:
        return f"{self.message} Fix: {self.fix}"


def problem(cause: str, detail: str | None = None, *, status: int | None = None, reason: str | None = None):
    """Build a GoogleProblem from the table, appending Google's own short wording when we have it."""
    message, fix, transient = _TABLE.get(cause, _TABLE["unknown"])
    if detail:
        message = f"{message} ({_scrub(detail)})"
    return GoogleProblem(cause, message, fix, transient, status, reason)


# -- exceptions we raise ----------------------------------------------------------------------------
class GoogleError(OperationError):
    """An OperationError (exit 1) carrying its classified GoogleProblem."""

    def __init__(self, gproblem: GoogleProblem) -> None:
        super().__init__(gproblem.message, fix=gproblem.fix)
        self.problem = gproblem


# Anything looking like an OAuth token or code is cut out before a message reaches a log or a screen.
_SECRETISH = re.compile(r"(ya29\.[\w.-]+|1//[\w.-]+|4/[\w.-]{10,}|[A-Za-z0-9_\-]{40,})")


def _scrub(text: str, limit: int = 200) -> str:
    one = " ".join(str(text).split())
    one = _SECRETISH.sub("[redacted]", one)
    return one if len(one) <= limit else one[: limit - 1] + "…"
