"""Transport-neutral request/response objects and a tiny path router.

The same handlers serve top-level HTTP requests and the sub-calls unpacked from a batch body, so neither
knows about sockets.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from .errors import ApiError, bad_request, not_found

JSON_TYPE = "application/json; charset=UTF-8"


@dataclass
class Request:
    """One API call, as the handlers see it: from a socket, or unpacked from a batch body (`in_batch`)."""

    method: str
    path: str  # still percent-encoded; path parameters are decoded by the router
    query: dict[str, list[str]] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""
    in_batch: bool = False
    # Set by a "short_page" fault: this list page holds at most this many items (Google may return fewer
    # than maxResults, even none, before the last page: events.list, maxResults).
    page_cap: int | None = None

    @classmethod
    def build(
        cls, method: str, target: str, headers: dict[str, str], body: bytes, *, in_batch: bool = False
    ) -> Request:
        parsed = urllib.parse.urlsplit(target)
        query = urllib.parse.parse_qs(parsed.query, keep_blank_values=True)
        lowered = {k.lower(): v for k, v in headers.items()}
        return cls(method.upper(), parsed.path or "/", query, lowered, body, in_batch)

    def arg(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    def int_arg(self, name: str, default: int) -> int:
        raw = self.arg(name)
        if raw is None or raw == "":
            return default
        try:
            return int(raw)
        except ValueError:
            raise bad_request(f"Invalid value for {name}: {raw!r}.", location=name) from None

    def args(self, name: str) -> list[str]:
        return list(self.query.get(name, []))

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def json(self) -> dict[str, Any]:
        if not self.body.strip():
            return {}
        try:
            data = json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise bad_request(f"Parse Error: {exc}", "parseError") from None
        if not isinstance(data, dict):
            raise bad_request("Parse Error: a JSON object is expected.", "parseError")
        return data

    def form(self) -> dict[str, str]:
        """The body as application/x-www-form-urlencoded (or JSON) merged over the query string."""
        out = {k: v[0] for k, v in self.query.items() if v}
        ctype = (self.header("content-type") or "").lower()
        if "json" in ctype:
            out.update({k: str(v) for k, v in self.json().items()})
        elif self.body:
            for key, value in urllib.parse.parse_qsl(
                self.body.decode("utf-8", "replace"), keep_blank_values=True
            ):
                out[key] = value
        return out


@dataclass
class Response:
    """What a handler answers (status, body, headers), sent as an HTTP response or as a batch part."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, obj: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
        body = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return cls(status, body, {"Content-Type": JSON_TYPE, **(headers or {})})

    @classmethod
    def error(cls, err: ApiError) -> Response:
        return cls.json(err.to_body(), err.code, err.headers)

    @classmethod
    def empty(cls, status: int = 204) -> Response:
        return cls(status, b"", {})

    @property
    def reason(self) -> str:
        try:
            return HTTPStatus(self.status).phrase
        except ValueError:
            return "Unknown"


Handler = Callable[..., Response]


class Router:
    """Matches `METHOD /a/{name}/b` patterns; `{name}` spans one segment, `{name+}` the rest of the path."""

    def __init__(self) -> None:
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        regex = ""
        for part in re.split(r"(\{[a-zA-Z_]+\+?\})", pattern):
            if part.startswith("{"):
                name = part.strip("{}+")
                regex += f"(?P<{name}>.+)" if part.endswith("+}") else f"(?P<{name}>[^/]+)"
            else:
                regex += re.escape(part)
        self._routes.append((method.upper(), re.compile(f"^{regex}/?$"), handler))

    def match(self, method: str, path: str) -> tuple[Handler, dict[str, str]]:
        allowed = False
        for route_method, regex, handler in self._routes:
            found = regex.match(path)
            if not found:
                continue
            if route_method != method.upper():
                allowed = True
                continue
            params = {k: urllib.parse.unquote(v) for k, v in found.groupdict().items()}
            return handler, params
        if allowed:
            raise ApiError(405, "httpMethodNotAllowed", f"Method {method} not allowed on {path}.")
        raise not_found(f"No such endpoint: {method} {path}")
