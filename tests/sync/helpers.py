"""A studio wired to the Google emulator, with authenticated users, for the sync tests and the benchmark.

`SyncWorld` sets up what an admin and each user would through the console: company Google API settings
(client secrets registered with the emulator, API root = the emulator), staff users with a token in the
vault (granted through the emulator's OAuth, as after "Authenticate My Google Account"), and a Google tab
with sync enabled on the account's primary calendar.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from studiosync.core.emulator import GoogleEmulator
from studiosync.core.google.api import RetryPolicy
from studiosync.core.google.tokens import StoredToken
from studiosync.core.model.appointments import Appointment
from studiosync.core.model.users import GooglePrefs
from studiosync.core.studio.studio import Studio
from studiosync.core.studio.timeparse import stamp
from studiosync.core.sync.calendar_sync import SyncOptions
from studiosync.core.sync.processor import ProcessorResult, forget_credentials, run_sync

CLIENT_ID = "studiosync-test-client"
CLIENT_SECRET = "studiosync-test-secret-0123456789"
FAST = RetryPolicy(base_delay_s=0.01, max_delay_s=0.05, max_total_s=10.0, dns_delay_s=0.01)


def fast_options(**kw: Any) -> SyncOptions:
    kw.setdefault("policy", FAST)
    return SyncOptions(**kw)


@dataclass
class SyncWorld:
    studio: Studio
    emu: GoogleEmulator
    home: Path
    options: SyncOptions = field(default_factory=fast_options)
    emails: dict[str, str] = field(default_factory=dict)  # login -> Google account

    @classmethod
    def create(cls, home: Path, emu: GoogleEmulator, *, timezone: str = "UTC") -> SyncWorld:
        studio = Studio.open(home)
        secrets = emu.register_client(CLIENT_ID, CLIENT_SECRET)
        path = home / "client_secrets.json"
        path.write_text(json.dumps(secrets))
        studio.prefs.set_google(client_secrets=path, api_endpoint=emu.url)
        studio.prefs.set_timezone(timezone)
        return cls(studio, emu, home)

    # -- users -----------------------------------------------------------------------------------------
    def add_user(
        self,
        login: str,
        *,
        email: str | None = None,
        google_tz: str | None = None,
        calendar_id: str | None = None,
        enabled_at: str | None = None,
        **prefs: Any,
    ) -> str:
        email = email or f"{login}@example.com"
        if self.studio.users.find(login) is None:
            self.studio.users.add(login, login.capitalize())
        self.emu.add_account(email, name=login.capitalize(), timezone=google_tz or self.studio.prefs.timezone)
        self.authenticate(login, email)
        tab = GooglePrefs(
            login=login,
            enabled=True,
            account_email=email,
            calendar_id=calendar_id or email,
            calendar_summary=email,
            two_way=prefs.pop("two_way", True),
            enabled_at=enabled_at or stamp(),
            **prefs,
        )
        self.studio.users.save_google_prefs(tab)
        self.emails[login] = email
        return email

    def authenticate(self, login: str, email: str) -> None:
        info = self.emu.authorize(email, CLIENT_ID)
        self.studio.secrets.put(
            login,
            StoredToken(
                refresh_token=info["refresh_token"],
                account_email=email,
                client_id=CLIENT_ID,
                scopes=tuple(info["scopes"]),
                token_uri=info["token_uri"],
            ),
        )
        forget_credentials(self.studio, login)

    def set_prefs(self, login: str, **changes: Any) -> GooglePrefs:
        prefs = self.studio.users.google_prefs(login)
        for key, value in changes.items():
            setattr(prefs, key, value)
        self.studio.users.save_google_prefs(prefs)
        return prefs

    def prefs(self, login: str) -> GooglePrefs:
        return self.studio.users.google_prefs(login)

    # -- running ---------------------------------------------------------------------------------------
    def sync(self, *logins: str, **kw: Any) -> ProcessorResult:
        kw.setdefault("options", self.options)
        return run_sync(self.studio, list(logins) or None, **kw)

    def sync_ok(self, *logins: str, **kw: Any) -> ProcessorResult:
        result = self.sync(*logins, **kw)
        bad = [u for u in result.users if u.status == "error"]
        assert not bad, [u.one_line() for u in bad]
        return result

    # -- the two sides ---------------------------------------------------------------------------------
    def calendar(self, login: str) -> str:
        return self.prefs(login).calendar_id or self.emails[login]

    def events(
        self, login: str, *, cancelled: bool = False, single: bool = False, **kw: Any
    ) -> list[dict[str, Any]]:
        email = self.emails[login]
        return self.emu.events(
            email, self.calendar(login), include_cancelled=cancelled, single_events=single, **kw
        )

    def live_events(self, login: str) -> dict[str, dict[str, Any]]:
        return {e["id"]: e for e in self.events(login) if e.get("status") != "cancelled"}

    def add_event(
        self,
        login: str,
        summary: str,
        start: datetime | date,
        end: datetime | date | None = None,
        **body: Any,
    ) -> dict[str, Any]:
        doc = {"summary": summary, "start": when(start), "end": when(end or _default_end(start)), **body}
        return self.emu.add_event(self.emails[login], self.calendar(login), doc)

    def update_event(self, login: str, event_id: str, **changes: Any) -> dict[str, Any]:
        return self.emu.update_event(self.emails[login], self.calendar(login), event_id, changes)

    def delete_event(self, login: str, event_id: str) -> None:
        self.emu.delete_event(self.emails[login], self.calendar(login), event_id)

    def appts(self, login: str, *, deleted: bool = False) -> list[Appointment]:
        return self.studio.appointments.list(login, include_deleted=deleted)

    def add_appt(
        self, login: str, title: str, start: datetime | date, end: datetime | date | None = None, **kw: Any
    ) -> Appointment:
        return self.studio.appointments.add(
            login, title=title, start=start, end=end or _default_end(start), **kw
        )

    def counts(self, login: str) -> dict[str, int]:
        return self.emu.request_counts(self.emails[login])


def when(value: datetime | date) -> dict[str, str]:
    if isinstance(value, datetime):
        return {"dateTime": value.isoformat()}
    return {"date": value.isoformat()}


def _default_end(start: datetime | date) -> datetime | date:
    return start + (timedelta(hours=1) if isinstance(start, datetime) else timedelta(days=1))


def soon(days: int = 1, hour: int = 10, tz: Any = UTC) -> datetime:
    """A whole hour `days` from today (future: inside any horizon)."""
    base = datetime.now(tz).replace(hour=hour, minute=0, second=0, microsecond=0)
    return base + timedelta(days=days)
