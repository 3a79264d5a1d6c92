"""The Google API door for the rest of core: service builders (core.google.build), retrying `execute`
(core.google.retry) and batches that retry their failed sub-calls (core.google.batch).

This module holds no logic and must never grow any: it only re-exports, so callers keep one import path.
"""

from __future__ import annotations

from studiosync.core.google.batch import MAX_BATCH, BatchRunner, BatchStats, run_batch
from studiosync.core.google.build import (
    DEFAULT_TIMEOUT_S,
    CountingAuthorizedHttp,
    RequestCounter,
    build_calendar,
    build_people,
    build_service,
    discovery_document,
    normalise_root,
    request_counter,
)
from studiosync.core.google.retry import (
    DEFAULT_POLICY,
    CallStats,
    RetryPolicy,
    execute,
    quick_policy,
    retry_after_seconds,
    retry_decision,
)

__all__ = [
    "DEFAULT_POLICY",
    "DEFAULT_TIMEOUT_S",
    "MAX_BATCH",
    "BatchRunner",
    "BatchStats",
    "CallStats",
    "CountingAuthorizedHttp",
    "RequestCounter",
    "RetryPolicy",
    "build_calendar",
    "build_people",
    "build_service",
    "discovery_document",
    "execute",
    "normalise_root",
    "quick_policy",
    "request_counter",
    "retry_after_seconds",
    "retry_decision",
    "run_batch",
]
