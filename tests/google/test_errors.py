"""Classification of Google-side failures into stable causes with one-line, secret-free texts."""

from __future__ import annotations

import http.client
import socket

import httplib2
import pytest
from google.auth import exceptions as auth_exceptions
from googleapiclient.errors import BatchError
from studiosync.core.errors import OperationError
from studiosync.core.google.errors import (
    CAUSES,
    GoogleError,
    QuotaExceeded,
    as_google_error,
    classify,
    explain,
)

from tests.google.helpers import http_error

CAL = "https://www.googleapis.com/calendar/v3"


@pytest.mark.parametrize(
    ("exc", "cause", "transient"),
    [
        (
            http_error(403, "insufficientPermissions", details="ACCESS_TOKEN_SCOPE_INSUFFICIENT"),
            "insufficient_scope",
            False,
        ),
        (
            http_error(403, details="ACCESS_TOKEN_SCOPE_INSUFFICIENT", grpc_status="PERMISSION_DENIED"),
            "insufficient_scope",
            False,
        ),
        (
            http_error(404, "notFound", uri=f"{CAL}/calendars/gone%40x.com/events?alt=json"),
            "calendar_gone",
            False,
        ),
        (http_error(404, "notFound", uri=f"{CAL}/calendars/gone%40x.com?alt=json"), "calendar_gone", False),
        (
            http_error(404, "notFound", uri=f"{CAL}/users/me/calendarList/abc?alt=json"),
            "calendar_gone",
            False,
        ),
        (http_error(404, "notFound", uri=f"{CAL}/calendars/c/events/evt123?alt=json"), "not_found", False),
        (http_error(404, "notFound", uri="https://people.googleapis.com/v1/people/c1"), "not_found", False),
        (http_error(403, "requiredAccessLevel"), "calendar_read_only", False),
        (http_error(403, "forbidden"), "calendar_read_only", False),
        # One event refused, never "the calendar is read-only" (issue 12 point 3):
        (
            http_error(403, "forbiddenForNonOrganizer", uri=f"{CAL}/calendars/c/events/e1"),
            "not_organizer",
            False,
        ),
        (http_error(403, "forbidden", uri=f"{CAL}/calendars/c/events/e1?alt=json"), "event_refused", False),
        (
            http_error(400, "eventTypeRestriction", uri=f"{CAL}/calendars/c/events/e1"),
            "event_type_restriction",
            False,
        ),
        (http_error(403, "quotaExceeded"), "quota", True),
        (http_error(403, "dailyLimitExceeded"), "quota", True),
        (http_error(429, "rateLimitExceeded"), "rate_limited", True),
        (
            http_error(429, details="RATE_LIMIT_EXCEEDED", grpc_status="RESOURCE_EXHAUSTED"),
            "rate_limited",
            True,
        ),
        (http_error(403, "userRateLimitExceeded"), "rate_limited", True),
        (http_error(403, "accessNotConfigured"), "api_not_enabled", False),
        (http_error(500, "backendError"), "google_outage", True),
        (http_error(503), "google_outage", True),
        (http_error(410, "fullSyncRequired"), "sync_token_expired", True),
        (http_error(410, "deleted", uri=f"{CAL}/calendars/c/events/e1"), "not_found", False),
        (
            http_error(400, details="EXPIRED_SYNC_TOKEN", grpc_status="FAILED_PRECONDITION"),
            "sync_token_expired",
            True,
        ),
        (
            http_error(
                400,
                message="Sync token is expired. Clear local cache and retry call without the sync token.",
                grpc_status="FAILED_PRECONDITION",
            ),
            "sync_token_expired",
            True,
        ),
        (http_error(409, "duplicate"), "conflict", False),
        (http_error(412, "conditionNotMet"), "conflict", False),
        (http_error(400, "invalid"), "bad_request", False),
        (http_error(401, "authError"), "grant_revoked", False),
        (http_error(418), "unknown", False),
        (
            auth_exceptions.RefreshError(
                "invalid_grant: Token has been expired or revoked.",
                {"error": "invalid_grant", "error_description": "Token has been expired or revoked."},
            ),
            "grant_revoked",
            False,
        ),
        (
            auth_exceptions.RefreshError(
                "deleted_client: The OAuth client was deleted.", {"error": "deleted_client"}
            ),
            "oauth_client_invalid",
            False,
        ),
        (
            auth_exceptions.RefreshError(
                "Not all requested scopes were granted by the authorization server, missing scopes x."
            ),
            "insufficient_scope",
            False,
        ),
        (
            auth_exceptions.RefreshError("server_error", {"error": "server_error"}, retryable=True),
            "google_outage",
            True,
        ),
        (
            auth_exceptions.TransportError(
                httplib2.ServerNotFoundError("Unable to find the server at oauth2")
            ),
            "network",
            True,
        ),
        (httplib2.ServerNotFoundError("Unable to find the server at www.googleapis.com"), "network", True),
        (socket.gaierror(-2, "Name or service not known"), "network", True),
        (ConnectionRefusedError(111, "Connection refused"), "network", True),
        (TimeoutError("timed out"), "network", True),
        (http.client.RemoteDisconnected("Remote end closed connection"), "network", True),
        (http.client.IncompleteRead(b"abc", 10), "network", True),
        (BrokenPipeError(32, "Broken pipe"), "network", True),
        (QuotaExceeded(http_error(403, "quotaExceeded")), "quota", True),
        (BatchError("Response not in multipart/mixed format."), "google_outage", True),
        (ValueError("weird"), "unknown", False),
    ],
)
def test_classify(exc: BaseException, cause: str, transient: bool) -> None:
    p = classify(exc)
    assert p.cause == cause
    assert p.transient is transient
    assert p.cause in CAUSES
    assert "\n" not in p.message and "\n" not in p.fix
    assert (p.message, p.fix) == (p.message, explain(cause)[1])


def test_grant_revoked_fix_names_both_the_console_and_the_cli() -> None:
    message, fix = explain("grant_revoked")
    assert "Remove My Google Account" in fix and "Authenticate My Google Account" in fix
    assert "studiosync google remove LOGIN" in fix and "studiosync google auth LOGIN" in fix


def test_network_fix_mentions_api_root() -> None:
    assert "Google API root in Company Preferences" in explain("network")[1]


def test_status_and_reason_are_reported() -> None:
    p = classify(http_error(403, "quotaExceeded", "Calendar usage limits exceeded."))
    assert (p.status, p.reason) == (403, "quotaExceeded")
    assert "Calendar usage limits exceeded." in p.message


def test_messages_never_carry_tokens() -> None:
    leaked = "ya29.a0AfH6SMBxxxxxxxxxxxxxxxxxxxx and 1//0gLongRefreshTokenValueHere"
    p = classify(
        auth_exceptions.RefreshError(
            f"invalid_grant: {leaked}", {"error": "invalid_grant", "error_description": leaked}
        )
    )
    assert "ya29." not in p.message and "1//" not in p.message
    assert "[redacted]" in p.message


def test_long_google_messages_are_one_short_line() -> None:
    p = classify(http_error(400, "invalid", "line one\nline two " + "x " * 300))
    assert "\n" not in p.message
    assert len(p.message) < 300


def test_unknown_cause_explained_as_unknown() -> None:
    assert explain("no-such-cause") == explain("unknown")


def test_google_error_is_an_operation_error_carrying_the_problem() -> None:
    exc = as_google_error(http_error(404, uri=f"{CAL}/calendars/x/events"))
    assert isinstance(exc, GoogleError) and isinstance(exc, OperationError)
    assert exc.exit_code == 1
    assert exc.problem.cause == "calendar_gone"
    assert exc.fix == exc.problem.fix
    assert as_google_error(exc) is exc
