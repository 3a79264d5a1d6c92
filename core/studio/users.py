"""Users and resources (Maintenance > General > Users)."""

from __future__ import annotations

import re
from collections.abc import Callable

from studiosync.core.errors import InputError, NotFoundError
from studiosync.core.model import to_doc
from studiosync.core.model.users import USER_KINDS, GooglePrefs, User
from studiosync.core.store import layout
from studiosync.core.store.records import CorruptRecord
from studiosync.core.store.store import Store
from studiosync.core.studio import validate
from studiosync.core.studio.passwords import check_new_password, hash_password, verify_password
from studiosync.core.text import escape_line

LOGIN_RE = re.compile(r"^[a-z][a-z0-9._-]{0,31}$")
USERS = "users"
GOOGLE = "google_prefs"


def check_login(login: str) -> str:
    # fullmatch: with match, "$" also accepts a trailing newline ("ann\n").
    if not isinstance(login, str) or not LOGIN_RE.fullmatch(login):
        shown = escape_line(login if isinstance(login, str) else repr(login))
        raise InputError(
            f"invalid login {shown!r}: use 1-32 lowercase letters, digits, '.', '_' or '-', starting with a letter"
        )
    return login


class Users:
    def __init__(self, store: Store) -> None:
        self._store = store

    def list(self) -> list[User]:
        """Every user; a corrupt record is left out and noted (Store.problems), the others still work."""
        rows = self._store.table_rows(layout.STUDIO, USERS)
        return sorted(self._store.records(User, layout.STUDIO, USERS, rows), key=lambda u: u.login)

    def find(self, login: str) -> User | None:
        row = self._store.get(layout.STUDIO, USERS, login)
        return self._store.record(User, layout.STUDIO, USERS, login, row) if row is not None else None

    def get(self, login: str) -> User:
        user = self.find(login)
        if user is None:
            raise NotFoundError(f"no user {login!r}")
        return user

    def add(
        self, login: str, name: str, *, kind: str = "staff", admin: bool = False, password: str | None = None
    ) -> User:
        check_login(login)
        if not (name or "").strip():
            raise InputError("a user needs a display name (--name)")
        name = validate.name(name, "the display name")
        if kind not in USER_KINDS:
            raise InputError(f"kind must be staff or resource, not {kind!r}")
        if password is not None:
            check_new_password(password, login=login)
        user = User(
            login=login,
            name=name,
            kind=kind,  # type: ignore[arg-type]
            admin=admin,
            password_hash=hash_password(password) if password else None,
            created=_stamp(),
        )
        with self._store.transaction(layout.STUDIO) as tx:
            table = tx.table(layout.STUDIO, USERS)
            if table.contains(doc_id=login):
                raise InputError(f"user {login!r} already exists")
            # Appointment files and ids are keyed by a short hash of the login: two logins with the same
            # key would share files, so the (very unlikely) second one is refused.
            key = layout.user_key(login)
            clash = next((r.doc_id for r in table.all() if layout.user_key(str(r.doc_id)) == key), None)
            if clash is not None:
                raise InputError(
                    f"login {login!r} cannot be used next to {clash!r} (same storage key); choose another"
                )
            table.put(login, to_doc(user))
        return user

    def update(self, login: str, *, name: str | None = None, admin: bool | None = None) -> User:
        with self._store.transaction(layout.STUDIO) as tx:
            table = tx.table(layout.STUDIO, USERS)
            row = table.get(doc_id=login)
            if row is None:
                raise NotFoundError(f"no user {login!r}")
            user = self._store.record(User, layout.STUDIO, USERS, login, dict(row))
            if name is not None and name != user.name:
                if not name.strip():
                    raise InputError("a user needs a display name")
                user.name = validate.name(name, "the display name")
            if admin is not None:
                user.admin = admin
            table.put(login, to_doc(user))
        return user

    def set_password(self, login: str, password: str | None) -> None:
        """Set (after `check_new_password`) or clear (None) a user's console password."""
        if password is not None:
            check_new_password(password, login=login)
        with self._store.transaction(layout.STUDIO) as tx:
            table = tx.table(layout.STUDIO, USERS)
            row = table.get(doc_id=login)
            if row is None:
                raise NotFoundError(f"no user {login!r}")
            doc = dict(row)
            doc["password_hash"] = hash_password(password) if password else None
            table.put(login, doc)
        if password is not None:
            # A new password ends a lock on the login: how IT lets a locked-out person back in.
            from studiosync.core.studio.login_guard import LoginGuard

            LoginGuard(self._store).clear_login(login)

    def check_password(self, login: str, password: str) -> bool:
        user = self.find(login)
        return bool(user and user.password_hash and verify_password(password, user.password_hash))

    def remove(self, login: str) -> User:
        """Remove a user and their Google tab. Appointments are handled by the caller first."""
        with self._store.transaction(layout.STUDIO) as tx:
            table = tx.table(layout.STUDIO, USERS)
            row = table.get(doc_id=login)
            if row is None:
                raise NotFoundError(f"no user {login!r}")
            table.delete(login)
            tx.table(layout.STUDIO, GOOGLE).delete(login)
        return self._store.record(User, layout.STUDIO, USERS, login, dict(row))

    # The Google tab lives beside the user in the studio file.
    def google_prefs(self, login: str) -> GooglePrefs:
        row = self._store.get(layout.STUDIO, GOOGLE, login)
        if row is None:
            return GooglePrefs(login=login)
        return self._store.record(GooglePrefs, layout.STUDIO, GOOGLE, login, row)

    def all_google_prefs(self) -> list[GooglePrefs]:
        """Every Google tab; a corrupt one is left out and noted (Store.problems)."""
        rows = self._store.table_rows(layout.STUDIO, GOOGLE)
        return sorted(self._store.records(GooglePrefs, layout.STUDIO, GOOGLE, rows), key=lambda p: p.login)

    def damaged(self) -> list[CorruptRecord]:
        """The user records and Google tabs that do not fit their shape (listings leave them out): a
        scheduled sync names each one instead of skipping that user in silence."""
        found: list[CorruptRecord] = []
        for cls, table in ((User, USERS), (GooglePrefs, GOOGLE)):
            for doc_id, doc in self._store.table_rows(layout.STUDIO, table).items():
                try:
                    self._store.record(cls, layout.STUDIO, table, doc_id, doc)
                except CorruptRecord as exc:
                    found.append(exc)
        return found

    def save_google_prefs(self, prefs: GooglePrefs) -> None:
        """Write the whole Google tab (last writer wins: prefer update_google_prefs for a few fields)."""
        with self._store.transaction(layout.STUDIO) as tx:
            if not tx.table(layout.STUDIO, USERS).contains(doc_id=prefs.login):
                raise NotFoundError(f"no user {prefs.login!r}")
            tx.table(layout.STUDIO, GOOGLE).put(prefs.login, to_doc(prefs))

    def update_google_prefs(self, login: str, change: Callable[[GooglePrefs], None]) -> GooglePrefs:
        """Read, change and write one user's Google tab under the lock.

        The sync processor recording `last_sync` and a person editing the tab at the same moment then
        both keep their change; with get + save_google_prefs one would undo the other.
        """
        with self._store.transaction(layout.STUDIO) as tx:
            if not tx.table(layout.STUDIO, USERS).contains(doc_id=login):
                raise NotFoundError(f"no user {login!r}")
            prefs = self.google_prefs(login)
            change(prefs)
            prefs.login = login
            tx.table(layout.STUDIO, GOOGLE).put(login, to_doc(prefs))
        return prefs


def _stamp() -> str:
    from studiosync.core.studio.timeparse import stamp  # start-up: listing users needs no clock

    return stamp()
