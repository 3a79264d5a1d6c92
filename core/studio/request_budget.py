"""The Calendar request budget of Company prefs > Google: the numbers a person may set, checked.

The processor keeps to it (core.google.budget); Google's documented default quotas are 600 requests per
minute per user and 10,000 per project. Pure checks: this module never reads or writes the store.
"""

from __future__ import annotations

from studiosync.core.errors import InputError
from studiosync.core.model.company import GoogleApiPrefs

MIN_BUDGET = 10  # requests per minute: below that even one user's fast pull and a push would starve
MAX_BUDGET = 1_000_000

__all__ = ["MAX_BUDGET", "MIN_BUDGET", "check_budget"]


def check_budget(google: GoogleApiPrefs, per_user: int | None, per_project: int | None) -> None:
    """InputError when `per_user` / `per_project` (None: unchanged) cannot be the budget of `google`."""
    if per_user is None and per_project is None:
        raise InputError("give the requests per minute per user, per project, or both")
    for value, what in ((per_user, "per user"), (per_project, "per project")):
        if value is not None and not MIN_BUDGET <= value <= MAX_BUDGET:
            raise InputError(
                f"the Calendar requests per minute {what} must be {MIN_BUDGET}-{MAX_BUDGET:,}, not {value}"
            )
    user = google.per_user_per_minute if per_user is None else per_user
    project = google.per_project_per_minute if per_project is None else per_project
    if user > project:
        raise InputError(
            f"the budget per user cannot be larger than the budget for the whole project ({user} > {project})"
        )
