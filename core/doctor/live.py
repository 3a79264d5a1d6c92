"""The doctor's live probes: refresh a token, reach Google. All bounded by a timeout.

Kept apart from the checks so the checks stay pure decisions over facts, and so a probe's cost is
visible in one place: per user one token refresh and one calendarList listing (the latter through
GoogleAccounts.calendars(login, credentials=..., timeout=...), the same listing the Google tab uses);
per run one DNS lookup and one HTTP(S) request per distinct Google host.
"""

from __future__ import annotations

import socket
import ssl
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

REAL_GOOGLE_ROOT = "https://www.googleapis.com/"


def refresh(credentials: Any, timeout: float) -> None:
    """Mint an access token now: proves the stored refresh token, client and scopes still work."""
    import google_auth_httplib2
    import httplib2

    credentials.refresh(google_auth_httplib2.Request(httplib2.Http(timeout=timeout)))


# -- reachability -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Reach:
    """What `reach` found for one Google address: whether it answered at all (any HTTP status counts) and what
    happened, in words."""

    url: str
    ok: bool
    detail: str  # "HTTP 404 in 0.1 s" or what failed: "DNS lookup failed", "timed out"...


def reach(url: str, timeout: float) -> Reach:
    """DNS, then one HTTP(S) request to `url`. Any HTTP answer (even 404) proves the path works."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:  # a root saved before ports were checked
        return Reach(url, False, "the URL's port is not a valid port number")
    dns_error = _resolve(host, port, timeout)
    if dns_error:
        return Reach(url, False, dns_error)
    request = urllib.request.Request(url, method="GET", headers={"User-Agent": "studiosync-doctor"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) only
            return Reach(url, True, f"HTTP {response.status}")
    except urllib.error.HTTPError as exc:
        return Reach(url, True, f"HTTP {exc.code}")
    except urllib.error.URLError as exc:
        return Reach(url, False, _why(exc.reason))
    except (OSError, ssl.SSLError) as exc:
        return Reach(url, False, _why(exc))


def _resolve(host: str, port: int, timeout: float) -> str | None:
    """getaddrinfo has no timeout of its own: run it on a daemon thread and stop waiting after `timeout`."""
    outcome: list[str | None] = []

    def work() -> None:
        try:
            socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            outcome.append(None)
        except OSError as exc:
            outcome.append(f"DNS lookup of {host} failed ({exc.strerror or exc.__class__.__name__})")

    thread = threading.Thread(target=work, name="doctor-dns", daemon=True)
    thread.start()
    thread.join(timeout)
    if not outcome:
        return f"DNS lookup of {host} timed out after {timeout:g} s"
    return outcome[0]


def _why(reason: Any) -> str:
    if isinstance(reason, TimeoutError | socket.timeout):
        return "timed out"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, ssl.SSLError):
        return f"TLS error ({getattr(reason, 'reason', None) or reason})"
    if isinstance(reason, OSError):
        return reason.strerror or reason.__class__.__name__
    return str(reason)
