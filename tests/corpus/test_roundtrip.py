"""Every corpus payload round-trips through the emulator: seeded through the control API over HTTP, read
back through the real google-api-python-client, it equals the resource Google's reference shapes (the
corpus file), and the deletions it describes come back as Google's minimal tombstones."""

from __future__ import annotations

from typing import Any

import pytest
from google.oauth2.credentials import Credentials
from studiosync.core.emulator import GoogleEmulator

from tests.corpus.loader import ACCOUNT, CorpusItem, CorpusLoader, comparable, expected_event, items
from tests.emulator.helpers import service

EVENTS = items("event")
CONTACTS = items("contacts")
PERSON_FIELDS = "names,emailAddresses,phoneNumbers,birthdays"


@pytest.fixture
def loaded(emu: GoogleEmulator) -> tuple[CorpusLoader, Any, Any]:
    loader = CorpusLoader(emu.url)
    emu.register_client("corpus-client", "corpus-secret")
    creds = Credentials.from_authorized_user_info(emu.authorize(ACCOUNT, "corpus-client"))
    return loader, service(emu, "calendar", creds), service(emu, "people", creds)


def _person(resource: dict[str, Any]) -> dict[str, Any]:
    """A person without what Google computes per copy (etag, metadata of the person and of each field)."""
    out = {}
    for key, value in resource.items():
        if key in ("etag", "metadata", "resourceName"):
            continue
        out[key] = [{k: v for k, v in entry.items() if k != "metadata"} for entry in value]
    return out


def test_corpus_covers_what_issue_12_lists() -> None:
    names = {i.name for i in EVENTS} | {i.name for i in CONTACTS}
    types = {i.data["event"]["eventType"] for i in EVENTS}
    assert types == {"default", "birthday", "fromGmail", "workingLocation", "focusTime", "outOfOffice"}
    assert any(i.data["event"]["id"].startswith("_60q30c1g") for i in EVENTS)
    assert {
        "deleted-single-event",
        "deleted-recurring-series",
        "shared-email-two-contacts",
        "deleted-contact",
    } <= names
    assert all(i.data["_source"] for i in EVENTS + CONTACTS)


@pytest.mark.parametrize("item", EVENTS, ids=[i.name for i in EVENTS])
def test_event_round_trip(loaded: tuple[CorpusLoader, Any, Any], item: CorpusItem) -> None:
    loader, cal, ppl = loaded
    refs: dict[str, str] = {}
    if item.data.get("contact_ref"):
        for contacts in CONTACTS:
            refs.update(loader.load_contacts(contacts))
    loader.load_event(item, refs)
    event = item.data["event"]
    got = cal.events().get(calendarId="primary", eventId=event["id"]).execute()
    assert comparable(got) == expected_event(event, refs)
    for exception in item.data.get("exceptions", []):
        got = cal.events().get(calendarId="primary", eventId=exception["id"]).execute()
        assert comparable(got) == expected_event(exception, refs)
    token = cal.events().list(calendarId="primary").execute()["nextSyncToken"]
    loader.apply_deletions(item, refs)
    changed = cal.events().list(calendarId="primary", syncToken=token).execute()["items"]
    assert [comparable(c) for c in changed] == [comparable(t) for t in item.data.get("tombstones", [])]
    if "instances" in item.data:  # what is left of a series once its deletions are applied
        listed = cal.events().instances(calendarId="primary", eventId=event["id"]).execute()["items"]
        assert [i["id"] for i in listed] == item.data["instances"]


@pytest.mark.parametrize("item", CONTACTS, ids=[i.name for i in CONTACTS])
def test_contacts_round_trip(loaded: tuple[CorpusLoader, Any, Any], item: CorpusItem) -> None:
    loader, cal, ppl = loaded
    refs = loader.load_contacts(item)
    first = (
        ppl.people()
        .connections()
        .list(resourceName="people/me", personFields=PERSON_FIELDS, requestSyncToken=True)
        .execute()
    )
    by_name = {p["resourceName"]: p for p in first["connections"]}
    for person in item.data["people"]:
        assert _person(by_name[refs[person["resourceName"]]]) == _person(person)
    loader.apply_deletions(item, refs)
    changed = (
        ppl.people()
        .connections()
        .list(resourceName="people/me", personFields=PERSON_FIELDS, syncToken=first["nextSyncToken"])
        .execute()
        .get("connections", [])
    )
    expected = item.data.get("tombstones", [])
    assert [c["resourceName"] for c in changed] == [refs[t["resourceName"]] for t in expected]
    for got, want in zip(changed, expected, strict=True):
        assert set(got) == set(want)
        assert {k: got["metadata"][k] for k in want["metadata"]} == want["metadata"]
