"""Calendar and People services for the sync: only the methods it calls.

core.google.api builds every service from a trimmed, cached discovery document (no docstring material);
the sync also keeps only the handful of methods it calls, so each run's build parses a few kilobytes.
Same root switch (rootUrl moves ordinary and batch calls) and the same counting, authorized http.
"""

from __future__ import annotations

from typing import Any

from studiosync.core.google.api import RequestCounter, build_service

# resource path -> methods kept
CALENDAR_METHODS = {"events": ("list", "instances", "insert", "patch", "delete")}
PEOPLE_METHODS = {"people.connections": ("list",)}


def calendar_service(credentials: Any, api_root: str | None, counter: RequestCounter | None = None) -> Any:
    return build_service(
        "calendar",
        "v3",
        credentials,
        api_root,
        category="calendar",
        counter=counter,
        methods=CALENDAR_METHODS,
    )


def people_service(credentials: Any, api_root: str | None, counter: RequestCounter | None = None) -> Any:
    return build_service(
        "people", "v1", credentials, api_root, category="people", counter=counter, methods=PEOPLE_METHODS
    )
