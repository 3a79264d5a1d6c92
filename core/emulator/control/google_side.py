"""Control methods that make what Google, Gmail and Google Contacts put into a real account: invitations
from someone else, birthdays, working-location series, out-of-office and focus-time blocks, Gmail events,
contacts typed in by a person; and a guest answering an invitation from their phone.

Bodies come from shapes.py (sources named there); they are stored "as Google" (world.add_event), so the
API's restrictions (fromGmail cannot be created, birthdays linked to contacts, ...) do not apply here.
Must never import anything outside the emulator package.
"""

from __future__ import annotations

from typing import Any

from ..errors import ControlError
from . import shapes
from .world import WorldControl


class GoogleSideControl(WorldControl):
    def _zone_of(self, email: str) -> str:
        return self._account(email).timezone

    def add_invitation(
        self,
        email: str,
        *,
        organizer: str,
        start: Any,
        end: Any,
        summary: str | None = None,
        organizer_name: str | None = None,
        response: str = "needsAction",
        others: list[dict[str, Any]] | None = None,
        calendar_id: str = "primary",
        **extra: Any,
    ) -> dict[str, Any]:
        """An event organized by `organizer` (not on this account) that `email` is invited to, on their
        calendar: organizer elsewhere, the organizer's attendee entry accepted, `email`'s with `response`.
        `extra` adds event fields (description, location, recurrence, id, conferenceData, ...)."""
        if organizer.lower() == email.lower():
            raise ControlError("an invitation's organizer must be someone else")
        if response not in ("needsAction", "accepted", "tentative", "declined"):
            raise ControlError(f"bad responseStatus {response!r}")
        tz = extra.pop("timezone", None) or (self._zone_of(email) if extra.get("recurrence") else None)
        body = shapes.invitation(
            email,
            organizer=organizer,
            organizer_name=organizer_name,
            summary=summary,
            start=start,
            end=end,
            tz=tz,
            response=response,
            others=others,
            **extra,
        )
        return self.add_event(email, calendar_id, body)

    def respond(
        self, email: str, event_id: str, response: str, calendar_id: str = "primary"
    ) -> dict[str, Any]:
        """`email` answers an invitation (from their phone): only their own attendee entry changes."""
        current = self.get_event(email, calendar_id, event_id)
        attendees = current.get("attendees") or []
        if not any(a.get("self") for a in attendees):
            raise ControlError(f"{email} is not a guest of {event_id}")
        answered = [{**a, "responseStatus": response} if a.get("self") else a for a in attendees]
        return self.update_event(email, calendar_id, event_id, {"attendees": answered})

    def add_birthday(
        self,
        email: str,
        *,
        date: str,
        name: str | None = None,
        contact: str | None = None,
        kind: str = "birthday",
        summary: str | None = None,
    ) -> dict[str, Any]:
        """A yearly birthday as Google Contacts syncs it (`contact`: its resourceName, whose name is used
        when `name` is not given); without a contact, one typed into Google Calendar by hand."""
        if contact is not None:
            if not contact.startswith("people/"):
                contact = f"people/{contact}"
            if name is None:
                found = [c for c in self.contacts(email) if c["resourceName"] == contact]
                if not found:
                    raise ControlError(f"unknown contact {contact!r}")
                name = found[0].get("names", [{}])[0].get("displayName") or contact
        if kind not in ("birthday", "anniversary", "custom", "other", "self"):
            raise ControlError(f"bad birthday kind {kind!r}")
        body = shapes.birthday(name=name or "Someone", date=date, contact=contact, kind=kind, summary=summary)
        return self.add_event(email, "primary", body)

    def add_working_location(
        self,
        email: str,
        *,
        start: Any,
        kind: str = "homeOffice",
        label: str | None = None,
        days: str = "MO,TU,WE,TH,FR",
        until: str | None = None,
        count: int | None = None,
        end: Any = None,
    ) -> dict[str, Any]:
        """A working-location series on the primary calendar (all-day on weekdays by default)."""
        if kind not in ("homeOffice", "officeLocation", "customLocation"):
            raise ControlError(f"bad working location type {kind!r}")
        if not shapes.weekdays_ok(days):
            raise ControlError(f"bad days {days!r}: use MO,TU,WE,TH,FR,SA,SU")
        body = shapes.working_location(
            start=start,
            kind=kind,
            label=label,
            days=days,
            until=until,
            count=count,
            end=end,
            tz=self._zone_of(email),
        )
        return self.add_event(email, "primary", body)

    def add_out_of_office(self, email: str, *, start: Any, end: Any, **options: Any) -> dict[str, Any]:
        """Out of office on the primary calendar; dates become a midnight-to-midnight timed span."""
        body = shapes.out_of_office(start=start, end=end, tz=self._zone_of(email), **options)
        return self.add_event(email, "primary", body)

    def add_focus_time(self, email: str, *, start: Any, end: Any, **options: Any) -> dict[str, Any]:
        body = shapes.focus_time(start=start, end=end, tz=self._zone_of(email), **options)
        return self.add_event(email, "primary", body)

    def add_from_gmail(
        self, email: str, *, summary: str, start: Any, end: Any, location: str | None = None
    ) -> dict[str, Any]:
        """An event Gmail made from a reservation email (a flight, a table): eventType fromGmail."""
        body = shapes.from_gmail(email, summary=summary, start=start, end=end, location=location)
        return self.add_event(email, "primary", body)

    def add_person(
        self,
        email: str,
        name: str,
        *,
        emails: list[str] | None = None,
        phones: list[str] | None = None,
        birthday: str | None = None,
        organization: str | None = None,
    ) -> dict[str, Any]:
        """A contact as a person types it into Google Contacts (several emails/phones, a birthday)."""
        body = shapes.person(name, emails=emails, phones=phones, birthday=birthday, organization=organization)
        return self.add_contact(email, body)
