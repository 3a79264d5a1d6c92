"""Shared test helpers: Google-shaped error bodies, a scripted http, a virtual clock."""

from __future__ import annotations

import json
from typing import Any

import httplib2
from googleapiclient.errors import HttpError
from googleapiclient.http import HttpRequest
from studiosync.core.google.api import RetryPolicy


def google_error_body(
    status: int,
    reason: str | None = None,
    message: str = "boom",
    *,
    details: str | None = None,
    grpc_status: str | None = None,
) -> bytes:
    error: dict[str, Any] = {"code": status, "message": message}
    if reason:
        error["errors"] = [{"domain": "global", "reason": reason, "message": message}]
    if details:
        error["details"] = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": details}]
    if grpc_status:
        error["status"] = grpc_status
    return json.dumps({"error": error}).encode()


def http_error(
    status: int,
    reason: str | None = None,
    message: str = "boom",
    *,
    uri: str = "https://x/y",
    headers: dict[str, str] | None = None,
    **kw: Any,
) -> HttpError:
    resp = httplib2.Response({"status": status, **(headers or {})})
    return HttpError(resp, google_error_body(status, reason, message, **kw), uri=uri)


class ScriptedHttp:
    """Plays a script: (status, headers, body) tuples are responses, exceptions are raised."""

    def __init__(self, script: list[Any]) -> None:
        self.script = list(script)
        self.calls = 0

    def request(self, uri: str, method: str = "GET", body: Any = None, headers: Any = None, **kw: Any) -> Any:
        self.calls += 1
        item = self.script.pop(0)
        if isinstance(item, BaseException):
            raise item
        status, hdrs, content = item
        return httplib2.Response({"status": status, **hdrs}), content


def scripted_request(script: list[Any]) -> tuple[HttpRequest, ScriptedHttp]:
    http = ScriptedHttp(script)
    req = HttpRequest(http, lambda resp, content: json.loads(content), "https://example.test/calendar/v3/x")
    return req, http


OK = (200, {}, b'{"ok": true}')


def err(status: int, reason: str | None = None, headers: dict[str, str] | None = None) -> tuple:
    return (status, headers or {}, google_error_body(status, reason))


class FakeTime:
    """A virtual clock: sleeping advances it instantly."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now

    def policy(self, **kw: Any) -> RetryPolicy:
        kw.setdefault("rand", lambda: 1.0)  # deterministic: the jitter's upper bound
        kw.setdefault("base_delay_s", 0.5)
        return RetryPolicy(sleep=self.sleep, clock=self.clock, **kw)
