"""People v1 connections: field masks, paging, sync tokens, deleted contacts, expired tokens."""

from __future__ import annotations

import json
from typing import Any

import pytest
from googleapiclient.errors import HttpError
from studiosync.core.emulator import GoogleEmulator

from .helpers import ANN, BOB


def _person(i: int) -> dict[str, Any]:
    return {
        "names": [{"givenName": f"Client{i}", "familyName": "Doe"}],
        "emailAddresses": [{"value": f"c{i}@example.com"}],
        "phoneNumbers": [{"value": f"+1 555 01{i:02d}"}],
    }


def _pages(ppl: Any, **params: Any) -> tuple[list[dict[str, Any]], dict[str, Any], int]:
    conns = ppl.people().connections()
    req = conns.list(resourceName="people/me", **params)
    items: list[dict[str, Any]] = []
    pages = 0
    while req is not None:
        page = req.execute()
        pages += 1
        items += page.get("connections", [])
        last = page
        req = conns.list_next(req, page)
    return items, last, pages


def test_paging_field_mask_and_sync(emu: GoogleEmulator, ppl: Any) -> None:
    made = [emu.add_contact(ANN, _person(i)) for i in range(25)]
    emu.add_contact(BOB, _person(99))  # someone else's contact never shows
    items, last, pages = _pages(ppl, personFields="names,emailAddresses", pageSize=10, requestSyncToken=True)
    assert pages == 3 and len(items) == 25 and last["totalItems"] == 25
    assert "nextSyncToken" in last and "nextPageToken" not in last
    first = items[0]
    assert first["resourceName"].startswith("people/c") and first["etag"]
    assert set(first) == {"resourceName", "etag", "names", "emailAddresses"}  # only the mask
    assert first["names"][0]["displayName"] == "Client0 Doe"
    assert first["emailAddresses"][0]["value"] == "c0@example.com"

    emu.update_contact(ANN, made[3]["resourceName"], {"phoneNumbers": [{"value": "+1 555 9999"}]})
    emu.delete_contact(ANN, made[4]["resourceName"])
    new = emu.add_contact(ANN, _person(30))
    changed, last2, _ = _pages(
        ppl, personFields="names,phoneNumbers", syncToken=last["nextSyncToken"], pageSize=2
    )
    by_name = {c["resourceName"]: c for c in changed}
    assert set(by_name) == {made[3]["resourceName"], made[4]["resourceName"], new["resourceName"]}
    assert by_name[made[3]["resourceName"]]["phoneNumbers"][0]["value"] == "+1 555 9999"
    assert by_name[made[4]["resourceName"]]["metadata"]["deleted"] is True
    assert by_name[made[3]["resourceName"]]["etag"] != made[3]["etag"]
    nothing = (
        ppl.people()
        .connections()
        .list(resourceName="people/me", personFields="names", syncToken=last2["nextSyncToken"])
        .execute()
    )
    assert "connections" not in nothing and nothing["nextSyncToken"]
    full, _, _ = _pages(ppl, personFields="names")
    assert len(full) == 25  # 25 - 1 deleted + 1 new


def test_expired_sync_token(emu: GoogleEmulator, ppl: Any) -> None:
    emu.add_contact(ANN, _person(1))
    token = (
        ppl.people()
        .connections()
        .list(resourceName="people/me", personFields="names", requestSyncToken=True)
        .execute()["nextSyncToken"]
    )
    emu.invalidate_sync_tokens(ANN, calendar=False)
    with pytest.raises(HttpError) as err:
        ppl.people().connections().list(
            resourceName="people/me", personFields="names", syncToken=token
        ).execute()
    e = err.value
    assert e.status_code == 400
    error = json.loads(e.content)["error"]
    assert error["status"] == "FAILED_PRECONDITION"
    assert e.error_details[0]["reason"] == "EXPIRED_SYNC_TOKEN"
    assert e.error_details[0]["@type"] == "type.googleapis.com/google.rpc.ErrorInfo"


def test_person_fields_required_and_validated(ppl: Any) -> None:
    for fields in (None, "names,bogus"):
        with pytest.raises(HttpError) as err:
            ppl.people().connections().list(resourceName="people/me", personFields=fields).execute()
        assert err.value.status_code == 400 and "personFields" in str(err.value)
    with pytest.raises(HttpError) as err:
        ppl.people().connections().list(
            resourceName="people/me", personFields="names", pageSize=1001
        ).execute()
    assert err.value.status_code == 400


def test_people_get_and_metadata(emu: GoogleEmulator, ppl: Any) -> None:
    c = emu.add_contact(ANN, _person(7))
    got = ppl.people().get(resourceName=c["resourceName"], personFields="metadata,phoneNumbers").execute()
    assert got["metadata"]["sources"][0]["type"] == "CONTACT" and "deleted" not in got["metadata"]
    assert got["phoneNumbers"][0]["value"] == "+1 555 0107" and "names" not in got
    me = ppl.people().get(resourceName="people/me", personFields="names,emailAddresses").execute()
    assert me["emailAddresses"][0]["value"] == ANN
    emu.delete_contact(ANN, c["resourceName"])
    with pytest.raises(HttpError) as err:
        ppl.people().get(resourceName=c["resourceName"], personFields="names").execute()
    assert err.value.status_code == 404
