"""Google Contacts -> studio clients (one way), for users with "contacts" on and a client group chosen.

New and modified contacts become or update clients; deletions on Google never delete a client (the studio
may have invoices or sessions for them). A contact is linked to its client by People resourceName and,
failing that, by email address, so a lost sync token, a re-authentication or another user importing the
same person never creates a duplicate client.

The People sync token (7-day life; EXPIRED_SYNC_TOKEN -> full listing) is saved after the clients.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from googleapiclient.errors import HttpError
from studiosync.core.google.api import execute
from studiosync.core.google.errors import classify
from studiosync.core.model import Client, GooglePrefs
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
            self.log.warning(
                "contacts were not imported: the client group chosen in the Google tab no longer exists; "
                "choose another group"
            )
            return
        token = self.state.people.get("sync_token")
        people, next_token = self._list(token)
        if people:
            self._apply(people, group.id)
        if next_token:
            self.state.people["sync_token"] = next_token  # after the clients it covers are saved
        self.state.save(self.studio.store)

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
        clients = self.studio.clients.list()
        by_resource: dict[str, Client] = {}
        by_email: dict[str, Client] = {}
        for client in clients:
            if client.google_resource and client.google_owner == self.login:
                by_resource[client.google_resource] = client
            for email in client.emails:
                by_email.setdefault(email.lower(), client)
        changed: dict[str, Client] = {}
        now = stamp()
        for person in people:
            if (person.get("metadata") or {}).get("deleted"):
                continue  # deletions on Google never delete a studio client
            contact = _contact(person)
            if contact is None:
                continue
            name, emails, phones = contact
            resource = str(person.get("resourceName") or "")
            etag = person.get("etag")
            match = by_resource.get(resource) or next((by_email[e] for e in emails if e in by_email), None)
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
                # Only the owner's contact is "what Google last said"; another user's copy of the same
                # person (matched by email) adds values but never removes any.
                owned = match.google_owner in (None, self.login)
                client = replace(
                    match,
                    name=name,
                    emails=_merge(match.emails, match.google_emails if owned else [], emails),
                    phones=_merge(match.phones, match.google_phones if owned else [], phones),
                    group=match.group or group_id,
                    google_resource=resource if owned else match.google_resource,
                    google_owner=match.google_owner or self.login,
                    google_etag=etag,
                    google_emails=emails if owned else match.google_emails,
                    google_phones=phones if owned else match.google_phones,
                )
                visible = (client.name, client.emails, client.phones) != (
                    match.name,
                    match.emails,
                    match.phones,
                )
                if visible:
                    client.updated = now
                    if match.id not in changed:
                        self.log.count("contacts_updated")
                    self.log.info(f"client updated from Google Contacts: {name}", client_id=client.id)
            changed[client.id] = client
            by_resource[resource] = client
            for email in client.emails:
                by_email[email] = client
        if changed:
            self.studio.clients.save_many(changed.values())


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
