"""The control API's Google-shaped endpoints over HTTP (what tests, bench/live.py and the demo use), read
back through the real client libraries; and the emulator's independence from the product."""

from __future__ import annotations

import ast
import json
import urllib.parse
from pathlib import Path
from typing import Any

from studiosync.core import emulator as emulator_package
from studiosync.core.emulator import GoogleEmulator

from .helpers import ANN, call

Q = urllib.parse.quote
ACC = f"/_emulator/accounts/{Q(ANN)}"


def _post(emu: GoogleEmulator, path: str, body: dict[str, Any]) -> Any:
    status, _, raw = call(emu, "POST", path, body)
    assert status == 200, raw
    return json.loads(raw)


def test_shaped_events_over_http(emu: GoogleEmulator, cal: Any) -> None:
    invite = _post(
        emu,
        ACC + "/invitations",
        {
            "organizer": {"email": "boss@agency.example", "displayName": "Boss"},
            "summary": "Briefing",
            "start": "2026-03-10T14:00:00-05:00",
            "end": "2026-03-10T15:00:00-05:00",
            "response": "accepted",
        },
    )
    assert invite["organizer"] == {"email": "boss@agency.example", "displayName": "Boss"}
    answered = _post(emu, ACC + f"/invitations/{invite['id']}/response", {"response": "declined"})
    assert [a["responseStatus"] for a in answered["attendees"] if a.get("self")] == ["declined"]
    person = _post(
        emu, ACC + "/people", {"name": "Ada Client", "emails": ["ada@example.com"], "birthday": "1990-03-03"}
    )
    birthday = _post(emu, ACC + "/birthdays", {"date": "1990-03-03", "contact": person["resourceName"]})
    assert birthday["birthdayProperties"]["contact"] == person["resourceName"]
    work = _post(
        emu, ACC + "/working-location", {"start": "2026-03-02", "kind": "officeLocation", "label": "Studio"}
    )
    assert work["workingLocationProperties"] == {
        "type": "officeLocation",
        "officeLocation": {"label": "Studio"},
    }
    ooo = _post(emu, ACC + "/out-of-office", {"start": "2026-03-20", "end": "2026-03-21", "message": "Away"})
    assert ooo["outOfOfficeProperties"]["declineMessage"] == "Away"
    focus = _post(
        emu, ACC + "/focus-time", {"start": "2026-03-03T09:00:00-05:00", "end": "2026-03-03T10:00:00-05:00"}
    )
    assert focus["eventType"] == "focusTime"
    gmail = _post(
        emu,
        ACC + "/from-gmail",
        {"summary": "Table for 2", "start": "2026-03-04T19:00:00-05:00", "end": "2026-03-04T21:00:00-05:00"},
    )
    assert gmail["eventType"] == "fromGmail"
    listed = cal.events().list(calendarId="primary").execute()["items"]
    assert {e["eventType"] for e in listed} == {
        "default",
        "birthday",
        "workingLocation",
        "outOfOffice",
        "focusTime",
        "fromGmail",
    }
    status, _, raw = call(emu, "POST", ACC + "/working-location", {"start": "2026-03-02", "kind": "moon"})
    assert status == 400 and "bad working location" in json.loads(raw)["error"]


def test_google_side_edit_and_delete_over_http(emu: GoogleEmulator, cal: Any) -> None:
    gmail = emu.add_from_gmail(
        ANN, summary="Flight", start="2026-03-04T19:00:00-05:00", end="2026-03-04T21:00:00-05:00"
    )
    path = f"{ACC}/calendars/primary/events/{Q(gmail['id'])}"
    status, _, raw = call(emu, "PATCH", path, {"summary": "Flight (delayed)"})
    assert status == 200 and json.loads(raw)["sequence"] == 1  # Gmail may change what a client may not
    assert call(emu, "DELETE", path)[0] == 200
    assert cal.events().get(calendarId="primary", eventId=gmail["id"]).execute()["status"] == "cancelled"


def test_contacts_several_values_shared_email_and_deletion(emu: GoogleEmulator, ppl: Any) -> None:
    one = emu.add_person(
        ANN,
        "Sam Lee",
        emails=["family@example.com", "sam@work.example"],
        phones=["+1 555 0100", "+1 555 0101"],
    )
    two = emu.add_person(ANN, "Alex Lee", emails=["family@example.com"])
    listed = (
        ppl.people()
        .connections()
        .list(
            resourceName="people/me", personFields="names,emailAddresses,phoneNumbers", requestSyncToken=True
        )
        .execute()
    )
    people = {p["resourceName"]: p for p in listed["connections"]}
    assert [e["value"] for e in people[one["resourceName"]]["emailAddresses"]] == [
        "family@example.com",
        "sam@work.example",
    ]
    assert [e["type"] for e in people[one["resourceName"]]["phoneNumbers"]] == ["mobile", "home"]
    assert people[two["resourceName"]]["emailAddresses"][0]["value"] == "family@example.com"
    emu.delete_contact(ANN, two["resourceName"])
    changed = (
        ppl.people()
        .connections()
        .list(resourceName="people/me", personFields="names", syncToken=listed["nextSyncToken"])
        .execute()
    )
    gone = changed["connections"][0]
    assert gone["resourceName"] == two["resourceName"] and gone["metadata"]["deleted"] is True


def test_emulator_imports_nothing_of_the_product() -> None:
    """The emulator is an independent Google: its modules import only their own package and libraries."""
    root = Path(emulator_package.__file__).parent
    offenders = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.ImportFrom) and node.level > 0:
                depth = len(path.relative_to(root).parts) - 1
                if node.level > depth + 1:
                    offenders.append(f"{path.name}: relative import leaves the package")
            offenders += [f"{path.name}: {n}" for n in names if n.startswith(("studiosync", "core", "tui"))]
    assert offenders == []
