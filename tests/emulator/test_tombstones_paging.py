"""Deleted events in listings and short pages, through the real client library.

Sources: calendar.v3.json Event.status ("Deleted events are only guaranteed to have the id field
populated"; cancelled exceptions "only ... id, recurringEventId and originalStartTime"; "incremental sync
requests with showDeleted set to false will not return these details", while the organizer's calendar keeps
them for showDeleted listings and get), events.list showDeleted and maxResults ("may be less than this
value, or none at all, even if there are more events ... detected by a non-empty nextPageToken"); recorded
tombstones in allenporter/gcal_sync's tests (`{"id", "status": "cancelled"}`).
"""

from __future__ import annotations

from typing import Any

from studiosync.core.emulator import GoogleEmulator

from .helpers import ANN, timed

TOMBSTONE_KEYS = {"kind", "etag", "id", "status"}


def _series(emu: GoogleEmulator) -> dict[str, Any]:
    return emu.add_event(
        ANN,
        "primary",
        {
            "summary": "Weekly class",
            "description": "Bring a camera",
            "start": {"dateTime": "2026-03-02T10:00:00", "timeZone": "America/New_York"},
            "end": {"dateTime": "2026-03-02T11:00:00", "timeZone": "America/New_York"},
            "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=5"],
        },
    )


def test_incremental_listing_returns_minimal_tombstones(emu: GoogleEmulator, cal: Any) -> None:
    single = emu.add_event(ANN, "primary", {"summary": "Gone", "location": "A", **timed("2026-03-03", 9)})
    series = _series(emu)
    kept = _series(emu)
    token = cal.events().list(calendarId="primary").execute()["nextSyncToken"]
    cal.events().delete(calendarId="primary", eventId=single["id"]).execute()
    cal.events().delete(calendarId="primary", eventId=series["id"]).execute()
    instance = f"{kept['id']}_20260309T140000Z"
    cal.events().delete(calendarId="primary", eventId=instance).execute()
    items = cal.events().list(calendarId="primary", syncToken=token).execute()["items"]
    by_id = {i["id"]: i for i in items}
    assert set(by_id) == {single["id"], series["id"], instance}
    assert set(by_id[single["id"]]) == TOMBSTONE_KEYS and by_id[single["id"]]["status"] == "cancelled"
    assert set(by_id[series["id"]]) == TOMBSTONE_KEYS
    assert set(by_id[instance]) == TOMBSTONE_KEYS | {"recurringEventId", "originalStartTime"}
    assert by_id[instance]["recurringEventId"] == kept["id"]
    assert by_id[instance]["originalStartTime"] == {
        "dateTime": "2026-03-09T10:00:00-04:00",
        "timeZone": "America/New_York",
    }


def test_show_deleted_listings_keep_details_on_the_organizers_calendar(emu: GoogleEmulator, cal: Any) -> None:
    single = emu.add_event(ANN, "primary", {"summary": "Gone", "location": "A", **timed("2026-03-03", 9)})
    token = cal.events().list(calendarId="primary").execute()["nextSyncToken"]
    cal.events().delete(calendarId="primary", eventId=single["id"]).execute()
    full = cal.events().list(calendarId="primary", showDeleted=True).execute()["items"]
    assert [(e["id"], e["status"], e["summary"], e["location"]) for e in full] == [
        (single["id"], "cancelled", "Gone", "A")
    ]
    assert cal.events().list(calendarId="primary").execute()["items"] == []
    synced = cal.events().list(calendarId="primary", syncToken=token, showDeleted=True).execute()["items"]
    assert synced[0]["summary"] == "Gone"
    assert cal.events().get(calendarId="primary", eventId=single["id"]).execute()["summary"] == "Gone"


def test_cancelled_instance_of_a_live_series_in_a_full_listing_is_minimal(
    emu: GoogleEmulator, cal: Any
) -> None:
    series = _series(emu)
    instance = f"{series['id']}_20260316T140000Z"
    cal.events().delete(calendarId="primary", eventId=instance).execute()
    items = cal.events().list(calendarId="primary").execute()["items"]
    assert [i["id"] for i in items] == [series["id"], instance]
    assert set(items[1]) == TOMBSTONE_KEYS | {"recurringEventId", "originalStartTime"}


def test_short_page_before_the_last_only_the_last_carries_the_sync_token(
    emu: GoogleEmulator, cal: Any
) -> None:
    for n in range(9):
        emu.add_event(ANN, "primary", {"summary": f"e{n}", **timed("2026-04-01", 8 + n)})
    emu.inject_fault("short_page", count=2, items=1)
    pages = []
    req = cal.events().list(calendarId="primary", maxResults=4)
    while req is not None:
        page = req.execute()
        pages.append(page)
        req = cal.events().list_next(req, page)
    sizes = [len(p["items"]) for p in pages]
    assert sizes == [1, 1, 4, 3]  # two short pages, then full ones
    assert all("nextPageToken" in p and "nextSyncToken" not in p for p in pages[:-1])
    assert "nextSyncToken" in pages[-1] and "nextPageToken" not in pages[-1]
    assert len({i["id"] for p in pages for i in p["items"]}) == 9


def test_an_empty_page_before_the_last_is_legal(emu: GoogleEmulator, cal: Any) -> None:
    for n in range(3):
        emu.add_event(ANN, "primary", {"summary": f"e{n}", **timed("2026-04-01", 8 + n)})
    token = cal.events().list(calendarId="primary").execute()["nextSyncToken"]
    emu.add_event(ANN, "primary", {"summary": "new", **timed("2026-04-02", 8)})
    emu.inject_fault("short_page", count=1, items=0)
    first = cal.events().list(calendarId="primary", syncToken=token).execute()
    assert first["items"] == [] and "nextPageToken" in first and "nextSyncToken" not in first
    last = (
        cal.events().list(calendarId="primary", syncToken=token, pageToken=first["nextPageToken"]).execute()
    )
    assert [i["summary"] for i in last["items"]] == ["new"] and "nextSyncToken" in last


def test_short_page_fault_touches_only_event_listings(emu: GoogleEmulator, cal: Any) -> None:
    emu.inject_fault("short_page", count=1, items=0)
    assert cal.calendarList().list().execute()["items"]
    assert len(emu.faults()) == 1
