"""Every corpus event through the REAL sync, end to end: seeded into the emulator as Google would hold it
(tests/corpus/loader.py, over HTTP), synced into a studio by the production processor (two-way, Populate
studio), then the corpus' own deletions applied and synced again.

For each payload: which appointments it became (by derived id), with which fields (as the sync's mapping
reads Google's copy of each event), Google event type, read-only, organizer, free/busy and status; what
never became one (working locations, birthdays, a declined invitation); and that no run writes anything to
Google -- the studio changed nothing -- nor does a second run send more than its one listing (counted by
the emulator: GET /_emulator/requests). The clock is pinned to 1 March 2026, before every corpus date.

Every corpus contacts payload goes through the real contacts sync the same way: one client per person,
linked by resourceName, with its names, emails and phones; a deleted contact keeps its client; no write to
People and a second run is its one listing; two contacts sharing one email stay two clients (issue 12
point 4).
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from studiosync.core import clock
from studiosync.core.emulator import GoogleEmulator
from studiosync.core.store import layout
from studiosync.core.studio import event_kinds
from studiosync.core.sync import mapping

from tests.corpus.loader import ACCOUNT, TIMEZONE, CorpusItem, CorpusLoader, items
from tests.sync.helpers import SyncWorld

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
TZ = ZoneInfo(TIMEZONE)
VENUE = "events@venue.example"


@dataclass(frozen=True)
class Expect:
    count: int  # appointments after the first sync
    after: int | None = None  # ... after the corpus' deletions (None: the same)
    event_type: str = "default"  # google_event_type in the JSON
    read_only: bool = False
    organizer: str | None = None
    busy: bool = True
    status: str = "confirmed"


EXPECT: dict[str, Expect] = {
    "all-day-monthly-nth-weekday-with-rdate": Expect(5),  # four first Fridays and the RDATE
    "all-day-multi-day": Expect(1, busy=False),
    "birthday-from-contact": Expect(0),  # not an appointment
    "conference-attachments-reminders": Expect(1),
    "deleted-recurring-series": Expect(8, after=0),  # weekly until 28 April 21:59Z; its tombstone takes all
    "deleted-single-event": Expect(1, after=0),
    "exchange-synced-id": Expect(1),
    "focus-time": Expect(1, event_type="focusTime"),
    "free-busy-transparent": Expect(1, busy=False),
    "from-gmail-flight": Expect(1, event_type="fromGmail", read_only=True, busy=False),
    "invitation-accepted-recurring": Expect(8, read_only=True, organizer=VENUE),
    "invitation-declined": Expect(0),  # declined invitations never come over
    "invitation-needs-action": Expect(1, read_only=True, organizer=VENUE, status="tentative"),
    "out-of-office-day": Expect(1, event_type="outOfOffice"),
    "recurring-across-dst-with-exception-and-cancellation": Expect(5, after=4),  # six Mondays, one EXDATE
    "timed-with-zone-reminders-color": Expect(1),
    "untitled": Expect(1),
    "very-long-title-and-description": Expect(1),
    "working-location-office-timed": Expect(0),  # not an appointment
    "working-location-weekday-series": Expect(0),
    "zero-length": Expect(1),
}
EVENTS = items("event")


def test_every_corpus_event_has_an_expectation() -> None:
    assert set(EXPECT) == {i.name for i in EVENTS}


@pytest.fixture
def pinned() -> Iterator[None]:
    with clock.using(clock.fixed_clock(NOW)):
        yield


@pytest.fixture
def world(home: Any, emu: GoogleEmulator, pinned: None) -> SyncWorld:
    home.mkdir(parents=True, exist_ok=True)
    return SyncWorld.create(home, emu, timezone=TIMEZONE)


def _requests(emu: GoogleEmulator) -> dict[str, Any]:
    """The emulator's counters for the corpus account, over HTTP as any outside checker reads them."""
    url = f"{emu.url}/_emulator/requests?account={ACCOUNT}"
    with urllib.request.urlopen(url, timeout=10) as resp:
        return json.loads(resp.read())


def _sync(world: SyncWorld) -> dict[str, Any]:
    """One run; its Calendar requests and writes."""
    world.emu.reset_counts(ACCOUNT)
    world.sync_ok("ann")
    report = _requests(world.emu)
    return {"calendar": report["counts"]["calendar"], "writes": report["writes"]["calendar"]}


def _google_copy(world: SyncWorld, event_id: str) -> mapping.EventData:
    return mapping.parse_event(world.emu.get_event(ACCOUNT, "primary", event_id), TZ)


def _check(world: SyncWorld, expect: Expect, count: int) -> None:
    appts = world.appts("ann")
    assert len(appts) == count, [a.title for a in appts]
    for appt in appts:
        assert appt.id == layout.derived_appointment_id("ann", appt.google_event_id or "")
        ev = _google_copy(world, appt.google_event_id or "")
        assert not ev.cancelled
        assert mapping.same_content(appt, ev), (mapping.appointment_summary(appt), ev.summary())
        assert appt.status == expect.status
        assert event_kinds.event_type(appt) == expect.event_type
        assert (event_kinds.read_only_reason(appt) is not None) == expect.read_only
        assert appt.organizer == expect.organizer
        assert appt.busy is expect.busy
        assert not appt.dirty and appt.sync_error is None


@pytest.mark.parametrize("item", EVENTS, ids=[i.name for i in EVENTS])
def test_corpus_event_through_the_real_sync(world: SyncWorld, item: CorpusItem) -> None:
    expect = EXPECT[item.name]
    loader = CorpusLoader(world.emu.url)
    refs: dict[str, str] = {}
    if item.data.get("contact_ref"):
        for contacts in items("contacts"):
            refs.update(loader.load_contacts(contacts))
    loader.load_event(item, refs)
    world.add_user(
        "ann",
        email=ACCOUNT,
        google_tz=TIMEZONE,
        tentative=True,
        populate_studio=True,
        enabled_at="2026-02-01T00:00:00+00:00",
    )

    first = _sync(world)
    assert first["writes"] == 0
    _check(world, expect, expect.count)
    again = _sync(world)
    assert again == {"calendar": 1, "writes": 0}  # the listing, nothing else

    if item.data.get("cancel"):
        loader.apply_deletions(item, refs)
        assert _sync(world)["writes"] == 0
        _check(world, expect, expect.count if expect.after is None else expect.after)
        assert _sync(world) == {"calendar": 1, "writes": 0}


# -- contacts: Google Contacts -> studio clients (one way, never deletes) --------------------------------
CONTACTS = items("contacts")


def _people_requests(world: SyncWorld) -> dict[str, int]:
    report = _requests(world.emu)
    return {"people": report["counts"]["people"], "writes": report["writes"]["people"]}


@pytest.mark.parametrize("item", CONTACTS, ids=[i.name for i in CONTACTS])
def test_corpus_contacts_through_the_real_sync(world: SyncWorld, item: CorpusItem) -> None:
    loader = CorpusLoader(world.emu.url)
    refs = loader.load_contacts(item)
    group = world.studio.groups.add("Google clients")
    world.add_user("ann", email=ACCOUNT, google_tz=TIMEZONE, contacts=True, client_group=group.id)

    def check(deleted: frozenset[str] = frozenset()) -> None:
        every = world.studio.clients.list()
        clients = {c.google_resource: c for c in every}
        for person in item.data["people"]:
            if person["resourceName"] in deleted:
                # Deleted on Google: the client stays, unlinked (a contact made again adopts it by email).
                (client,) = [c for c in every if c.name == person["names"][0]["displayName"]]
                assert client.google_resource is None
            else:
                client = clients.get(refs[person["resourceName"]])
            assert client is not None, person["names"]
            assert client.name == person["names"][0]["displayName"] and client.group == group.id
            assert client.emails == [e["value"] for e in person.get("emailAddresses", [])]
            assert client.phones == [p["value"] for p in person.get("phoneNumbers", [])]
        assert len(every) == len(item.data["people"])

    world.emu.reset_counts(ACCOUNT)
    world.sync_ok("ann")
    assert _people_requests(world)["writes"] == 0
    check()
    world.emu.reset_counts(ACCOUNT)
    world.sync_ok("ann")
    assert _people_requests(world) == {"people": 1, "writes": 0}  # the listing, nothing else
    if item.data.get("delete"):
        loader.apply_deletions(item, refs)
        world.sync_ok("ann")
        check(frozenset(item.data["delete"]))  # a contact deleted on Google never deletes its client
