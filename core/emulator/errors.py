"""Errors in the JSON shape Google APIs use, raised by handlers and rendered by the server."""

from __future__ import annotations

from typing import Any

# google.rpc.Code names Google attaches to the common HTTP codes. 410 has no canonical name, so
# Calendar's 410 answers carry none (as Google's do).
_STATUS: dict[int, str] = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    412: "FAILED_PRECONDITION",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}


class ApiError(Exception):
    """An API failure answered as `{"error": {"code", "message", "errors": [...], "status"}}`."""

    def __init__(
        self,
        code: int,
        reason: str,
        message: str,
        *,
        domain: str = "global",
        status: str | None = None,
        headers: dict[str, str] | None = None,
        details: list[dict[str, Any]] | None = None,
        location: str | None = None,
    ) -> None:
        super().__init__(f"{code} {reason}: {message}")
        self.code = code
        self.reason = reason
        self.message = message
        self.domain = domain
        # status="" leaves it out: Calendar's documented and recorded error bodies carry none.
        self.status = status if status is not None else _STATUS.get(code)
        self.headers = dict(headers or {})
        self.details = details
        self.location = location

    def to_body(self) -> dict[str, Any]:
        item: dict[str, Any] = {"domain": self.domain, "reason": self.reason, "message": self.message}
        if self.location:
            item["locationType"] = "header" if self.location[:1].isupper() else "parameter"
            item["location"] = self.location
        error: dict[str, Any] = {"code": self.code, "message": self.message, "errors": [item]}
        if self.status:
            error["status"] = self.status
        if self.details is not None:
            error["details"] = self.details
        return {"error": error}


def bad_request(message: str, reason: str = "invalid", location: str | None = None) -> ApiError:
    return ApiError(400, reason, message, location=location)


def invalid_time(field: str) -> ApiError:
    """A start/end holding both `date` and `dateTime` (e.g. a patch that switches kinds without nulling the
    other key). Recorded answer, n8n-io/n8n#35800: 400, domain global, reason invalid, "Invalid start time."."""
    return ApiError(400, "invalid", f"Invalid {field} time.", status="")


def event_type_restriction(event_type: str) -> ApiError:
    """A write the event's type does not allow. Recorded answer, kellylford/QuickMail#294 (deleting a
    contact's birthday): 400, domain calendar, reason eventTypeRestriction, this message."""
    return ApiError(
        400,
        "eventTypeRestriction",
        f"Attempt made to modify '{event_type}' event in a way that is not valid for this event type.",
        domain="calendar",
        status="",
    )


def event_type_unchangeable() -> ApiError:
    """eventType "cannot be modified after the event is created" (calendar.v3.json, Event.eventType).
    The message is recorded in gemini-cli-extensions/workspace#319; the reason is not documented
    anywhere we could find, so it is Google's generic `invalid`."""
    return ApiError(400, "invalid", "Event type cannot be changed.", status="")


def forbidden_for_non_organizer() -> ApiError:
    """An attendee changing what only the organizer may. Documented on Calendar's errors page
    ("403: Forbidden for non-organizer") and recorded in kewisch/gdata-provider#426 and #728."""
    return ApiError(
        403,
        "forbiddenForNonOrganizer",
        "Shared properties can only be changed by the organizer of the event.",
        domain="calendar",
        status="",
    )


def not_found(message: str = "Not Found") -> ApiError:
    return ApiError(404, "notFound", message)


def unauthenticated(message: str = "Invalid Credentials") -> ApiError:
    return ApiError(
        401,
        "authError",
        message,
        location="Authorization",
        headers={"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'},
    )


def insufficient_scopes() -> ApiError:
    return ApiError(
        403,
        "insufficientPermissions",
        "Request had insufficient authentication scopes.",
        headers={
            "WWW-Authenticate": 'Bearer realm="https://accounts.google.com/", error="insufficient_scope"'
        },
    )


class DropConnection(Exception):
    """Raised to make the server close the socket without answering (a 'dropped connection' fault)."""


class ControlError(ValueError):
    """A misuse of the emulator's control interface (unknown account, bad argument...)."""
