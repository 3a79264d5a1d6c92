"""Studio clients, some of them brought in from a user's Google Contacts."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from studiosync.core.errors import InputError
from studiosync.core.model import to_doc
from studiosync.core.model.clients import Client
from studiosync.core.store import layout
from studiosync.core.store.store import Store
from studiosync.core.studio import validate
from studiosync.core.studio.groups import Groups
from studiosync.core.studio.timeparse import stamp

CLIENTS = "clients"


class Clients:
    def __init__(self, store: Store, groups: Groups) -> None:
        self._store = store
        self._groups = groups

    def list(self, group: str | None = None) -> list[Client]:
        group_id = self._groups.get(group).id if group else None
        rows = self._store.table_rows(layout.CLIENTS, CLIENTS)
        found = iter(self._store.records(Client, layout.CLIENTS, CLIENTS, rows))
        if group_id:
            found = (c for c in found if c.group == group_id)
        return sorted(found, key=lambda c: (c.name.lower(), c.id))

    def add(
        self, name: str, *, emails: Iterable[str] = (), phones: Iterable[str] = (), group: str | None = None
    ) -> Client:
        from studiosync.core.mail import validate_email_address

        if not (name or "").strip():
            raise InputError("a client needs a name")
        name = validate.name(name, "the client name")
        phones = [validate.single_line(p, "a phone number", max_len=64, required=False) for p in phones]
        client = Client(
            id=uuid.uuid4().hex,
            name=name,
            emails=[validate_email_address(e) for e in emails],
            phones=[p for p in phones if p],
            group=self._groups.get(group).id if group else None,
            created=stamp(),
            updated=stamp(),
        )
        with self._store.transaction(layout.CLIENTS) as tx:
            tx.table(layout.CLIENTS, CLIENTS).put(client.id, to_doc(client))
        return client

    def save_many(self, clients: Iterable[Client]) -> None:
        """Insert or replace clients in one write (used by the contacts import)."""
        docs = {c.id: to_doc(c) for c in clients}
        if not docs:
            return
        with self._store.transaction(layout.CLIENTS) as tx:
            tx.table(layout.CLIENTS, CLIENTS).put_many(docs)

    def group_name(self, group_id: str | None) -> str | None:
        if not group_id:
            return None
        for g in self._groups.list():
            if g.id == group_id:
                return g.name
        return None
