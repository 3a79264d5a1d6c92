"""Calendar v3 semantics through the real googleapiclient."""

from __future__ import annotations

from typing import Any

import pytest
from googleapiclient.errors import HttpError
from studiosync.core.emulator import GoogleEmulator

from .helpers import ANN, BOB, reason, timed


def _all_pages(request_fn: Any, **params: Any) -> tuple[list[dict[str, Any]], dict[str, Any], int]:
    """Every item of a list call via list_next; returns (items, last page, number of pages)."""
    events = request_fn()
    req = events.list(**params)
    items: list[dict[str, Any]] = []
    pages = 0
    while req is not None:
        page = req.execute()
        pages += 1
        items += page.get("items", [])
        last = page
        req = events.list_next(req, page)
    return items, last, pages


def test_calendar_list_and_get(emu: GoogleEmulator, cal: Any) -> None:
    studio = emu.add_calendar(ANN, "Studio", timezone="Europe/London", access_role="owner")
    emu.add_calendar(ANN, "Holidays", access_role="reader")
    items = cal.calendarList().list().execute()["items"]
    assert [(i["summary"], i["accessRole"], i.get("primary", False)) for i in items] == [
        (ANN, "owner", True),
        ("Studio", "owner", False),
        ("Holidays", "reader", False),
    ]
    assert items[1]["id"] == studio and studio.endswith("@group.calendar.google.com")
    got = cal.calendars().get(calendarId=studio).execute()
    assert (got["summary"], got["timeZone"]) == ("Studio", "Europe/London")
    assert cal.calendars().get(calendarId="primary").execute()["timeZone"] == "America/New_York"
    readers = cal.calendarList().list(minAccessRole="writer").execute()["items"]
    assert len(readers) == 2


def test_insert_with_client_id_and_resource_shape(cal: Any) -> None:
    body = {
        "id": "appt0001studio",
        "summary": "Portrait session",
        "location": "Studio A",
        **timed("2026-03-02", 10),
        "attendees": [{"email": ANN}, {"email": "client@example.com", "displayName": "Client"}],
        "extendedProperties": {"private": {"studiosyncId": "A-1"}},
    }
    ev = cal.events().insert(calendarId="primary", body=body).execute()
    assert ev["id"] == "appt0001studio" and ev["status"] == "confirmed" and ev["sequence"] == 0
    assert ev["etag"].startswith('"') and ev["etag"].endswith('"')
    assert ev["updated"].endswith("Z") and len(ev["updated"]) == len("2026-01-01T00:00:00.000Z")
    assert ev["iCalUID"] == "appt0001studio@google.com" and ev["htmlLink"].startswith("https://")
    assert ev["creator"] == {"email": ANN, "self": True} and ev["organizer"] == {"email": ANN, "self": True}
    assert ev["start"] == {"dateTime": "2026-03-02T10:00:00-05:00"}
    me, other = ev["attendees"]
    assert me == {"email": ANN, "responseStatus": "needsAction", "organizer": True, "self": True}
    assert other == {"email": "client@example.com", "displayName": "Client", "responseStatus": "needsAction"}
    assert ev["extendedProperties"] == {"private": {"studiosyncId": "A-1"}}
    assert cal.events().get(calendarId="primary", eventId="appt0001studio").execute() == ev


def test_timed_event_with_time_zone_rendered_in_that_zone(cal: Any) -> None:
    ev = (
        cal.events()
        .insert(
            calendarId="primary",
            body={
                "start": {"dateTime": "2026-07-01T09:00:00Z", "timeZone": "Europe/Paris"},
                "end": {"dateTime": "2026-07-01T12:30:00", "timeZone": "Europe/Paris"},
            },
        )
        .execute()
    )
    assert ev["start"] == {"dateTime": "2026-07-01T11:00:00+02:00", "timeZone": "Europe/Paris"}
    assert ev["end"] == {"dateTime": "2026-07-01T12:30:00+02:00", "timeZone": "Europe/Paris"}


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ({"id": "UPPERCASE1"}, "invalid"),
        ({"id": "abcd"}, "invalid"),
        ({"id": "has-dash-x"}, "invalid"),
        ({"id": "wxyz12345"}, "invalid"),  # w-z are not base32hex
        ({"start": {"dateTime": "2026-03-02T10:00:00"}}, "required"),  # no offset, no timeZone
        ({"end": {"dateTime": "2026-03-02T09:00:00-05:00"}}, "timeRangeEmpty"),
    ],
)
def test_insert_rejects_bad_bodies(cal: Any, body: dict[str, Any], why: str) -> None:
    full = {**timed("2026-03-02", 10), **body}
    if "start" in body and "end" not in body:
        full["end"] = {"dateTime": "2026-03-02T11:00:00-05:00"}
    with pytest.raises(HttpError) as err:
        cal.events().insert(calendarId="primary", body=full).execute()
    assert err.value.status_code == 400 and reason(err.value) == why


def test_duplicate_id_is_409_even_when_cancelled_and_update_restores(cal: Any) -> None:
    body = {"id": "dup00001", "summary": "Once", **timed("2026-03-03", 9)}
    cal.events().insert(calendarId="primary", body=body).execute()
    with pytest.raises(HttpError) as err:
        cal.events().insert(calendarId="primary", body=body).execute()
    assert err.value.status_code == 409 and reason(err.value) == "duplicate"
    cal.events().delete(calendarId="primary", eventId="dup00001").execute()
    gone = cal.events().get(calendarId="primary", eventId="dup00001").execute()
    assert gone["status"] == "cancelled"
    with pytest.raises(HttpError) as err:
        cal.events().insert(calendarId="primary", body=body).execute()
    assert err.value.status_code == 409
    with pytest.raises(HttpError) as err:
        cal.events().delete(calendarId="primary", eventId="dup00001").execute()
    assert err.value.status_code == 410 and reason(err.value) == "deleted"
    back = (
        cal.events()
        .update(calendarId="primary", eventId="dup00001", body={**body, "summary": "Back"})
        .execute()
    )
    assert back["status"] == "confirmed" and back["summary"] == "Back"
    ids = [e["id"] for e in cal.events().list(calendarId="primary").execute()["items"]]
    assert ids == ["dup00001"]


def test_etag_changes_and_if_match_412(cal: Any) -> None:
    ev = cal.events().insert(calendarId="primary", body={"summary": "A", **timed("2026-03-04", 9)}).execute()
    patched = cal.events().patch(calendarId="primary", eventId=ev["id"], body={"summary": "B"}).execute()
    assert patched["etag"] != ev["etag"] and patched["updated"] >= ev["updated"]
    assert patched["start"] == ev["start"] and patched["sequence"] == ev["sequence"]
    stale = cal.events().update(calendarId="primary", eventId=ev["id"], body={**ev, "summary": "C"})
    stale.headers["If-Match"] = ev["etag"]
    with pytest.raises(HttpError) as err:
        stale.execute()
    assert err.value.status_code == 412 and reason(err.value) == "conditionNotMet"
    fresh = cal.events().update(
        calendarId="primary", eventId=ev["id"], body={**patched, "summary": "C", **timed("2026-03-04", 11)}
    )
    fresh.headers["If-Match"] = patched["etag"]
    done = fresh.execute()
    assert done["summary"] == "C" and done["sequence"] == 1  # moved in time: sequence bumps
    delete = cal.events().delete(calendarId="primary", eventId=ev["id"])
    delete.headers["If-Match"] = patched["etag"]
    with pytest.raises(HttpError) as err:
        delete.execute()
    assert err.value.status_code == 412


def test_patch_merges_nested_objects(cal: Any) -> None:
    ev = (
        cal.events()
        .insert(
            calendarId="primary",
            body={
                "summary": "A",
                **timed("2026-03-05", 9),
                "extendedProperties": {"private": {"a": "1", "b": "2"}},
            },
        )
        .execute()
    )
    out = (
        cal.events()
        .patch(
            calendarId="primary",
            eventId=ev["id"],
            body={"extendedProperties": {"private": {"b": "3"}}, "location": "X"},
        )
        .execute()
    )
    assert out["extendedProperties"]["private"] == {"a": "1", "b": "3"} and out["location"] == "X"


def test_paging_default_and_max_results(emu: GoogleEmulator, cal: Any) -> None:
    for i in range(23):
        emu.add_event(ANN, "primary", {"summary": f"e{i}", **timed("2026-04-01", 8 + i % 10)})
    items, last, pages = _all_pages(cal.events, calendarId="primary", maxResults=5)
    assert pages == 5 and len({i["id"] for i in items}) == 23
    assert "nextSyncToken" in last and "nextPageToken" not in last
    page = cal.events().list(calendarId="primary").execute()
    assert len(page["items"]) == 23 and page["nextSyncToken"]
    with pytest.raises(HttpError) as err:
        cal.events().list(calendarId="primary", pageToken="garbage").execute()
    assert err.value.status_code == 400


def test_sync_token_incremental_includes_cancelled(emu: GoogleEmulator, cal: Any) -> None:
    keep = (
        cal.events()
        .insert(calendarId="primary", body={"summary": "keep", **timed("2026-05-01", 9)})
        .execute()
    )
    drop = (
        cal.events()
        .insert(calendarId="primary", body={"summary": "drop", **timed("2026-05-01", 10)})
        .execute()
    )
    edit = (
        cal.events()
        .insert(calendarId="primary", body={"summary": "edit", **timed("2026-05-01", 11)})
        .execute()
    )
    _, last, _ = _all_pages(cal.events, calendarId="primary", maxResults=2)
    token = last["nextSyncToken"]

    cal.events().delete(calendarId="primary", eventId=drop["id"]).execute()
    edited = emu.update_event(ANN, "primary", edit["id"], {"summary": "edited on phone"})
    assert edited["sequence"] == 1 and edited["etag"] != edit["etag"]
    new = emu.add_event(ANN, "primary", {"summary": "new", **timed("2026-05-02", 9)})

    items, last, _ = _all_pages(cal.events, calendarId="primary", syncToken=token, maxResults=2)
    by_id = {i["id"]: i for i in items}
    assert set(by_id) == {drop["id"], edit["id"], new["id"]} and keep["id"] not in by_id
    assert by_id[drop["id"]]["status"] == "cancelled"
    assert by_id[edit["id"]]["summary"] == "edited on phone"
    again = cal.events().list(calendarId="primary", syncToken=last["nextSyncToken"]).execute()
    assert again["items"] == [] and again["nextSyncToken"]
    # Without a sync token, cancelled events only show with showDeleted.
    plain = {i["id"] for i in cal.events().list(calendarId="primary").execute()["items"]}
    assert drop["id"] not in plain
    assert drop["id"] in {
        i["id"] for i in cal.events().list(calendarId="primary", showDeleted=True).execute()["items"]
    }


def test_invalidated_or_bogus_sync_token_is_410(emu: GoogleEmulator, cal: Any) -> None:
    token = cal.events().list(calendarId="primary").execute()["nextSyncToken"]
    for bad in ("nonsense", token):
        if bad == token:
            emu.invalidate_sync_tokens(ANN)
        with pytest.raises(HttpError) as err:
            cal.events().list(calendarId="primary", syncToken=bad).execute()
        assert err.value.status_code == 410 and reason(err.value) == "fullSyncRequired"
    fresh = cal.events().list(calendarId="primary").execute()["nextSyncToken"]
    assert cal.events().list(calendarId="primary", syncToken=fresh).execute()["items"] == []


@pytest.mark.parametrize(
    "param",
    [
        {"timeMin": "2026-01-01T00:00:00Z"},
        {"q": "x"},
        {"orderBy": "updated"},
        {"privateExtendedProperty": "a=b"},
        {"updatedMin": "2026-01-01T00:00:00Z"},
    ],
)
def test_sync_token_refuses_other_filters(cal: Any, param: dict[str, str]) -> None:
    token = cal.events().list(calendarId="primary").execute()["nextSyncToken"]
    with pytest.raises(HttpError) as err:
        cal.events().list(calendarId="primary", syncToken=token, **param).execute()
    assert err.value.status_code == 400


def test_private_extended_property_filter(emu: GoogleEmulator, cal: Any) -> None:
    for n, (app, room) in enumerate([("A1", "1"), ("A2", "1"), ("A3", "2")]):
        emu.add_event(
            ANN,
            "primary",
            {
                "summary": app,
                **timed("2026-06-01", 9 + n),
                "extendedProperties": {"private": {"appt": app, "room": room}},
            },
        )
    emu.add_event(ANN, "primary", {"summary": "plain", **timed("2026-06-01", 15)})
    one = cal.events().list(calendarId="primary", privateExtendedProperty="appt=A2").execute()["items"]
    assert [e["summary"] for e in one] == ["A2"]
    both = (
        cal.events()
        .list(calendarId="primary", privateExtendedProperty=["room=1", "appt=A1"])
        .execute()["items"]
    )
    assert [e["summary"] for e in both] == ["A1"]
    room1 = cal.events().list(calendarId="primary", privateExtendedProperty="room=1").execute()["items"]
    assert sorted(e["summary"] for e in room1) == ["A1", "A2"]


def test_time_window_and_order(emu: GoogleEmulator, cal: Any) -> None:
    emu.add_event(ANN, "primary", {"summary": "late", **timed("2026-06-03", 9)})
    emu.add_event(ANN, "primary", {"summary": "early", **timed("2026-06-02", 9)})
    emu.add_event(ANN, "primary", {"summary": "out", **timed("2026-06-10", 9)})
    emu.add_event(
        ANN, "primary", {"summary": "allday", "start": {"date": "2026-06-02"}, "end": {"date": "2026-06-03"}}
    )
    found = (
        cal.events()
        .list(
            calendarId="primary",
            timeMin="2026-06-02T00:00:00-05:00",
            timeMax="2026-06-04T00:00:00-05:00",
            singleEvents=True,
            orderBy="startTime",
        )
        .execute()["items"]
    )
    assert [e["summary"] for e in found] == ["allday", "early", "late"]
    with pytest.raises(HttpError) as err:
        cal.events().list(calendarId="primary", orderBy="startTime").execute()
    assert err.value.status_code == 400


def test_all_day_events(cal: Any) -> None:
    ev = (
        cal.events()
        .insert(
            calendarId="primary",
            body={"summary": "Holiday", "start": {"date": "2026-12-24"}, "end": {"date": "2026-12-26"}},
        )
        .execute()
    )
    assert ev["start"] == {"date": "2026-12-24"} and ev["end"] == {"date": "2026-12-26"}
    # The end date is exclusive: a window starting on the 26th (calendar zone) misses it.
    after = cal.events().list(calendarId="primary", timeMin="2026-12-26T00:00:00-05:00").execute()["items"]
    assert after == []
    during = cal.events().list(calendarId="primary", timeMin="2026-12-25T12:00:00-05:00").execute()["items"]
    assert [e["id"] for e in during] == [ev["id"]]
    with pytest.raises(HttpError) as err:
        cal.events().insert(
            calendarId="primary", body={"start": {"date": "2026-12-24"}, "end": {"date": "2026-12-24"}}
        ).execute()
    assert err.value.status_code == 400


def test_reader_calendar_refuses_writes(emu: GoogleEmulator, cal: Any) -> None:
    shared = emu.add_calendar(ANN, "Team", access_role="reader")
    emu.add_event(ANN, shared, {"summary": "team thing", **timed("2026-06-05", 9)})
    assert len(cal.events().list(calendarId=shared).execute()["items"]) == 1
    with pytest.raises(HttpError) as err:
        cal.events().insert(calendarId=shared, body={"summary": "x", **timed("2026-06-05", 11)}).execute()
    assert err.value.status_code == 403 and reason(err.value) == "requiredAccessLevel"
    assert "writer access" in str(err.value)


def test_other_accounts_and_deleted_calendars_are_not_found(emu: GoogleEmulator, cal: Any) -> None:
    with pytest.raises(HttpError) as err:
        cal.events().list(calendarId=BOB).execute()
    assert err.value.status_code == 404 and reason(err.value) == "notFound"
    studio = emu.add_calendar(ANN, "Studio")
    cal.events().list(calendarId=studio).execute()
    emu.delete_calendar(studio)
    for call in (cal.events().list(calendarId=studio), cal.calendars().get(calendarId=studio)):
        with pytest.raises(HttpError) as err:
            call.execute()
        assert err.value.status_code == 404
    assert [c["id"] for c in cal.calendarList().list().execute()["items"]] == [ANN]


def test_shared_calendar_between_accounts(emu: GoogleEmulator, cal: Any) -> None:
    shared = emu.add_calendar(BOB, "Bob's bookings")
    emu.add_calendar(ANN, "ignored", calendar_id=shared, access_role="writer")
    ev = (
        cal.events().insert(calendarId=shared, body={"summary": "by Ann", **timed("2026-06-06", 9)}).execute()
    )
    assert ev["creator"] == {"email": ANN, "self": True}
    assert [e["summary"] for e in emu.events(BOB, shared)] == ["by Ann"]
