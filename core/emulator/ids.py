"""Identifiers, etags and opaque tokens, generated the way Google shapes them."""

from __future__ import annotations

import base64
import itertools
import json
import re
import secrets
import threading
import time
from typing import Any

# Client-chosen event ids (Calendar v3 reference, Event.id): base32hex lower-case characters, 5 to 1024.
EVENT_ID_RE = re.compile(r"^[a-v0-9]{5,1024}$")
# Ids Google itself gives events are wider: `_60q30c1g60o30e1i...` on Exchange-synced calendars
# (recorded in kewisch/gdata-provider#728), `_c8rinwq863h45qnucyoi43ny8` (home-assistant's google tests),
# `...ccp66b9hcdhmap1h64r3ic1o70_R20201028T090000` after a series split (kewisch/gdata-provider#179).
GOOGLE_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,1024}$")

_etag_lock = threading.Lock()
_etag_counter = itertools.count(1)


def new_event_id() -> str:
    """A server-chosen event id: 26 base32hex characters, like Google's."""
    return base64.b32hexencode(secrets.token_bytes(16)).decode().lower().rstrip("=")


def new_calendar_id() -> str:
    return new_event_id() + "@group.calendar.google.com"


def new_etag() -> str:
    """A quoted etag that differs on every call (time-based, made strictly increasing by a counter)."""
    with _etag_lock:
        n = next(_etag_counter)
    return f'"{time.time_ns() // 1000}{n:06d}"'


def new_person_etag() -> str:
    return "%" + base64.urlsafe_b64encode(secrets.token_bytes(18)).decode()


def new_person_id() -> str:
    return "c" + str(secrets.randbelow(9 * 10**18) + 10**18)


def new_secret(prefix: str, nbytes: int = 24) -> str:
    return prefix + secrets.token_urlsafe(nbytes)


def encode_token(prefix: str, payload: dict[str, Any]) -> str:
    """An opaque page/sync token: a prefix and url-safe base64 JSON (clients must not parse it)."""
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return prefix + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(prefix: str, token: str) -> dict[str, Any] | None:
    """The payload of a token made by `encode_token`, or None when it is not one."""
    if not token.startswith(prefix):
        return None
    body = token[len(prefix) :]
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        data = json.loads(raw)
    except (ValueError, TypeError):
        return None
    return data if isinstance(data, dict) else None
