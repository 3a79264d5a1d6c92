"""What fails a user's run: the Google problems that end it at once, and the `Failure` it reports.

- `is_fatal`: no further call of this user can succeed -- the run ends (the error names cause and fix).
- `Failure`: what a failed run says (message, cause, fix). A run fails either by such an exception or by
  finishing with something undone that needs a person or a retry to be right: studio changes that could
  not all be sent, Google changes that could not all be applied, deletions held back by the guard
  (RunLog.fail records those; the run goes on with everything else first).
- `most_urgent`: of several, the one the user's error names.

Pure data and predicates over `GoogleProblem` (core.google.errors classifies the HTTP answer). Never calls
Google, never logs, never touches the store.
"""

from __future__ import annotations

from dataclasses import dataclass

from studiosync.core.google.errors import GoogleProblem
from studiosync.core.sync.held import CAUSE as HELD_CAUSE


@dataclass
class Failure:
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
