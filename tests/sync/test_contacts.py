"""Google Contacts -> studio clients: new and modified contacts, linked by resourceName; the email only adopts
an unlinked client when exactly one Google contact carries it (issue 12 point 4)."""

from __future__ import annotations

import uuid

from studiosync.core.model.clients import Client

from .helpers import SyncWorld


def person(given: str, family: str, email: str | None = None, phone: str | None = None) -> dict:
    body: dict = {"names": [{"givenName": given, "familyName": family}]}
    if email:
        body["emailAddresses"] = [{"value": email}]
    if phone:
        body["phoneNumbers"] = [{"value": phone}]
    return body


def contacts_world(world: SyncWorld) -> str:
    group = world.studio.groups.add("Google clients")
    world.add_user("ann", contacts=True, client_group=group.id)
    return group.id


def test_new_and_modified_contacts_become_clients_deletions_do_not_delete(world: SyncWorld) -> None:
    group = contacts_world(world)
    email = world.emails["ann"]
    jo = world.emu.add_contact(email, person("Jo", "Bloggs", "jo@example.org", "+44 1234"))
    world.emu.add_contact(email, person("Sam", "Lee", "sam@example.org"))
    r = world.sync_ok()
    assert r.users[0].counts["contacts_created"] == 2
    clients = {c.name: c for c in world.studio.clients.list()}
    assert set(clients) == {"Jo Bloggs", "Sam Lee"}
    assert clients["Jo Bloggs"].group == group and clients["Jo Bloggs"].origin == "google"
    assert clients["Jo Bloggs"].google_resource == jo["resourceName"]
    assert clients["Jo Bloggs"].phones == ["+44 1234"]

    world.emu.update_contact(
        email, jo["resourceName"], {"names": [{"givenName": "Joanna", "familyName": "Bloggs"}]}
    )
    r = world.sync_ok()
    assert r.users[0].counts["contacts_updated"] == 1
    assert {c.name for c in world.studio.clients.list()} == {"Joanna Bloggs", "Sam Lee"}

    world.emu.delete_contact(email, jo["resourceName"])
    world.sync_ok()
    assert {c.name for c in world.studio.clients.list()} == {"Joanna Bloggs", "Sam Lee"}


def test_linked_by_email_and_expired_token_never_duplicate(world: SyncWorld) -> None:
    contacts_world(world)
    email = world.emails["ann"]
    existing = Client(id=uuid.uuid4().hex, name="Pat Smith", emails=["pat@example.org"])
    world.studio.clients.save_many([existing])
    world.emu.add_contact(email, person("Patricia", "Smith", "PAT@example.org", "555"))
    world.sync_ok()
    clients = world.studio.clients.list()
    assert len(clients) == 1 and clients[0].id == existing.id
    assert clients[0].name == "Patricia Smith" and clients[0].phones == ["555"]
    assert clients[0].emails == ["pat@example.org"]
    # an expired People sync token: full listing, nothing duplicated
    world.emu.invalidate_sync_tokens(email, calendar=False)
    world.emu.add_contact(email, person("New", "One", "new@example.org"))
    r = world.sync_ok()
    assert r.users[0].counts["contacts_created"] == 1
    assert sorted(c.name for c in world.studio.clients.list()) == ["New One", "Patricia Smith"]


def test_contacts_cost_and_switch(world: SyncWorld) -> None:
    contacts_world(world)
    world.sync_ok()
    world.emu.reset_counts()
    world.sync_ok()
    assert world.counts("ann")["people"] == 1 and world.counts("ann")["calendar"] == 1
    world.set_prefs("ann", contacts=False)
    world.emu.reset_counts()
    world.sync_ok()
    assert world.counts("ann")["people"] == 0


def test_a_value_changed_on_google_replaces_the_old_one_and_studio_values_stay(world: SyncWorld) -> None:
    contacts_world(world)
    email = world.emails["ann"]
    carl = world.emu.add_contact(email, person("Carl", "Hill", "carl@example.org", "+1 555 0100"))
    world.sync_ok()
    (client,) = world.studio.clients.list()
    # The studio adds a work number by hand; then Carl's own number changes on the phone.
    world.studio.clients.save_many([Client(**{**client.__dict__, "phones": [*client.phones, "+1 555 7777"]})])
    world.emu.update_contact(
        email,
        carl["resourceName"],
        {"phoneNumbers": [{"value": "+1 555 0199"}], "emailAddresses": [{"value": "carl@new.example"}]},
    )
    r = world.sync_ok()
    assert r.users[0].counts["contacts_updated"] == 1
    (client,) = world.studio.clients.list()
    assert client.phones == ["+1 555 7777", "+1 555 0199"]  # old Google number gone, studio's kept
    assert client.emails == ["carl@new.example"]
    assert client.google_phones == ["+1 555 0199"]


def test_two_contacts_sharing_an_email_stay_two_clients(world: SyncWorld) -> None:
    contacts_world(world)
    email = world.emails["ann"]
    # A studio client without a Google link carries the family's address: which of the two is it?
    family = Client(id=uuid.uuid4().hex, name="The Millers", emails=["millers@example.org"])
    world.studio.clients.save_many([family])
    kim = world.emu.add_contact(email, person("Kim", "Miller", "millers@example.org", "+1 555 0101"))
    lee = world.emu.add_contact(email, person("Lee", "Miller", "MILLERS@example.org", "+1 555 0102"))
    r = world.sync_ok()
    assert r.users[0].counts["contacts_created"] == 2
    clients = {c.name: c for c in world.studio.clients.list()}
    assert set(clients) == {"Kim Miller", "Lee Miller", "The Millers"}  # nobody merged, nobody guessed
    assert clients["Kim Miller"].google_resource == kim["resourceName"]
    assert clients["Lee Miller"].google_resource == lee["resourceName"]
    assert clients["The Millers"].google_resource is None
    # Each stays linked to its own contact by resourceName, also through an expired token's full listing.
    world.emu.update_contact(email, lee["resourceName"], {"phoneNumbers": [{"value": "+1 555 0199"}]})
    world.emu.invalidate_sync_tokens(email, calendar=False)
    r = world.sync_ok()
    assert r.users[0].counts["contacts_created"] == 0 and r.users[0].counts["contacts_updated"] == 1
    clients = {c.name: c for c in world.studio.clients.list()}
    assert clients["Lee Miller"].phones == ["+1 555 0199"] and clients["Kim Miller"].phones == ["+1 555 0101"]
    assert len(clients) == 3


def test_a_second_contact_with_a_linked_email_is_its_own_client(world: SyncWorld) -> None:
    contacts_world(world)
    email = world.emails["ann"]
    world.emu.add_contact(email, person("Alex", "Kay", "kays@example.org"))
    world.sync_ok()
    # Later (incremental listing): a studio client typed by hand, and a second Google contact, share it.
    by_hand = Client(id=uuid.uuid4().hex, name="Sam Kay", emails=["kays@example.org"])
    world.studio.clients.save_many([by_hand])
    world.emu.add_contact(email, person("Sam", "Kay", "kays@example.org"))
    r = world.sync_ok()
    assert r.users[0].counts["contacts_created"] == 1  # two Google contacts carry it: no adoption
    names = sorted(c.name for c in world.studio.clients.list())
    assert names == ["Alex Kay", "Sam Kay", "Sam Kay"]
    assert world.studio.clients.list()[0].google_resource  # Alex, still linked to its contact


def test_another_users_contact_never_takes_over_a_linked_client(world: SyncWorld) -> None:
    group = contacts_world(world)
    world.add_user("bob", contacts=True, client_group=group)
    world.emu.add_contact(world.emails["ann"], person("Pat", "Smith", "pat@example.org", "111"))
    world.emu.add_contact(world.emails["bob"], person("Patricia", "Smith", "pat@example.org", "222"))
    world.sync_ok()
    clients = sorted(world.studio.clients.list(), key=lambda c: c.google_owner or "")
    assert [(c.name, c.google_owner, c.phones) for c in clients] == [
        ("Pat Smith", "ann", ["111"]),
        ("Patricia Smith", "bob", ["222"]),
    ]


def test_a_deleted_contact_leaves_its_client_which_a_new_contact_can_adopt(world: SyncWorld) -> None:
    contacts_world(world)
    email = world.emails["ann"]
    jo = world.emu.add_contact(email, person("Jo", "Lane", "jo@example.org"))
    world.sync_ok()
    (client,) = world.studio.clients.list()
    world.emu.delete_contact(email, jo["resourceName"])
    world.sync_ok()
    (kept,) = world.studio.clients.list()
    assert kept.id == client.id and kept.name == "Jo Lane" and kept.google_resource is None
    again = world.emu.add_contact(email, person("Jo", "Lane-Hill", "jo@example.org"))
    r = world.sync_ok()
    assert r.users[0].counts["contacts_created"] == 0
    (adopted,) = world.studio.clients.list()
    assert adopted.id == client.id and adopted.google_resource == again["resourceName"]
    assert adopted.name == "Jo Lane-Hill"
