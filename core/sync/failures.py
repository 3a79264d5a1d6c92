"""What fails a user's run: the Google problems that end it at once, and the `Failure` it reports.

- `is_fatal`: no further call of this user can succeed -- the run ends (the error names cause and fix).
- `Failure`: what a failed run says (message, cause, fix). A run fails either by such an exception or by
  finishing with something undone that needs a person or a retry to be right: studio changes that could
  not all be sent, Google changes that could not all be applied, deletions held back by the guard
  (RunLog.fail records those; the run goes on with everything else first).
- `most_urgent`: of several, the one the user's error names.
- `is_refusal`: Google refusing one event's write for good (that event only: Google's version wins, the
  change is never re-sent until either side changes it again).

Pure data and predicates over `GoogleProblem` (core.google.errors classifies the HTTP answer). Never calls
Google, never logs, never touches the store.
"""

from __future__ import annotations

from dataclasses import dataclass

from studiosync.core.google.errors import GoogleProblem
from studiosync.core.sync.held import CAUSE as HELD_CAUSE


@dataclass
class Failure:
    """Why a user's run failed, as the user's error says it: the message, the cause id and the fix."""

    message: str
    cause: str
    fix: str | None


def most_urgent(failures: list[Failure]) -> Failure | None:
    """Changes that did not get through come before held deletions (those wait for a person anyway)."""
    return next((f for f in failures if f.cause != HELD_CAUSE), failures[0] if failures else None)


# Causes after which no further call of this user can succeed: the user's run fails.
FATAL_CAUSES = frozenset(
    {
        "grant_revoked",
        "insufficient_scope",
        "calendar_gone",
        "quota",
        "oauth_client_invalid",
        "api_not_enabled",
    }
)


def is_fatal(problem: GoogleProblem) -> bool:
    """No further call of this user can succeed: end the user's run (its error names cause and fix).
    A 403 on one event (an invitation organised by someone else) only fails that event; losing write
    access to the whole calendar (requiredAccessLevel) fails them all."""
    return problem.cause in FATAL_CAUSES or (
        problem.cause == "calendar_read_only" and problem.reason == "requiredAccessLevel"
    )


# Google refusing one event's write for good: sending the same change again can never succeed. Not a
# quota, server or authorization problem (those are transient or fatal above), and never the calendar.
REFUSAL_CAUSES = frozenset({"event_type_restriction", "not_organizer", "event_refused", "bad_request"})


def is_refusal(problem: GoogleProblem) -> bool:
    """Google refused this one event's change permanently (400 eventTypeRestriction, 403
    forbiddenForNonOrganizer, 400 invalid/badRequest on it...): Google's version wins and the change is
    never sent again (core.sync.push), until either side changes the appointment."""
    return problem.cause in REFUSAL_CAUSES and not problem.transient and not is_fatal(problem)
