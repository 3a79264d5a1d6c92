"""Client groups (Maintenance > Client > Client Groups)."""

from __future__ import annotations

import uuid

from studiosync.core.errors import InputError, NotFoundError
from studiosync.core.model import to_doc
from studiosync.core.model.clients import ClientGroup
from studiosync.core.store import layout
from studiosync.core.store.store import Store
from studiosync.core.studio import validate

GROUPS = "groups"


class Groups:
    def __init__(self, store: Store) -> None:
        self._store = store

    def list(self) -> list[ClientGroup]:
        rows = self._store.table_rows(layout.STUDIO, GROUPS)
        groups = self._store.records(ClientGroup, layout.STUDIO, GROUPS, rows)
        return sorted(groups, key=lambda g: g.name.lower())

    def find(self, name_or_id: str) -> ClientGroup | None:
        wanted = (name_or_id or "").strip().lower()
        for group in self.list():
            if group.id == name_or_id or group.name.lower() == wanted:
                return group
        return None

    def get(self, name_or_id: str) -> ClientGroup:
        group = self.find(name_or_id)
        if group is None:
            raise NotFoundError(f"no client group {name_or_id!r}")
        return group

    def add(self, name: str) -> ClientGroup:
        name = _check_name(name)
        with self._store.transaction(layout.STUDIO) as tx:
            table = tx.table(layout.STUDIO, GROUPS)
            if any(str(r.get("name", "")).lower() == name.lower() for r in table.all()):
                raise InputError(f"client group {name!r} already exists")
            group = ClientGroup(id=uuid.uuid4().hex, name=name)
            table.put(group.id, to_doc(group))
        return group

    def rename(self, name_or_id: str, new_name: str) -> ClientGroup:
        new_name = _check_name(new_name)
        group = self.get(name_or_id)
        with self._store.transaction(layout.STUDIO) as tx:
            table = tx.table(layout.STUDIO, GROUPS)
            current = table.get(doc_id=group.id)  # again under the lock: it may be gone by now
            if current is None:
                raise NotFoundError(f"no client group {name_or_id!r}")
            for row in table.all():
                if row.doc_id != group.id and str(row.get("name", "")).lower() == new_name.lower():
                    raise InputError(f"client group {new_name!r} already exists")
            group = self._store.record(ClientGroup, layout.STUDIO, GROUPS, group.id, dict(current))
            group.name = new_name
            table.put(group.id, to_doc(group))
        return group

    def remove(self, name_or_id: str) -> ClientGroup:
        group = self.get(name_or_id)
        with self._store.transaction(layout.STUDIO, layout.CLIENTS) as tx:
            users = [
                r.doc_id
                for r in tx.table(layout.STUDIO, "google_prefs").all()
                if r.get("client_group") == group.id
            ]
            if users:
                raise InputError(
                    f"client group {group.name!r} is used by the Google tab of {', '.join(sorted(users))}; "
                    "choose another group there first"
                )
            in_use = sum(1 for r in tx.table(layout.CLIENTS, "clients").all() if r.get("group") == group.id)
            if in_use:
                raise InputError(f"client group {group.name!r} still has {in_use} client(s)")
            tx.table(layout.STUDIO, GROUPS).delete(group.id)
        return group


def _check_name(name: str) -> str:
    if not (name or "").strip():
        raise InputError("a client group needs a name")
    return validate.single_line(name, "the client group name", max_len=80)
