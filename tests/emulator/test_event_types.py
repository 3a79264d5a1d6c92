"""Event types through the real client library, as Google documents them.

Sources: calendar.v3.json (Event.eventType "cannot be modified after the event is created"; "fromGmail ...
cannot be created"; events.list eventTypes "If unset, returns all event types"), the "Event types" guide
(birthdays: all-day, yearly, private, transparent; only summary, colorId, reminders and the one-day date
editable, not for a contact's birthday), guides/calendar-status (status events on primary calendars only,
working location needs workingLocationProperties.type), recorded answers: kellylford/QuickMail#294 (400
eventTypeRestriction deleting a contact's birthday), gemini-cli-extensions/workspace#319 ("Event type cannot
be changed." on a PUT that drops eventType).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from googleapiclient.errors import HttpError
from studiosync.core.emulator import GoogleEmulator

from .helpers import ANN, call, reason, timed

RESTRICTED = "Attempt made to modify '{}' event in a way that is not valid for this event type."


def _error(call: Any) -> tuple[int, str, str]:
    with pytest.raises(HttpError) as err:
        call.execute()
    return err.value.status_code, reason(err.value), err.value.error_details[0]["message"]


def _seed_every_type(emu: GoogleEmulator) -> dict[str, dict[str, Any]]:
    contact = emu.add_person(ANN, "Ada Client", emails=["ada@example.com"], birthday="1990-03-03")
    return {
        "default": emu.add_event(ANN, "primary", {"summary": "Portrait", **timed("2026-03-02", 10)}),
        "birthday": emu.add_birthday(ANN, date="1990-03-03", contact=contact["resourceName"]),
        "fromGmail": emu.add_from_gmail(
            ANN,
            summary="Flight to London (BA 117)",
            start="2026-03-04T18:00:00-05:00",
            end="2026-03-05T06:00:00+00:00",
            location="JFK",
        ),
        "workingLocation": emu.add_working_location(ANN, start="2026-03-02"),
        "focusTime": emu.add_focus_time(
            ANN, start="2026-03-03T09:00:00-05:00", end="2026-03-03T11:00:00-05:00"
        ),
        "outOfOffice": emu.add_out_of_office(ANN, start="2026-03-06", end="2026-03-07"),
    }


def test_every_type_is_stored_and_returned_with_its_properties(emu: GoogleEmulator, cal: Any) -> None:
    made = _seed_every_type(emu)
    listed = cal.events().list(calendarId="primary").execute()["items"]
    by_type = {e["eventType"]: e for e in listed}
    assert set(by_type) == set(made)  # no eventTypes parameter: every type comes back
    assert "birthdayProperties" not in by_type["default"]
    birthday = by_type["birthday"]
    assert birthday["birthdayProperties"] == {
        "type": "birthday",
        "contact": made["birthday"]["birthdayProperties"]["contact"],
    }
    assert birthday["birthdayProperties"]["contact"].startswith("people/c")
    assert birthday["start"] == {"date": "1990-03-03"} and birthday["end"] == {"date": "1990-03-04"}
    assert birthday["recurrence"] == ["RRULE:FREQ=YEARLY"]
    assert (birthday["visibility"], birthday["transparency"]) == ("private", "transparent")
    assert birthday["summary"] == "Ada Client's birthday"
    work = by_type["workingLocation"]
    assert work["workingLocationProperties"] == {"type": "homeOffice", "homeOffice": {}}
    assert work["recurrence"] == ["RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"] and work["summary"] == "Home"
    assert (work["visibility"], work["transparency"]) == ("public", "transparent")
    ooo = by_type["outOfOffice"]
    assert set(ooo["outOfOfficeProperties"]) == {"autoDeclineMode", "declineMessage"}
    # an "all day" out of office is a midnight-to-midnight timed span in the account's zone
    assert ooo["start"] == {"dateTime": "2026-03-06T00:00:00-05:00", "timeZone": "America/New_York"}
    assert ooo["end"]["dateTime"] == "2026-03-07T00:00:00-05:00"
    focus = by_type["focusTime"]
    assert focus["focusTimeProperties"]["chatStatus"] == "doNotDisturb"
    gmail = by_type["fromGmail"]
    assert gmail["organizer"] == {"email": "unknownorganizer@calendar.google.com"}
    assert gmail["id"].startswith("_") and gmail["privateCopy"] is True
    assert gmail["attendees"] == [{"email": ANN, "responseStatus": "accepted", "self": True}]
    assert gmail["source"]["url"].startswith("https://mail.google.com/mail?extsrc=cal")


@pytest.mark.parametrize(
    ("types", "expected"),
    [
        (["birthday"], {"birthday"}),
        (["workingLocation", "outOfOffice"], {"workingLocation", "outOfOffice"}),
        (["default", "fromGmail", "focusTime"], {"default", "fromGmail", "focusTime"}),
    ],
)
def test_event_types_parameter_filters(
    emu: GoogleEmulator, cal: Any, types: list[str], expected: set[str]
) -> None:
    _seed_every_type(emu)
    page = cal.events().list(calendarId="primary", eventTypes=types).execute()
    assert {e["eventType"] for e in page["items"]} == expected
    single = cal.events().list(
        calendarId="primary", eventTypes=types, singleEvents=True, timeMax="2026-04-01T00:00:00Z"
    )
    assert {e["eventType"] for e in single.execute()["items"]} == expected
    # an incremental listing keeps the filter
    emu.add_event(ANN, "primary", {"summary": "later", **timed("2026-03-09", 9)})
    changed = (
        cal.events().list(calendarId="primary", eventTypes=types, syncToken=page["nextSyncToken"]).execute()
    )
    assert [e["eventType"] for e in changed["items"]] == (["default"] if "default" in types else [])


def test_unknown_event_type_is_refused(emu: GoogleEmulator, creds: Any, cal: Any) -> None:
    # the client library checks the enum itself: the raw request shows the server refuses it too
    path = "/calendar/v3/calendars/primary/events?eventTypes=holiday"
    status, _, body = call(emu, "GET", path, headers={"Authorization": f"Bearer {creds.token}"})
    assert status == 400 and json.loads(body)["error"]["errors"][0]["reason"] == "invalid"
    code, why, _ = _error(
        cal.events().insert(calendarId="primary", body={"eventType": "holiday", **timed("2026-03-02", 9)})
    )
    assert (code, why) == (400, "invalid")


@pytest.mark.parametrize("kind", ["birthday", "fromGmail", "workingLocation", "focusTime", "outOfOffice"])
def test_event_type_cannot_be_changed(emu: GoogleEmulator, cal: Any, kind: str) -> None:
    ev = _seed_every_type(emu)[kind]
    code, why, message = _error(
        cal.events().patch(calendarId="primary", eventId=ev["id"], body={"eventType": "default"})
    )
    assert (code, why, message) == (400, "invalid", "Event type cannot be changed.")
    # a PUT that leaves eventType out asks for "default" (recorded in gemini-cli-extensions/workspace#319)
    full = cal.events().get(calendarId="primary", eventId=ev["id"]).execute()
    full.pop("eventType")
    code, _, message = _error(cal.events().update(calendarId="primary", eventId=ev["id"], body=full))
    assert (code, message) == (400, "Event type cannot be changed.")


def test_default_event_cannot_become_another_type(emu: GoogleEmulator, cal: Any) -> None:
    ev = _seed_every_type(emu)["default"]
    code, _, message = _error(
        cal.events().patch(calendarId="primary", eventId=ev["id"], body={"eventType": "focusTime"})
    )
    assert (code, message) == (400, "Event type cannot be changed.")


BIRTHDAY_MOVE = {"start": {"date": "1990-03-05"}, "end": {"date": "1990-03-06"}}
GMAIL_MOVE = {"start": {"dateTime": "2026-03-04T19:00:00-05:00"}, "end": {"dateTime": "2026-03-05T07:00:00Z"}}


@pytest.mark.parametrize(
    ("kind", "change"),
    [
        (kind, change)
        for kind, move in (("birthday", BIRTHDAY_MOVE), ("fromGmail", GMAIL_MOVE))
        for change in ({"summary": "Renamed"}, {"description": "Notes"}, {"location": "Elsewhere"}, move)
    ],
)
def test_birthday_and_gmail_events_refuse_edits(
    emu: GoogleEmulator, cal: Any, kind: str, change: dict[str, Any]
) -> None:
    ev = _seed_every_type(emu)[kind]
    code, why, message = _error(cal.events().patch(calendarId="primary", eventId=ev["id"], body=change))
    assert (code, why, message) == (400, "eventTypeRestriction", RESTRICTED.format(kind))
    assert cal.events().get(calendarId="primary", eventId=ev["id"]).execute()["etag"] == ev["etag"]


@pytest.mark.parametrize("kind", ["birthday", "fromGmail"])
def test_birthday_and_gmail_events_accept_personal_fields(emu: GoogleEmulator, cal: Any, kind: str) -> None:
    ev = _seed_every_type(emu)[kind]
    body = {
        "colorId": "5",
        "reminders": {"useDefault": False, "overrides": [{"method": "popup", "minutes": 60}]},
    }
    out = cal.events().patch(calendarId="primary", eventId=ev["id"], body=body).execute()
    assert out["colorId"] == "5" and out["reminders"]["overrides"][0]["minutes"] == 60


def test_gmail_event_delete_is_refused_and_contact_birthday_too(emu: GoogleEmulator, cal: Any) -> None:
    made = _seed_every_type(emu)
    for kind in ("fromGmail", "birthday"):
        code, why, message = _error(cal.events().delete(calendarId="primary", eventId=made[kind]["id"]))
        assert (code, why, message) == (400, "eventTypeRestriction", RESTRICTED.format(kind))
        assert (
            cal.events().get(calendarId="primary", eventId=made[kind]["id"]).execute()["status"]
            == "confirmed"
        )
    for kind in ("workingLocation", "focusTime", "outOfOffice", "default"):
        cal.events().delete(calendarId="primary", eventId=made[kind]["id"]).execute()


def test_birthday_insert_rules_and_a_hand_made_birthday(cal: Any) -> None:
    body = {
        "eventType": "birthday",
        "summary": "Mum",
        "start": {"date": "2026-05-04"},
        "end": {"date": "2026-05-05"},
        "recurrence": ["RRULE:FREQ=YEARLY"],
    }
    made = cal.events().insert(calendarId="primary", body=body).execute()
    # the guide's fixed values are filled in, the type is "birthday" with no contact
    assert (made["visibility"], made["transparency"]) == ("private", "transparent")
    assert made["birthdayProperties"] == {"type": "birthday"}
    # not linked to a contact: the title and the (one-day) date may change, other fields may not
    out = (
        cal.events()
        .patch(calendarId="primary", eventId=made["id"], body={"summary": "Mum's birthday"})
        .execute()
    )
    assert out["summary"] == "Mum's birthday"
    moved = {"start": {"date": "2026-05-06"}, "end": {"date": "2026-05-07"}}
    assert cal.events().patch(calendarId="primary", eventId=made["id"], body=moved).execute()["start"] == {
        "date": "2026-05-06"
    }
    for change in (
        {"description": "x"},
        {"location": "x"},
        {"start": {"date": "2026-05-06"}, "end": {"date": "2026-05-09"}},
    ):
        assert (
            _error(cal.events().patch(calendarId="primary", eventId=made["id"], body=change))[1]
            == "eventTypeRestriction"
        )
    cal.events().delete(calendarId="primary", eventId=made["id"]).execute()  # not a contact's: deletable
    bad = [
        {**body, "recurrence": ["RRULE:FREQ=MONTHLY"]},
        {**body, "end": {"date": "2026-05-06"}},
        {**body, "visibility": "public"},
        {**body, "description": "cake"},
        {**body, "birthdayProperties": {"type": "anniversary"}},
    ]
    for wrong in bad:
        assert _error(cal.events().insert(calendarId="primary", body=wrong))[:2] == (
            400,
            "eventTypeRestriction",
        )


def test_status_event_insert_rules(emu: GoogleEmulator, cal: Any) -> None:
    gmail = {"eventType": "fromGmail", "summary": "Flight", **timed("2026-03-02", 9)}
    assert _error(cal.events().insert(calendarId="primary", body=gmail))[:2] == (400, "eventTypeRestriction")
    ooo_all_day = {"eventType": "outOfOffice", "start": {"date": "2026-03-02"}, "end": {"date": "2026-03-03"}}
    assert _error(cal.events().insert(calendarId="primary", body=ooo_all_day))[:2] == (
        400,
        "eventTypeRestriction",
    )
    with_guests = {
        "eventType": "focusTime",
        **timed("2026-03-02", 9),
        "attendees": [{"email": "x@example.com"}],
    }
    assert _error(cal.events().insert(calendarId="primary", body=with_guests))[:2] == (
        400,
        "eventTypeRestriction",
    )
    work = {"eventType": "workingLocation", "start": {"date": "2026-03-02"}, "end": {"date": "2026-03-03"}}
    assert _error(cal.events().insert(calendarId="primary", body=work))[:2] == (400, "required")
    work["workingLocationProperties"] = {"type": "officeLocation", "officeLocation": {"label": "HQ"}}
    made = cal.events().insert(calendarId="primary", body=work).execute()
    assert (made["visibility"], made["transparency"]) == ("public", "transparent")
    side = emu.add_calendar(ANN, "Side")
    assert _error(cal.events().insert(calendarId=side, body=work))[:2] == (400, "eventTypeRestriction")
    ooo = {
        "eventType": "outOfOffice",
        **timed("2026-03-02", 9),
        "outOfOfficeProperties": {"autoDeclineMode": "declineNone"},
    }
    assert cal.events().insert(calendarId="primary", body=ooo).execute()["eventType"] == "outOfOffice"
    wrong_props = {**timed("2026-03-02", 9), "focusTimeProperties": {"chatStatus": "available"}}
    assert _error(cal.events().insert(calendarId="primary", body=wrong_props))[:2] == (400, "invalid")
