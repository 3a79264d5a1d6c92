"""Calendar and People services for the sync (only the methods it calls), and the per-process cache of
each user's credentials they are built with.

core.google.api builds every service from a trimmed, cached discovery document (no docstring material);
the sync also keeps only the handful of methods it calls, so each run's build parses a few kilobytes.
Same root switch (rootUrl moves ordinary and batch calls) and the same counting, authorized http.
This module builds services; it never makes a call with them.
"""

from __future__ import annotations

import threading
from typing import Any

from studiosync.core.google.api import RequestCounter, build_service

# resource path -> methods kept
CALENDAR_METHODS = {"events": ("list", "instances", "get", "insert", "patch", "delete")}
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


# Access tokens live an hour: reuse a user's credentials across runs of this process instead of asking the
# token endpoint again every few minutes. Keyed by data dir and login; replaced when the stored refresh
# token changes (re-authentication) or the OAuth client does.
_CREDENTIALS: dict[tuple[str, str], Any] = {}
_CREDENTIALS_LOCK = threading.Lock()


def credentials(studio: Any, login: str) -> Any:
    """The user's Google credentials, cached for this process while they stay the same."""
    fresh = studio.google.credentials(login)
    key = (str(studio.datadir.root), login)
    with _CREDENTIALS_LOCK:
        cached = _CREDENTIALS.get(key)
        if (
            cached is not None
            and cached.refresh_token == fresh.refresh_token
            and cached.client_id == fresh.client_id
            and cached.client_secret == fresh.client_secret
            and cached.token_uri == fresh.token_uri
        ):
            return cached
        _CREDENTIALS[key] = fresh
        return fresh


def forget_credentials(studio: Any | None = None, login: str | None = None) -> None:
    """Drop cached credentials (all, one studio's, or one user's)."""
    with _CREDENTIALS_LOCK:
        for key in list(_CREDENTIALS):
            if (studio is None or key[0] == str(studio.datadir.root)) and (login is None or key[1] == login):
                del _CREDENTIALS[key]
