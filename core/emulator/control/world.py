"""Control methods that shape the emulated world directly: accounts, calendars, events, contacts, seeds.

Events created or edited here are written "as Google": any id Google itself gives (e.g. `_60q30c1g...`
of an Exchange-synced calendar), any event type (fromGmail included), an explicit organizer, creator or
iCalUID; edits bump the sequence as a change in Google Calendar does. Must never import anything outside
the emulator package.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .. import events, people, series
from ..calendar import create_calendar, list_entry
from ..errors import ControlError
from ..render import render
from ..state import Account
from ..timeutil import check_zone, parse_datetime
from .base import ControllerBase


class WorldControl(ControllerBase):
    # ------------------------------------------------------------------ accounts and calendars
    def add_account(self, email: str, name: str | None = None, timezone: str = "UTC") -> dict[str, Any]:
        """Create a Google account with its primary calendar (id = email). Re-adding updates name/zone."""
        email = email.strip().lower()
        if "@" not in email:
            raise ControlError(f"not an email address: {email!r}")
        self._check(lambda: check_zone(timezone))
        with self.state.lock:
            account = self.state.accounts.get(email)
            if account is None:
                account = Account(email, name or email.split("@")[0], timezone)
                self.state.accounts[email] = account
                create_calendar(self.state, account, email, timezone=timezone, calendar_id=email)
            else:
                account.name = name or account.name
                account.timezone = timezone
                self.state.calendars[email].timezone = timezone
            return self._account_info(account)

    def accounts(self) -> list[dict[str, Any]]:
        with self.state.lock:
            return [self._account_info(a) for a in self.state.accounts.values()]

    @staticmethod
    def _account_info(account: Account) -> dict[str, Any]:
        return {
            "email": account.email,
            "name": account.name,
            "timezone": account.timezone,
            "calendars": list(account.calendar_ids),
        }

    def add_calendar(
        self,
        email: str,
        summary: str,
        timezone: str | None = None,
        access_role: str = "owner",
        calendar_id: str | None = None,
        description: str = "",
    ) -> str:
        """Add a secondary calendar to `email`'s list and return its id. Passing the id of an existing
        calendar shares it with this account at `access_role` (owner/writer/reader/freeBusyReader)."""
        with self.state.lock:
            account = self._account(email)
            cal = self._check(
                lambda: create_calendar(
                    self.state,
                    account,
                    summary,
                    timezone=timezone,
                    access_role=access_role,
                    calendar_id=calendar_id,
                    description=description,
                )
            )
            return cal.id

    def calendars(self, email: str) -> list[dict[str, Any]]:
        """The account's calendarList entries (deleted calendars left out)."""
        with self.state.lock:
            account = self._account(email)
            cals = [self.state.calendars[c] for c in account.calendar_ids]
            return [list_entry(c, account.email) for c in cals if not c.deleted]

    def delete_calendar(self, calendar_id: str) -> None:
        """Delete a calendar for everyone: the API then answers 404 notFound for it."""
        with self.state.lock:
            cal = self.state.calendars.get(calendar_id)
            if cal is None:
                raise ControlError(f"unknown calendar {calendar_id!r}")
            cal.deleted = True

    # ------------------------------------------------------------------ events
    def add_event(self, email: str, calendar_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """Create an event as Google Calendar (or Gmail) would for `email`: body as for events.insert, plus
        any id, eventType, organizer, creator or iCalUID Google itself may give an event."""
        with self.state.lock:
            cal = self._calendar(email, calendar_id)
            rec = self._check(lambda: events.insert(cal, body, actor=email.lower(), as_google=True))
            return render(rec, cal, email.lower())

    def get_event(self, email: str, calendar_id: str, event_id: str) -> dict[str, Any]:
        with self.state.lock:
            cal = self._calendar(email, calendar_id)
            rec = series.resolve(cal, event_id)
            if rec is None:
                raise ControlError(f"unknown event {event_id!r}")
            return render(rec, cal, email.lower())

    def update_event(
        self, email: str, calendar_id: str, event_id: str, changes: dict[str, Any], *, replace: bool = False
    ) -> dict[str, Any]:
        """Edit an event on Google's side (patch semantics unless `replace`): bumps etag, updated and
        sequence; switching all-day <-> timed replaces the other form, as Google Calendar's UI does. An
        instance id (`{id}_{20260105T150000Z}`) edits that occurrence only."""
        with self.state.lock:
            cal = self._calendar(email, calendar_id)
            rec = self._check(
                lambda: events.update(
                    cal,
                    event_id,
                    changes,
                    actor=email.lower(),
                    patch=not replace,
                    bump_sequence=True,
                    as_google=True,
                )
            )
            return render(rec, cal, email.lower())

    def delete_event(self, email: str, calendar_id: str, event_id: str) -> None:
        """Delete (cancel) an event or one occurrence of a series, on Google's side."""
        with self.state.lock:
            cal = self._calendar(email, calendar_id)
            self._check(lambda: events.delete(cal, event_id, as_google=True))

    def events(
        self,
        email: str,
        calendar_id: str,
        include_cancelled: bool = False,
        *,
        single_events: bool = False,
        time_min: str | None = None,
        time_max: str | None = None,
    ) -> list[dict[str, Any]]:
        """Stored events in creation order (series masters and exceptions), or with `single_events` the
        expanded occurrences (bounded by time_max or about two years ahead)."""
        with self.state.lock:
            cal = self._calendar(email, calendar_id)
            lo = parse_datetime(time_min, field="timeMin") if time_min else None
            hi = parse_datetime(time_max, field="timeMax") if time_max else None
            out = []
            for rid in cal.order:
                rec = cal.events[rid]
                if single_events and rec.recurring_event_id:
                    continue
                if single_events and rec.recurrence is not None and not rec.cancelled:
                    found = series.instances(
                        cal, rec, time_min=lo, time_max=hi, include_cancelled=include_cancelled
                    )
                    out += [render(i, cal, email.lower()) for i in found]
                elif include_cancelled or not rec.cancelled:
                    out.append(render(rec, cal, email.lower()))
            return out

    # ------------------------------------------------------------------ contacts
    def add_contact(self, email: str, body: dict[str, Any]) -> dict[str, Any]:
        """Add a contact (a People `Person` body: names, emailAddresses, phoneNumbers, ...)."""
        with self.state.lock:
            book = self._account(email).contacts
            contact = self._check(lambda: people.add_contact(book, body))
            return people.render_person(contact, people.PERSON_FIELDS)

    def update_contact(self, email: str, resource_name: str, changes: dict[str, Any]) -> dict[str, Any]:
        """Replace the given person fields (None removes one); `resource_name` as `people/c..` or `c..`."""
        with self.state.lock:
            book = self._account(email).contacts
            contact = self._check(lambda: people.update_contact(book, resource_name, changes))
            return people.render_person(contact, people.PERSON_FIELDS)

    def delete_contact(self, email: str, resource_name: str) -> None:
        """Delete a contact: sync listings then carry it as `metadata.deleted: true`."""
        with self.state.lock:
            book = self._account(email).contacts
            self._check(lambda: people.delete_contact(book, resource_name))

    def contacts(self, email: str, include_deleted: bool = False) -> list[dict[str, Any]]:
        with self.state.lock:
            book = self._account(email).contacts
            found = [book.contacts[n] for n in book.order]
            return [
                people.render_person(c, people.PERSON_FIELDS)
                for c in found
                if include_deleted or not c.deleted
            ]

    # ------------------------------------------------------------------ seeding
    def load_seed(self, seed: dict[str, Any] | str | Path) -> None:
        """Populate from a dict or JSON file:
        `{"token_ttl": 3600, "clients": [{"client_id", "client_secret", "redirect_uris"?}],
          "accounts": [{"email", "name"?, "timezone"?, "events"?: [...], "contacts"?: [...],
                        "calendars"?: [{"summary", "timezone"?, "access_role"?, "id"?, "events"?: [...]}]}],
          "consent_account": "..."}`"""
        data = seed if isinstance(seed, dict) else json.loads(Path(seed).read_text())
        if "token_ttl" in data:
            self.token_ttl = float(data["token_ttl"])
        for client in data.get("clients", []):
            self.register_client(  # type: ignore[attr-defined]
                client["client_id"], client["client_secret"], client.get("redirect_uris", ())
            )
        for acc in data.get("accounts", []):
            email = acc["email"]
            self.add_account(email, acc.get("name"), acc.get("timezone", "UTC"))
            for body in acc.get("events", []):
                self.add_event(email, "primary", body)
            for cal in acc.get("calendars", []):
                cid = self.add_calendar(
                    email, cal["summary"], cal.get("timezone"), cal.get("access_role", "owner"), cal.get("id")
                )
                for body in cal.get("events", []):
                    self.add_event(email, cid, body)
            for body in acc.get("contacts", []):
                self.add_contact(email, body)
        if data.get("consent_account"):
            self.set_consent_account(data["consent_account"])  # type: ignore[attr-defined]
