"""The Studio: one data directory and the services the CLI and the console call.

It builds the services (users, groups, clients, appointments, prefs, the Google tab, the token vault) and
hands them what they need. Must never hold rules of its own beyond removing a user across the services,
and never import the sync: the sync state file is named by core.store.layout.
"""

from __future__ import annotations

import contextlib
import os
from functools import cached_property
from typing import TYPE_CHECKING

from studiosync.core.paths import DataDir, data_dir
from studiosync.core.store.schema import migrate
from studiosync.core.store.store import Store
from studiosync.core.studio.users import Users

if TYPE_CHECKING:
    from studiosync.core.google.tokens import TokenVault
    from studiosync.core.studio.appointments import Appointments
    from studiosync.core.studio.clients import Clients
    from studiosync.core.studio.google_accounts import GoogleAccounts
    from studiosync.core.studio.groups import Groups
    from studiosync.core.studio.login_guard import LoginGuard
    from studiosync.core.studio.prefs import Prefs


class Studio:
    # Services other than users are built (and their modules imported) on first use: `studiosync users
    # list` must not pay for the appointment book, the Google tab or the preferences (start-up).
    def __init__(self, datadir: DataDir) -> None:
        self.datadir = datadir
        self.store = Store(datadir)
        migrate(self.store)
        self.users = Users(self.store)

    @classmethod
    def open(cls, home: str | os.PathLike[str] | None = None) -> Studio:
        return cls(data_dir(home))

    @cached_property
    def groups(self) -> Groups:
        from studiosync.core.studio.groups import Groups

        return Groups(self.store)

    @cached_property
    def clients(self) -> Clients:
        from studiosync.core.studio.clients import Clients

        return Clients(self.store, self.groups)

    @cached_property
    def appointments(self) -> Appointments:
        from studiosync.core.studio.appointments import Appointments

        return Appointments(self.store, self.users)

    @cached_property
    def secrets(self) -> TokenVault:
        from studiosync.core.google.tokens import TokenVault

        return TokenVault(self.datadir.root)

    @cached_property
    def google(self) -> GoogleAccounts:
        from studiosync.core.studio.google_accounts import GoogleAccounts

        return GoogleAccounts(self)

    @cached_property
    def login_guard(self) -> LoginGuard:
        from studiosync.core.studio.login_guard import LoginGuard

        return LoginGuard(self.store)

    @cached_property
    def prefs(self) -> Prefs:
        from studiosync.core.studio.prefs import Prefs

        return Prefs(self.store, self.datadir, lambda: self.secrets)

    def remove_user(self, login: str) -> str | None:
        """Remove a user, their appointments, sync state and stored Google token.

        The token is revoked at Google first, best effort (as `google remove` does): returns a warning
        when Google could not be told; the removal goes on regardless.
        """
        self.users.get(login)
        try:
            warning = self.google.remove(login)
        except Exception as exc:  # noqa: BLE001 - revocation must never block removing the user
            warning = (
                f"could not revoke the Google token ({exc.__class__.__name__}); it was forgotten locally"
            )
        ids = [a.id for a in self.appointments.list(login, include_deleted=True)]
        self.appointments.purge(login, ids)
        self.appointments.clear_pending(login, self.appointments.pending_ids(login))  # stale ones too
        self.users.remove(login)
        with contextlib.suppress(Exception):  # a missing keyring entry must not block the removal
            self.secrets.delete(login)
        self.reset_sync_state(login, keep_history=False)
        return warning

    def reset_sync_state(self, login: str, *, keep_history: bool = True) -> None:
        """Forget a user's Google sync state (tokens, series, populate progress): after a calendar or
        account change. The run history stays (it is what happened, and the console and doctor show it),
        unless the user is being removed."""
        from studiosync.core.store import layout

        name = layout.sync_state_file(login)
        # What happened, and which problem a person was told about.
        kept = (layout.SYNC_RUNS_TABLE, layout.ALERTS_TABLE)
        with self.store.transaction(name) as tx:
            db = tx.db(name)
            for table in db.tables():
                if table not in kept or not keep_history:
                    db.drop_table(table)
