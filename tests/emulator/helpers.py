"""Shared helpers: real OAuth flows and real googleapiclient services against the emulator."""

from __future__ import annotations

import contextlib
import http.client
import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from google.oauth2.credentials import Credentials
from google_auth_oauthlib.flow import InstalledAppFlow
from googleapiclient.discovery import build_from_document
from googleapiclient.discovery_cache import get_static_doc
from googleapiclient.errors import HttpError
from studiosync.core.emulator import GoogleEmulator

SCOPES = [
    "https://www.googleapis.com/auth/calendar",
    "https://www.googleapis.com/auth/contacts.readonly",
]
ANN = "ann@example.com"
BOB = "bob@example.com"


def browse(url: str) -> None:
    """Play the user's browser from another thread: open the consent URL and follow the 302."""

    def visit() -> None:
        # The loopback server may close as soon as it has the code.
        with contextlib.suppress(urllib.error.URLError, OSError):
            urllib.request.urlopen(url, timeout=10).read()

    threading.Thread(target=visit, daemon=True).start()


def login(
    emu: GoogleEmulator, client_id: str = "client-1", scopes: list[str] | None = None, **auth_params: Any
) -> Credentials:
    """Credentials through the real InstalledAppFlow.run_local_server (loopback redirect + PKCE)."""
    flow = InstalledAppFlow.from_client_config(emu.client_secrets(client_id), scopes or SCOPES)
    original = flow.authorization_url

    def authorization_url(**kwargs: Any) -> tuple[str, str]:
        url, state = original(**kwargs)
        browse(url)
        return url, state

    flow.authorization_url = authorization_url  # type: ignore[method-assign]
    return flow.run_local_server(
        open_browser=False, port=0, authorization_prompt_message=None, timeout_seconds=10, **auth_params
    )


def consent(emu: GoogleEmulator, url: str) -> tuple[int, dict[str, str], dict[str, str]]:
    """GET the consent URL without following the redirect: (status, headers, redirect query params)."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request("GET", f"{parts.path}?{parts.query}")
        resp = conn.getresponse()
        resp.read()
        headers = dict(resp.getheaders())
    finally:
        conn.close()
    location = headers.get("Location", "")
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
    return resp.status, headers, params


def service(emu: GoogleEmulator, api: str, creds: Credentials) -> Any:
    version = {"calendar": "v3", "people": "v1"}[api]
    doc = json.loads(get_static_doc(api, version))
    doc["rootUrl"] = emu.url + "/"
    return build_from_document(doc, credentials=creds)


def reason(err: HttpError) -> str:
    details = err.error_details
    assert isinstance(details, list) and details, err
    return str(details[0]["reason"])


def call(
    emu: GoogleEmulator, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """A raw request (no client library); returns (status, headers, body) also for error statuses."""
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    req = urllib.request.Request(emu.url + path, data=data, method=method, headers=headers or {})
    if body is not None and not isinstance(body, bytes):
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, dict(resp.headers.items()), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers.items()), err.read()


def timed(day: str, hour: int, minutes: int = 60, tz: str = "-05:00") -> dict[str, Any]:
    """start/end for a timed event on `day` (YYYY-MM-DD) at `hour`."""
    end_h, end_m = divmod(hour * 60 + minutes, 60)
    return {
        "start": {"dateTime": f"{day}T{hour:02d}:00:00{tz}"},
        "end": {"dateTime": f"{day}T{end_h:02d}:{end_m:02d}:00{tz}"},
    }
