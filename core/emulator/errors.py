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
