"""Turn any Google-side failure into a `GoogleProblem` (`classify`): read Google's error bodies, tell rate
limits and quotas apart, recognise transport and DNS failures, map each to a cause of core.google.causes.

The causes, their texts, `GoogleProblem` and `GoogleError` live in core.google.causes (no Google library
needed to explain a cause) and are re-exported here. Must never let a token or an authorization code
into a message: Google's wording is scrubbed and truncated first.
"""

from __future__ import annotations

import errno
import http.client
import json
import re
import socket
import ssl
from dataclasses import dataclass
from typing import Any

import httplib2
from google.auth import exceptions as auth_exceptions
from googleapiclient.errors import BatchError, HttpError
from studiosync.core.google.causes import (
    CAUSES,
    GoogleError,
    GoogleProblem,
    explain,
    is_transient,
    problem,
)

__all__ = [  # the causes' names stay importable from here
    "CAUSES",
    "GoogleError",
    "GoogleProblem",
    "QuotaExceeded",
    "as_google_error",
    "classify",
    "explain",
    "is_transient",
    "problem",
]


# -- exceptions we raise from Google's -----------------------------------------------------------------
class QuotaExceeded(GoogleError):
    """403 quotaExceeded/dailyLimitExceeded: not retried; the processor pauses the user until tomorrow."""

    def __init__(self, http_error: HttpError | None = None, detail: str | None = None) -> None:
        info = http_error_info(http_error) if http_error is not None else None
        super().__init__(
            problem(
                "quota",
                detail or (info.message if info else None),
                status=info.status if info else 403,
                reason=info.reason if info else "quotaExceeded",
            )
        )
        self.http_error = http_error


def as_google_error(exc: BaseException) -> GoogleError:
    """Wrap any exception as a GoogleError (for `raise as_google_error(e) from e` in the CLI)."""
    if isinstance(exc, GoogleError):
        return exc
    return GoogleError(classify(exc))


# -- parsing Google's error bodies --------------------------------------------------------------------
@dataclass(frozen=True)
class HttpErrorInfo:
    """What a Google HttpError says once its body is read: the status, the reasons and the message."""

    status: int
    reason: str | None  # the most specific reason: errors[0].reason, else ErrorInfo.reason, else status
    reasons: frozenset[str]  # every reason-like string in the body, for matching
    message: str


def http_error_info(exc: HttpError) -> HttpErrorInfo:
    """Pull status, reasons and message out of Google's JSON error body (tolerating non-JSON bodies).

    Google sends `{"error": {"code", "message", "status", "errors": [{"reason"}], "details":
    [{"@type": ".../ErrorInfo", "reason"}]}}`; Calendar fills `errors`, People mostly `details`/`status`.
    """
    status = int(getattr(exc.resp, "status", 0) or 0)
    body: Any = None
    content = exc.content
    try:
        text = content.decode("utf-8", "replace") if isinstance(content, bytes) else str(content or "")
        body = json.loads(text) if text.strip() else None
    except ValueError:
        body = None
    reasons: list[str] = []
    message = ""
    err = body.get("error") if isinstance(body, dict) else None
    if isinstance(err, dict):
        message = str(err.get("message") or "")
        for item in err.get("errors") or []:
            if isinstance(item, dict) and item.get("reason"):
                reasons.append(str(item["reason"]))
        for item in err.get("details") or []:
            if isinstance(item, dict) and item.get("reason"):
                reasons.append(str(item["reason"]))
        if err.get("status"):
            reasons.append(str(err["status"]))
    elif isinstance(err, str):  # OAuth-style {"error": "invalid_grant", "error_description": ...}
        reasons.append(err)
        message = str(body.get("error_description") or err)
    if not message:
        message = getattr(exc.resp, "reason", "") or ""
    return HttpErrorInfo(status, reasons[0] if reasons else None, frozenset(reasons), message)


RATE_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "RATE_LIMIT_EXCEEDED"})
QUOTA_REASONS = frozenset({"quotaExceeded", "dailyLimitExceeded", "dailyLimitExceededUnreg"})
_SCOPE_REASONS = frozenset({"insufficientPermissions", "ACCESS_TOKEN_SCOPE_INSUFFICIENT"})
_READ_ONLY_REASONS = frozenset({"requiredAccessLevel", "forbidden"})
_DISABLED_REASONS = frozenset({"accessNotConfigured", "SERVICE_DISABLED"})
_EXPIRED_SYNC = frozenset({"EXPIRED_SYNC_TOKEN", "fullSyncRequired", "updatedMinTooLongAgo"})
_CLIENT_ERRORS = frozenset({"invalid_client", "unauthorized_client", "deleted_client"})

# Calendar URLs: a 404 on the calendar itself (get, events.list/insert/import/watch) means the calendar is
# gone; a 404 on /events/<id> means one event is gone.
_EVENT_URL = re.compile(r"/calendars/[^/?]+/events/(?!import\b|quickAdd\b|watch\b)[^/?]+")
_CALENDAR_URL = re.compile(r"/calendars/[^/?]+(?:/events(?:/import|/quickAdd|/watch)?)?/?(?:\?|$)")
_CALENDAR_LIST_URL = re.compile(r"/users/me/calendarList/[^/?]+")


def is_rate_limit(exc: BaseException) -> bool:
    if not isinstance(exc, HttpError):
        return False
    info = http_error_info(exc)
    return info.status == 429 or (info.status == 403 and bool(info.reasons & RATE_REASONS))


def is_quota(exc: BaseException) -> bool:
    if isinstance(exc, QuotaExceeded):
        return True
    if not isinstance(exc, HttpError):
        return False
    info = http_error_info(exc)
    return info.status in (403, 429) and bool(info.reasons & QUOTA_REASONS)


# -- transport errors ---------------------------------------------------------------------------------
_NETWORK_ERRNOS = {
    errno.ENETUNREACH,
    errno.EHOSTUNREACH,
    errno.ENETDOWN,
    errno.ECONNREFUSED,
    errno.ECONNRESET,
    errno.ECONNABORTED,
    errno.ETIMEDOUT,
    errno.EPIPE,
    errno.EADDRNOTAVAIL,
}


def is_dns_failure(exc: BaseException) -> bool:
    """Name resolution failed: usually the whole network is down, so retrying quickly won't help."""
    inner = _unwrap_transport(exc)
    return isinstance(inner, httplib2.ServerNotFoundError | socket.gaierror)


def is_transport_error(exc: BaseException) -> bool:
    """Connection-level failures (refused, reset, dropped, timed out, truncated, TLS, DNS)."""
    inner = _unwrap_transport(exc)
    if isinstance(inner, httplib2.ServerNotFoundError | socket.gaierror | TimeoutError | ConnectionError):
        return True
    # (Other httplib2 errors -- redirect loops, relative URIs -- are bugs or misconfiguration: not retried.)
    if isinstance(inner, http.client.HTTPException | ssl.SSLError | httplib2.FailedToDecompressContent):
        return True
    return isinstance(inner, OSError) and inner.errno in _NETWORK_ERRNOS


def _unwrap_transport(exc: BaseException) -> BaseException:
    # google-auth wraps the underlying httplib2/http.client error of a token refresh in TransportError.
    if isinstance(exc, auth_exceptions.TransportError):
        for arg in exc.args:
            if isinstance(arg, BaseException):
                return arg
        if isinstance(exc.__cause__, BaseException):
            return exc.__cause__
    return exc


# -- classification -----------------------------------------------------------------------------------
def classify(exc: BaseException) -> GoogleProblem:
    """Map any exception from a Google call (or our own wrappers) to a GoogleProblem."""
    if isinstance(exc, GoogleError):
        return exc.problem
    if isinstance(exc, BatchError):  # an HttpError subclass without a usable status: check it first
        return problem("google_outage", "malformed batch response")
    if isinstance(exc, HttpError):
        return _classify_http(exc)
    if isinstance(exc, auth_exceptions.RefreshError):
        return _classify_refresh(exc)
    if isinstance(exc, auth_exceptions.TransportError) or is_transport_error(exc):
        inner = _unwrap_transport(exc)
        return problem("network", _transport_detail(inner))
    return problem("unknown", type(exc).__name__)


def _classify_http(exc: HttpError) -> GoogleProblem:
    info = http_error_info(exc)
    status, reasons = info.status, info.reasons
    uri = exc.uri or ""

    def make(cause: str) -> GoogleProblem:
        return problem(cause, info.message or None, status=status, reason=info.reason)

    if reasons & QUOTA_REASONS:
        return make("quota")
    if status == 429 or reasons & RATE_REASONS:
        return make("rate_limited")
    if status == 401:
        return make("grant_revoked")
    if status == 403:
        if reasons & _SCOPE_REASONS:
            return make("insufficient_scope")
        if reasons & _DISABLED_REASONS:
            return make("api_not_enabled")
        if "forbiddenForNonOrganizer" in reasons:
            return make("not_organizer")  # one invitation, not the calendar
        if "requiredAccessLevel" in reasons:
            return make("calendar_read_only")
        if reasons & _READ_ONLY_REASONS:
            # A bare "forbidden": on one event's URL it is about that event only.
            return make("event_refused" if _EVENT_URL.search(uri.split("?", 1)[0]) else "calendar_read_only")
        return make("unknown")
    if status == 404:
        path = uri.split("?", 1)[0] + ("?" if "?" in uri else "")
        if not _EVENT_URL.search(path) and (_CALENDAR_URL.search(path) or _CALENDAR_LIST_URL.search(path)):
            return make("calendar_gone")
        return make("not_found")
    if status == 410:
        # Calendar answers 410 both for an expired syncToken and for deleting an already deleted event.
        if "deleted" in reasons:
            return make("not_found")
        return make("sync_token_expired")
    if reasons & _EXPIRED_SYNC or "sync token is expired" in info.message.lower():
        return make("sync_token_expired")  # People: 400 FAILED_PRECONDITION / EXPIRED_SYNC_TOKEN
    if status in (409, 412):
        return make("conflict")
    if status == 400 and "eventTypeRestriction" in reasons:
        return make("event_type_restriction")
    if status == 400:
        return make("bad_request")
    if status >= 500:
        return make("google_outage")
    return make("unknown")


def _classify_refresh(exc: auth_exceptions.RefreshError) -> GoogleProblem:
    data = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], dict) else {}
    error = str(data.get("error") or "")
    text = str(exc.args[0]) if exc.args else ""
    detail = f"{error}: {data.get('error_description')}" if error and data.get("error_description") else error
    if not error:
        error = text.split(":", 1)[0].strip()
        detail = text
    if error == "invalid_grant":
        return problem("grant_revoked", detail, status=400, reason=error)
    if error in _CLIENT_ERRORS:
        return problem("oauth_client_invalid", detail, status=401, reason=error)
    if error == "invalid_scope" or "Not all requested scopes were granted" in text:
        return problem("insufficient_scope", detail, reason=error or None)
    if getattr(exc, "retryable", False):
        return problem("google_outage", detail or None, reason=error or None)
    return problem("unknown", detail or None, reason=error or None)


def _transport_detail(exc: BaseException) -> str:
    if isinstance(exc, httplib2.ServerNotFoundError | socket.gaierror):
        return "DNS lookup failed"
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, http.client.RemoteDisconnected | ConnectionResetError | BrokenPipeError):
        return "connection dropped"
    if isinstance(exc, http.client.IncompleteRead):
        return "response cut short"
    if isinstance(exc, ssl.SSLError):
        return "TLS error"
    return type(exc).__name__
