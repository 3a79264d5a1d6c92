"""Which Google problems end a user's whole run, which fail one appointment only, and which are Google
refusing one event's write for good.

Pure predicates over `GoogleProblem` (core.google.errors classifies the HTTP answer). Never calls Google,
never logs, never touches the store.
"""

from __future__ import annotations

from studiosync.core.google.errors import GoogleProblem

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
