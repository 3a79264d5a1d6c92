"""Google Contacts -> studio clients (one way), for users with "contacts" on and a client group chosen.

New and modified contacts become or update clients; deletions on Google never delete a client (the studio
may have invoices or sessions for them: it stays, unlinked). A contact is linked to its client by its People
resourceName (per user), so a lost sync token or a re-authentication never creates a duplicate client. The
email address only adopts a studio client not linked to any Google contact yet, and only when exactly one
Google contact carries it: two contacts sharing an email (a couple, a family) stay two clients, and another
user's contact of the same person is that user's own client (see ContactBook).

The People sync token (7-day life; EXPIRED_SYNC_TOKEN -> full listing) is saved after the clients.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from googleapiclient.errors import HttpError
from studiosync.core.explain import explain_cause
from studiosync.core.google.api import execute
from studiosync.core.google.errors import classify
from studiosync.core.model.clients import Client
from studiosync.core.model.users import GooglePrefs
from studiosync.core.studio.timeparse import stamp
from studiosync.core.sync.options import SyncOptions
from studiosync.core.sync.runlog import RunLog
from studiosync.core.sync.state import SyncState

PERSON_FIELDS = "names,emailAddresses,phoneNumbers,metadata"


class ContactsSync:
    def __init__(
        self,
        studio: Any,
        prefs: GooglePrefs,
        service: Any,
        state: SyncState,
        log: RunLog,
        *,
        options: SyncOptions | None = None,
    ) -> None:
        self.studio = studio
        self.prefs = prefs
        self.login = prefs.login
        self.service = service
        self.state = state
        self.log = log
        self.options = options or SyncOptions()

    def run(self) -> None:
        group = self.studio.groups.find(self.prefs.client_group) if self.prefs.client_group else None
        if group is None:
            # Google's contacts cannot come over until someone picks a group: the run fails (not a warning).
            self.log.fail(
                "contacts were not imported: the client group chosen in the Google tab no longer exists",
                cause="client_group_missing",
                fix=explain_cause("client_group_missing").for_login(self.login).fix,
            )
            return
        self._follow_account()
        token = self.state.people.get("sync_token")
        people, next_token = self._list(token)
        if people:
            self._apply(people, group.id)
        if next_token:
            self.state.people["sync_token"] = next_token  # after the clients it covers are saved
        self.state.save(self.studio.store)

    def _follow_account(self) -> None:
        """Links are to the contacts of one Google account. After the user switched accounts they point at
        another account's contacts: the clients are unlinked, so the new account's contacts adopt them by
        email (under the same exactly-one rule) instead of duplicating them."""
        account = (self.prefs.account_email or "").strip().lower() or None
        before = self.state.people.get("account")
        if before and account and before != account:
            clients = [
                c for c in self.studio.clients.list() if c.google_resource and c.google_owner == self.login
            ]
            if clients:
                self.studio.clients.save_many(ContactBook.unlinked_copy(c) for c in clients)
                self.log.info(
                    f"the Google account changed: {len(clients)} client(s) linked to the old account's contacts "
                    "were unlinked (the new account's contacts adopt them by email)"
                )
        if account:
            self.state.people["account"] = account

    def _list(self, token: str | None) -> tuple[list[dict[str, Any]], str | None]:
        if token:
            try:
                return self._pages(token)
            except HttpError as exc:
                if classify(exc).cause != "sync_token_expired":
                    raise
                self.log.info("Google's contacts sync token expired: full listing (no client is deleted)")
        return self._pages(None)

    def _pages(self, token: str | None) -> tuple[list[dict[str, Any]], str | None]:
        connections = self.service.people().connections()
        found: list[dict[str, Any]] = []
        page: str | None = None
        while True:
            kwargs: dict[str, Any] = {
                "resourceName": "people/me",
                "personFields": PERSON_FIELDS,
                "pageSize": self.options.contacts_page_size,
                "requestSyncToken": True,
            }
            if token:
                kwargs["syncToken"] = token
            if page:
                kwargs["pageToken"] = page
            resp = execute(connections.list(**kwargs), policy=self.options.policy)
            found.extend(resp.get("connections") or [])
            page = resp.get("nextPageToken")
            if not page:
                return found, resp.get("nextSyncToken")

    def _apply(self, people: list[dict[str, Any]], group_id: str) -> None:
        book = ContactBook(self.studio.clients.list(), self.login, people)
        changed: dict[str, Client] = {}
        now = stamp()
        for person in people:
            resource = str(person.get("resourceName") or "")
            if (person.get("metadata") or {}).get("deleted"):
                # Deletions on Google never delete a studio client (it may have sessions, invoices): the
                # client stays, no longer linked, so a contact made again later can adopt it.
                gone = book.unlink(resource)
                if gone is not None:
                    changed[gone.id] = gone
                    self.log.info(
                        f"contact deleted on Google: client {gone.name} stays, unlinked", client_id=gone.id
                    )
                continue
            contact = _contact(person)
            if contact is None:
                continue
            name, emails, phones = contact
            etag = person.get("etag")
            match = book.linked.get(resource) or book.adoptable(resource, emails)
            if match is None:
                client = Client(
                    id=uuid.uuid4().hex,
                    name=name,
                    emails=emails,
                    phones=phones,
                    group=group_id,
                    origin="google",
                    google_resource=resource,
                    google_owner=self.login,
                    google_etag=etag,
                    google_emails=emails,
                    google_phones=phones,
                    created=now,
                    updated=now,
                )
                self.log.count("contacts_created")
                self.log.info(f"new client from Google Contacts: {name}", client_id=client.id)
            else:
                if (
                    match.google_resource == resource
                    and match.google_etag == etag
                    and match.id not in changed
                ):
                    continue  # an unchanged contact (e.g. seen again by a full listing)
                if match.google_resource != resource:
                    self.log.info(
                        f"Google contact {name} adopted the studio client with its email", client_id=match.id
                    )
                # Three-way: values Google had and dropped go, values typed in the studio stay.
                client = replace(
                    match,
                    name=name,
                    emails=_merge(match.emails, match.google_emails, emails),
                    phones=_merge(match.phones, match.google_phones, phones),
                    group=match.group or group_id,
                    google_resource=resource,
                    google_owner=self.login,
                    google_etag=etag,
                    google_emails=emails,
                    google_phones=phones,
                )
                if (client.name, client.emails, client.phones) != (match.name, match.emails, match.phones):
                    client.updated = now
                    if match.id not in changed:
                        self.log.count("contacts_updated")
                    self.log.info(f"client updated from Google Contacts: {name}", client_id=client.id)
            changed[client.id] = client
            book.link(resource, client)
        if changed:
            self.studio.clients.save_many(changed.values())


class ContactBook:
    """Which studio client each Google contact of this user is, while one listing is applied.

    - `linked`: clients linked to this user's contacts, by resourceName (the People API's stable id of a
      contact; another user's contact with the same resourceName is another contact).
    - `adoptable`: the email fallback, only for a client not linked to any Google contact yet, and only
      when exactly one Google contact of this user carries that email -- two contacts sharing an address
      (a couple, a family) are two people and stay two clients -- and exactly one such client has it.
      Who carries an email: the contacts in this listing, plus the linked contacts it does not bring
      (by the emails Google last gave them), so an incremental listing judges like a full one.
    """

    def __init__(self, clients: list[Client], login: str, people: list[dict[str, Any]]) -> None:
        self.linked = {c.google_resource: c for c in clients if c.google_resource and c.google_owner == login}
        self.unlinked: dict[str, list[Client]] = {}
        for client in clients:
            if not client.google_resource:
                for email in {e.lower() for e in client.emails}:
                    self.unlinked.setdefault(email, []).append(client)
        self.carriers: dict[str, set[str]] = {}
        listed = {str(p.get("resourceName") or "") for p in people}
        for resource, client in self.linked.items():
            if resource not in listed:
                for email in client.google_emails:
                    self.carriers.setdefault(email.lower(), set()).add(resource)
        for person in people:
            if not (person.get("metadata") or {}).get("deleted"):
                for email in _values(person.get("emailAddresses"), lower=True):
                    self.carriers.setdefault(email, set()).add(str(person.get("resourceName") or ""))

    def adoptable(self, resource: str, emails: list[str]) -> Client | None:
        found = {
            c.id: c
            for email in emails
            if self.carriers.get(email) == {resource} and len(self.unlinked.get(email) or []) == 1
            for c in self.unlinked[email]
        }
        return next(iter(found.values())) if len(found) == 1 else None

    def link(self, resource: str, client: Client) -> None:
        self.linked[resource] = client
        for email, clients in self.unlinked.items():
            self.unlinked[email] = [c for c in clients if c.id != client.id]

    def unlink(self, resource: str) -> Client | None:
        client = self.linked.pop(resource, None)
        return None if client is None else self.unlinked_copy(client)

    @staticmethod
    def unlinked_copy(client: Client) -> Client:
        """The client without its Google link (its values stay; Google's last word is forgotten)."""
        return replace(
            client,
            google_resource=None,
            google_owner=None,
            google_etag=None,
            google_emails=[],
            google_phones=[],
        )


def _contact(person: dict[str, Any]) -> tuple[str, list[str], list[str]] | None:
    names = person.get("names") or []
    emails = _values(person.get("emailAddresses"), lower=True)
    phones = _values(person.get("phoneNumbers"))
    name = ""
    if names:
        first = names[0]
        name = (
            first.get("displayName")
            or first.get("unstructuredName")
            or " ".join(p for p in (first.get("givenName"), first.get("familyName")) if p)
        )
    name = " ".join(str(name or "").split()) or (emails[0] if emails else "") or (phones[0] if phones else "")
    if not name:
        return None  # nothing to call the client by
    return name[:200], emails, phones


def _values(items: Any, *, lower: bool = False) -> list[str]:
    out: list[str] = []
    for item in items or []:
        value = str((item or {}).get("value") or "").strip() if isinstance(item, dict) else ""
        if lower:
            value = value.lower()
        if value and value not in out:
            out.append(value)
    return out


def _merge(ours: list[str], before: list[str], theirs: list[str]) -> list[str]:
    """Three-way: keep our values except those Google had (`before`) and no longer has, then add Google's
    new ones. Studio-entered values stay; a number changed on the phone replaces the old one.
    Case-insensitive (emails)."""
    gone = {v.lower() for v in before} - {v.lower() for v in theirs}
    kept = [v for v in ours if v.lower() not in gone]
    seen = {v.lower() for v in kept}
    return [*kept, *(v for v in theirs if v.lower() not in seen)]
