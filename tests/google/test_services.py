"""Service builds from the trimmed, cached discovery document: every caller gets them (core.google.api),
the sync's services only narrow the methods kept; the services still talk to Google (the emulator)."""

from __future__ import annotations

import ast
import json
import time
from pathlib import Path

import google.oauth2.credentials
from googleapiclient import discovery_cache
from studiosync.core.emulator import GoogleEmulator
from studiosync.core.google import api
from studiosync.core.google.api import build_calendar, build_people, discovery_document, execute, run_batch
from studiosync.core.sync import services
from studiosync.core.sync.services import CALENDAR_METHODS, calendar_service, people_service

ROOT = Path(__file__).resolve().parents[2]


def _creds():
    return google.oauth2.credentials.Credentials("token")


def test_the_document_is_trimmed_once_per_process() -> None:
    full = json.loads(discovery_cache.get_static_doc("calendar", "v3"))
    text = discovery_document("calendar", "v3")
    assert discovery_document("calendar", "v3") is text  # cached
    doc = json.loads(text)
    assert len(text) < len(json.dumps(full)) / 2
    assert set(doc["resources"]) == set(full["resources"])  # every resource and method stays
    for name, resource in full["resources"].items():
        assert set(doc["resources"][name].get("methods", {})) == set(resource.get("methods", {}))
    assert "description" not in doc["resources"]["events"]["methods"]["list"]
    # page tokens survive the schema trimming: the library derives list_next from them
    assert doc["schemas"]["Events"]["properties"] == {"nextPageToken": {"type": "string"}}
    narrow = json.loads(discovery_document("calendar", "v3", CALENDAR_METHODS))
    assert set(narrow["resources"]) == {"events"}
    assert set(narrow["resources"]["events"]["methods"]) == set(CALENDAR_METHODS["events"])


def test_every_builder_gets_the_cheap_build() -> None:
    def cost(build, *resources: str) -> float:
        best = float("inf")
        for _ in range(5):
            t = time.perf_counter()
            service = build(_creds(), "http://127.0.0.1:9/")
            for resource in resources:
                getattr(service, resource)()
            best = min(best, time.perf_counter() - t)
        return best

    # docstring rendering of the untrimmed documents costs 5-80 ms; generous bounds for a busy machine
    assert cost(build_calendar, "calendarList", "calendars", "events") < 0.02
    assert cost(build_people, "people") < 0.02
    cal = build_calendar(_creds())
    assert hasattr(cal.events(), "list_next") and hasattr(cal.calendarList(), "list_next")
    assert cal._baseUrl == "https://www.googleapis.com/calendar/v3/"  # real Google unless told otherwise


def test_the_sync_services_use_the_shared_builder_only() -> None:
    tree = ast.parse((ROOT / "core" / "sync" / "services.py").read_text())
    imported = {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    } | {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    assert not {m for m in imported if m.startswith(("googleapiclient", "json"))}, imported
    assert not hasattr(services, "trimmed_document")
    cal = calendar_service(_creds(), "http://127.0.0.1:9")
    assert set(cal._resourceDesc["resources"]) == {"events"}
    assert cal._baseUrl == "http://127.0.0.1:9/calendar/v3/"
    assert api.request_counter(cal).snapshot() == {}


def test_trimmed_services_work_against_the_emulator(emu: GoogleEmulator, creds) -> None:
    cal = build_calendar(creds, emu.url)
    calendars = execute(cal.calendarList().list())
    assert [c["id"] for c in calendars["items"]] == ["ann@example.com"]
    body = {
        "id": "trim0001",
        "summary": "Shoot",
        "description": "kept: bodies do not need the schemas",
        "start": {"dateTime": "2026-12-01T10:00:00-05:00"},
        "end": {"dateTime": "2026-12-01T11:00:00-05:00"},
    }
    sync_cal = calendar_service(creds, emu.url)
    results, _ = run_batch(sync_cal, [(1, sync_cal.events().insert(calendarId="ann@example.com", body=body))])
    assert results[1]["description"] == body["description"]
    listed = execute(cal.events().list(calendarId="ann@example.com"))
    assert [e["summary"] for e in listed["items"]] == ["Shoot"]
    people = people_service(creds, emu.url)
    execute(people.people().connections().list(resourceName="people/me", personFields="names"))
