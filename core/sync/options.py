"""SyncOptions: the processor's knobs (horizon, batch and page sizes, retry policy, parallel users, budget).

Plain data, handed down by whoever starts a run (the google-sync job, `studiosync sync`, the console's Run
now; tests pass their own). This module must never read settings itself: the jobs layer looks up the job's
options and passes them down (core.sync never imports core.jobs).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from studiosync.core.google.api import DEFAULT_POLICY, RetryPolicy
from studiosync.core.google.budget import RequestBudget


@dataclass(frozen=True)
class DeletionLimits:
    """The mass-deletion guard's threshold (a company preference: studiosync prefs deletions).

    A run that would delete MORE than `max_count` of a user's linked items on one side AND more than
    `max_percent` percent of them deletes none of them. Both, because either alone misfires: a count
    alone would stop a photographer clearing a dozen sessions out of a busy year, a share alone would
    stop someone deleting 2 of their 3 appointments. `max_percent` 100 turns the guard off."""

    max_count: int = 10
    max_percent: int = 25

    def exceeded(self, deletions: int, linked: int) -> bool:
        return deletions > self.max_count and deletions * 100 > self.max_percent * max(linked, 1)


@dataclass
class SyncOptions:
    """The processor's knobs for a run, from whoever starts it: horizon, commit, page and batch sizes, retry
    policy, parallel users, deletion limits and request budget."""

    horizon_days: int = 365  # recurring events: instances this far ahead become appointments
    roll_after: timedelta = timedelta(days=1)  # re-expand a series when its window fell this far behind
    mass_delete_min: int = 6  # an empty full listing's deletions are held when at least this many are linked
    deletions: DeletionLimits | None = None  # None: the company preference (the processor reads it)
    commit_every: int = 500  # push results committed in groups this large (crash loses at most this much)
    page_size: int = 2500  # Google's maximum for events.list
    batch_size: int = 50
    policy: RetryPolicy = DEFAULT_POLICY
    workers: int = 4  # users synced in parallel by the processor
    contacts_page_size: int = 1000
    # The Calendar request budget every request waits for (core.google.budget); None: this process's
    # shared one, set from Company prefs > Google at the start of each run.
    budget: RequestBudget | None = None
