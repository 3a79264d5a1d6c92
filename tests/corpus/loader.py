"""Seed the payload corpus (tests/corpus/events/*.json, tests/corpus/contacts/*.json) into a running
Google emulator through its control API over HTTP, the way Google would have put it there.

    loader = CorpusLoader(emu.url)            # creates photographer@studio.example (America/New_York)
    refs = loader.load_all()                  # contacts first (birthdays point at them), then events
    ...                                       # e.g. take a sync token / run a first sync here
    loader.apply_deletions_all(refs)          # the deletions the corpus describes (tombstones follow)

Each item's `event`/`people` is a resource exactly as Google returns it; the loader sends it minus what
Google computes (etag, created, updated, htmlLink, sequence, self flags). `expected_event()` gives what a
read-back must equal (the corpus resource with contact references mapped, volatile keys dropped).
Nothing here imports the product: it speaks HTTP to the emulator's control API only.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).parent
ACCOUNT = "photographer@studio.example"
TIMEZONE = "America/New_York"
# Keys Google computes anew for every stored copy: never compared.
VOLATILE = frozenset({"etag", "created", "updated", "htmlLink"})
_NOT_SENT = VOLATILE | {"kind", "sequence", "recurringEventId", "originalStartTime"}
_PERSON_NOT_SENT = frozenset({"resourceName", "etag", "metadata"})


@dataclass(frozen=True)
class CorpusItem:
    name: str
    kind: str  # "event" or "contacts"
    data: dict[str, Any]


def items(kind: str | None = None) -> list[CorpusItem]:
    """Every corpus item (of one kind), in a stable order: contacts before events."""
    out = []
    for folder, item_kind in (("contacts", "contacts"), ("events", "event")):
        if kind not in (None, item_kind):
            continue
        for path in sorted((CORPUS / folder).glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            out.append(CorpusItem(data["name"], item_kind, data))
    return out


def _without_self(person: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in person.items() if k != "self"}


def _remap(value: Any, refs: dict[str, str]) -> Any:
    """Replace the corpus' placeholder contact resourceNames with the emulator's real ones."""
    text = json.dumps(value)
    for placeholder, real in refs.items():
        text = text.replace(json.dumps(placeholder)[1:-1], json.dumps(real)[1:-1])
    return json.loads(text)


def event_body(resource: dict[str, Any], refs: dict[str, str]) -> dict[str, Any]:
    """What Google stores for a corpus event: the resource minus computed keys and self flags."""
    body = {k: v for k, v in resource.items() if k not in _NOT_SENT}
    for key in ("creator", "organizer"):
        if key in body:
            body[key] = _without_self(body[key])
    if "attendees" in body:
        body["attendees"] = [
            {k: v for k, v in a.items() if k not in ("self", "organizer")} for a in body["attendees"]
        ]
    return _remap(body, refs)


def expected_event(resource: dict[str, Any], refs: dict[str, str]) -> dict[str, Any]:
    """What events.get must return for a corpus resource (volatile keys dropped)."""
    return _remap({k: v for k, v in resource.items() if k not in VOLATILE}, refs)


def comparable(resource: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in resource.items() if k not in VOLATILE}


class CorpusLoader:
    """Seeds corpus items into the emulator at `base_url` through `/_emulator/...`."""

    def __init__(self, base_url: str, account: str = ACCOUNT, timezone: str = TIMEZONE) -> None:
        self.base_url = base_url.rstrip("/")
        self.account = account
        self._call(
            "POST",
            "/_emulator/accounts",
            {"email": account, "name": "Studio Photographer", "timezone": timezone},
        )

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base_url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return json.loads(resp.read() or b"{}")
        except urllib.error.HTTPError as err:
            raise RuntimeError(f"{method} {path}: {err.code} {err.read().decode(errors='replace')}") from None

    def _events_path(self, event_id: str | None = None) -> str:
        path = f"/_emulator/accounts/{urllib.parse.quote(self.account)}/calendars/primary/events"
        return path + (f"/{urllib.parse.quote(event_id, safe='')}" if event_id else "")

    def load_contacts(self, item: CorpusItem) -> dict[str, str]:
        """Create the item's people; returns {corpus resourceName: emulator resourceName}."""
        refs = {}
        for person in item.data["people"]:
            body = {k: v for k, v in person.items() if k not in _PERSON_NOT_SENT}
            made = self._call(
                "POST", f"/_emulator/accounts/{urllib.parse.quote(self.account)}/contacts", body
            )
            refs[person["resourceName"]] = made["resourceName"]
        return refs

    def load_event(self, item: CorpusItem, refs: dict[str, str]) -> dict[str, Any]:
        """Create the item's event and its modified instances; returns the stored event as Google shows it."""
        made = self._call("POST", self._events_path(), event_body(item.data["event"], refs))
        for exception in item.data.get("exceptions", []):
            change = {
                k: v
                for k, v in event_body(exception, refs).items()
                if k not in ("id", "iCalUID", "creator", "organizer")
            }
            self._call("PATCH", self._events_path(exception["id"]), change)
        return made

    def apply_deletions(self, item: CorpusItem, refs: dict[str, str]) -> None:
        """The deletions an item describes: cancelled events/instances, deleted contacts."""
        for event_id in item.data.get("cancel", []):
            self._call("DELETE", self._events_path(event_id))
        for name in item.data.get("delete", []):
            real = refs.get(name, name)
            self._call("DELETE", f"/_emulator/accounts/{urllib.parse.quote(self.account)}/contacts/{real}")

    def load_all(self) -> dict[str, str]:
        refs: dict[str, str] = {}
        for item in items("contacts"):
            refs.update(self.load_contacts(item))
        for item in items("event"):
            self.load_event(item, refs)
        return refs

    def apply_deletions_all(self, refs: dict[str, str]) -> None:
        for item in items():
            self.apply_deletions(item, refs)
