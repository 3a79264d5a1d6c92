"""Which Google problems end a user's whole run, and which fail one appointment only.

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
