"""The sync state remembers which Google account its tokens belong to: after `google remove` and signing
in with ANOTHER account, the old account's Calendar and People sync tokens are never sent for the new one."""

from __future__ import annotations

from typing import Any

import pytest
from studiosync.core.sync import listing
from studiosync.core.sync.calendar_run import CalendarRun
from studiosync.core.sync.contacts_sync import ContactsSync
from studiosync.core.sync.state import SyncState

from .helpers import SyncWorld, soon
from .test_contacts import person


def _spy_tokens(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str | None]]:
    """Record the sync token each listing actually sends to the emulator (None = a full listing)."""
    sent: dict[str, list[str | None]] = {"calendar": [], "people": []}
    list_events, list_people = listing.list_pages, ContactsSync._pages

    def events(run: CalendarRun, token: str | None) -> Any:
        sent["calendar"].append(token)
        return list_events(run, token)

    def people(self: ContactsSync, token: str | None) -> Any:
        sent["people"].append(token)
        return list_people(self, token)

    monkeypatch.setattr(listing, "list_pages", events)
    monkeypatch.setattr(ContactsSync, "_pages", people)
    return sent


def test_another_account_after_remove_gets_full_listings_not_the_old_tokens(
    world: SyncWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = "ann@example.com", "ann.new@example.com"
    group = world.studio.groups.add("Google clients")
    world.emu.add_account(first, name="Ann")
    world.emu.add_account(second, name="Ann New")
    # One calendar both accounts can write to: the calendar id stays the same across the switch.
    shared = world.emu.add_calendar(first, "Studio")
    world.emu.add_calendar(second, "Studio", access_role="writer", calendar_id=shared)
    world.add_user("ann", email=first, calendar_id=shared, contacts=True, client_group=group.id)
    world.emu.add_contact(first, person("Jo", "Bloggs", "jo@example.org"))
    world.emu.add_contact(second, person("Jo", "Bloggs", "jo@example.org"))
    world.add_event("ann", "Shoot", soon(2))
    world.sync_ok()
    world.sync_ok()  # incremental now: both tokens are stored for the first account
    state = SyncState.load(world.studio.store, "ann")
    old_calendar, old_people = state.sync_token, state.people.get("sync_token")
    assert old_calendar and old_people and state.account == {"email": first}

    assert world.studio.google.remove("ann") is None
    world.authenticate("ann", second)
    world.set_prefs("ann", account_email=second, calendar_id=shared, calendar_summary="Studio")
    world.emails["ann"] = second
    sent = _spy_tokens(monkeypatch)
    result = world.sync_ok()

    assert sent["calendar"] == [None] and sent["people"] == [None]  # full listings, no old token
    assert result.users[0].status == "ok"
    state = SyncState.load(world.studio.store, "ann")
    assert state.account == {"email": second}
    assert state.sync_token and state.people.get("sync_token")  # the new account's, from the full listings
    # Derived ids and links: the full listings created no duplicates.
    assert [a.title for a in world.appts("ann")] == ["Shoot"]
    assert [e["summary"] for e in world.live_events("ann").values()] == ["Shoot"]
    assert [c.name for c in world.studio.clients.list()] == ["Jo Bloggs"]

    world.sync_ok()  # the new account's own tokens are used from now on
    assert sent["calendar"][-1] == state.sync_token and sent["people"][-1] == state.people["sync_token"]


def test_same_account_keeps_its_tokens(world: SyncWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    world.add_user("ann")
    world.sync_ok()
    token = SyncState.load(world.studio.store, "ann").sync_token
    sent = _spy_tokens(monkeypatch)
    world.sync_ok()
    assert sent["calendar"] == [token]
