"""Invitations (organizer permissions), date<->dateTime patches and Google's own event ids, through the
real client library.

Sources: Calendar v3 reference (Event.organizer.self, attendees[].self, extendedProperties.private/shared,
guestsCanModify), Calendar's errors page and kewisch/gdata-provider#426/#728 (403 forbiddenForNonOrganizer,
"Shared properties can only be changed by the organizer of the event."), t4t5/caldir update_event.rs (a
guest answers with a PATCH of only their attendee entry), n8n-io/n8n#35800 (400 invalid "Invalid start
time." for a patch that keeps both date and dateTime), Event.id (client ids: base32hex, 5-1024) and
kewisch/gdata-provider#728 (an Exchange-synced event id `_60q30c1g...`).
"""

from __future__ import annotations

from typing import Any

import pytest
from googleapiclient.errors import HttpError
from studiosync.core.emulator import ControlError, GoogleEmulator

from .helpers import ANN, BOB, reason, timed

BOSS = "boss@agency.example"
SHARED_ONLY = "Shared properties can only be changed by the organizer of the event."
EXCHANGE_ID = (
    "_60q30c1g60o30e1i60o4ac1g60rj8gpl88rj2c1h84s34h9g60s30c1g60o30c1g6114acq26h0j4chk6gq3ac9g64o30c1g60o30"
    "c1g60o32c1g60o30c1g6p0jcc9o6kr3icpo6kr38dpl8gq3gdb1c4"
)


def _invite(emu: GoogleEmulator, **extra: Any) -> dict[str, Any]:
    return emu.add_invitation(
        ANN,
        organizer=BOSS,
        organizer_name="The Boss",
        summary="Client briefing",
        start="2026-03-10T14:00:00-05:00",
        end="2026-03-10T15:00:00-05:00",
        description="Agenda",
        location="Room 4",
        others=[{"email": "carol@agency.example", "responseStatus": "accepted"}],
        **extra,
    )


def _forbidden(call: Any) -> None:
    with pytest.raises(HttpError) as err:
        call.execute()
    assert err.value.status_code == 403 and reason(err.value) == "forbiddenForNonOrganizer"
    assert err.value.error_details[0]["message"] == SHARED_ONLY
    assert err.value.error_details[0]["domain"] == "calendar"


def test_invitation_shape_on_the_attendee_calendar(emu: GoogleEmulator, cal: Any) -> None:
    made = _invite(emu)
    ev = cal.events().get(calendarId="primary", eventId=made["id"]).execute()
    assert ev["organizer"] == {"email": BOSS, "displayName": "The Boss"}  # no self: it is someone else
    assert ev["creator"] == {"email": BOSS, "displayName": "The Boss"}
    me = [a for a in ev["attendees"] if a.get("self")]
    assert me == [{"email": ANN, "responseStatus": "needsAction", "self": True}]
    boss = [a for a in ev["attendees"] if a.get("organizer")]
    assert boss == [
        {"email": BOSS, "displayName": "The Boss", "responseStatus": "accepted", "organizer": True}
    ]
    own = (
        cal.events()
        .insert(calendarId="primary", body={"summary": "Mine", **timed("2026-03-10", 9)})
        .execute()
    )
    assert own["organizer"] == {"email": ANN, "self": True}


@pytest.mark.parametrize(
    "change",
    [
        {"summary": "Renamed"},
        {"description": "New agenda"},
        {"location": "Room 5"},
        {
            "start": {"dateTime": "2026-03-10T15:00:00-05:00"},
            "end": {"dateTime": "2026-03-10T16:00:00-05:00"},
        },
        {"extendedProperties": {"shared": {"k": "v"}}},
        {"attendees": [{"email": "new@example.com"}]},
    ],
)
def test_attendee_cannot_change_shared_fields(emu: GoogleEmulator, cal: Any, change: dict[str, Any]) -> None:
    made = _invite(emu)
    _forbidden(cal.events().patch(calendarId="primary", eventId=made["id"], body=change))
    after = cal.events().get(calendarId="primary", eventId=made["id"]).execute()
    assert after["etag"] == made["etag"] and after["summary"] == "Client briefing"


def test_attendee_put_with_a_changed_title_is_forbidden(emu: GoogleEmulator, cal: Any) -> None:
    made = _invite(emu)
    full = cal.events().get(calendarId="primary", eventId=made["id"]).execute()
    _forbidden(
        cal.events().update(calendarId="primary", eventId=made["id"], body={**full, "summary": "Mine now"})
    )


def test_attendee_may_answer_and_set_personal_fields(emu: GoogleEmulator, cal: Any) -> None:
    made = _invite(emu)
    # the guest's answer alone, as caldir sends it: other guests stay
    answer = {"attendees": [{"email": ANN, "responseStatus": "accepted", "self": True}]}
    out = cal.events().patch(calendarId="primary", eventId=made["id"], body=answer).execute()
    assert [a["responseStatus"] for a in out["attendees"] if a.get("self")] == ["accepted"]
    assert {a["email"] for a in out["attendees"]} == {BOSS, ANN, "carol@agency.example"}
    personal = {
        "colorId": "3",
        "transparency": "transparent",
        "reminders": {"useDefault": False, "overrides": [{"method": "popup", "minutes": 5}]},
        "extendedProperties": {"private": {"studio": "A-1"}},
    }
    out = cal.events().patch(calendarId="primary", eventId=made["id"], body=personal).execute()
    assert out["colorId"] == "3" and out["transparency"] == "transparent"
    assert out["extendedProperties"]["private"] == {"studio": "A-1"}
    # a full PUT echoing the event with only the answer changed is fine too
    full = cal.events().get(calendarId="primary", eventId=made["id"]).execute()
    for att in full["attendees"]:
        if att.get("self"):
            att["responseStatus"] = "declined"
    out = cal.events().update(calendarId="primary", eventId=made["id"], body=full).execute()
    assert [a["responseStatus"] for a in out["attendees"] if a.get("self")] == ["declined"]


def test_another_guests_answer_cannot_be_changed(emu: GoogleEmulator, cal: Any) -> None:
    made = _invite(emu)
    _forbidden(
        cal.events().patch(
            calendarId="primary",
            eventId=made["id"],
            body={"attendees": [{"email": "carol@agency.example", "responseStatus": "declined"}]},
        )
    )


def test_guests_can_modify_lets_the_attendee_edit(emu: GoogleEmulator, cal: Any) -> None:
    made = _invite(emu, guestsCanModify=True)
    out = (
        cal.events().patch(calendarId="primary", eventId=made["id"], body={"summary": "Co-edited"}).execute()
    )
    assert out["summary"] == "Co-edited"


def test_attendee_delete_removes_only_their_copy(emu: GoogleEmulator, cal: Any) -> None:
    made = _invite(emu)
    bob_copy = emu.add_invitation(
        BOB, organizer=BOSS, summary="Client briefing", start=made["start"], end=made["end"], id=made["id"]
    )
    cal.events().delete(calendarId="primary", eventId=made["id"]).execute()
    assert cal.events().get(calendarId="primary", eventId=made["id"]).execute()["status"] == "cancelled"
    assert emu.get_event(BOB, "primary", bob_copy["id"])["status"] == "confirmed"


def test_google_side_organizer_edit_reaches_the_guest_copy(emu: GoogleEmulator, cal: Any) -> None:
    made = _invite(emu)
    emu.update_event(ANN, "primary", made["id"], {"summary": "Briefing moved"})
    ev = cal.events().get(calendarId="primary", eventId=made["id"]).execute()
    assert ev["summary"] == "Briefing moved" and ev["sequence"] == made["sequence"] + 1
    answered = emu.respond(ANN, made["id"], "tentative")
    assert [a["responseStatus"] for a in answered["attendees"] if a.get("self")] == ["tentative"]


# ------------------------------------------------------------------ all-day <-> timed patches
@pytest.mark.parametrize(
    ("initial", "switch", "nulled", "field"),
    [
        (
            {"start": {"date": "2026-03-05"}, "end": {"date": "2026-03-06"}},
            {
                "start": {"dateTime": "2026-03-05T10:00:00-05:00"},
                "end": {"dateTime": "2026-03-05T11:00:00-05:00"},
            },
            "date",
            "start",
        ),
        (
            timed("2026-03-05", 10),
            {"start": {"date": "2026-03-05"}, "end": {"date": "2026-03-06"}},
            "dateTime",
            "start",
        ),
        (
            timed("2026-03-05", 10),
            {"end": {"date": "2026-03-06"}},
            "dateTime",
            "end",
        ),
    ],
)
def test_switching_date_and_datetime_needs_the_other_key_nulled(
    cal: Any, initial: dict[str, Any], switch: dict[str, Any], nulled: str, field: str
) -> None:
    ev = cal.events().insert(calendarId="primary", body={"summary": "s", **initial}).execute()
    with pytest.raises(HttpError) as err:
        cal.events().patch(calendarId="primary", eventId=ev["id"], body=switch).execute()
    assert err.value.status_code == 400 and reason(err.value) == "invalid"
    assert err.value.error_details[0]["message"] == f"Invalid {field} time."
    if field == "end":
        return
    fixed = {key: {**value, nulled: None} for key, value in switch.items()}
    out = cal.events().patch(calendarId="primary", eventId=ev["id"], body=fixed).execute()
    assert nulled not in out["start"] and nulled not in out["end"]


# ------------------------------------------------------------------ ids
def test_client_ids_are_base32hex_but_google_ids_are_stored_and_returned(
    emu: GoogleEmulator, cal: Any
) -> None:
    with pytest.raises(HttpError) as err:
        cal.events().insert(
            calendarId="primary", body={"id": EXCHANGE_ID, **timed("2026-03-02", 9)}
        ).execute()
    assert err.value.status_code == 400 and reason(err.value) == "invalid"
    made = emu.add_event(
        ANN, "primary", {"id": EXCHANGE_ID, "summary": "From Exchange", **timed("2026-03-02", 9)}
    )
    assert made["id"] == EXCHANGE_ID
    got = cal.events().get(calendarId="primary", eventId=EXCHANGE_ID).execute()
    assert got["summary"] == "From Exchange" and got["iCalUID"] == f"{EXCHANGE_ID}@google.com"
    listed = cal.events().list(calendarId="primary").execute()["items"]
    assert [e["id"] for e in listed] == [EXCHANGE_ID]
    out = cal.events().patch(calendarId="primary", eventId=EXCHANGE_ID, body={"summary": "Edited"}).execute()
    assert out["summary"] == "Edited"
    with pytest.raises(ControlError):
        emu.add_event(ANN, "primary", {"id": "has/slash", **timed("2026-03-02", 9)})
