"""Event and contact bodies shaped the way Google itself shapes them (pure functions, no state).

Sources per shape:
- invitation: Calendar v3 reference, Event.organizer/attendees (the organizer's own attendee entry has
  `organizer: true`; on the guest's copy `organizer.self` is absent and the guest's entry has `self: true`).
- birthday: the "Event types" guide (all-day, RRULE:FREQ=YEARLY or BYMONTH=2;BYMONTHDAY=-1 for 29 February,
  private, transparent, birthdayProperties {type, contact: "people/c..."}); calendar.v3.json
  EventBirthdayProperties.
- workingLocation: guides/calendar-status and EventWorkingLocationProperties (type homeOffice /
  officeLocation / customLocation with the matching sub-object; transparent and public).
- outOfOffice / focusTime: EventOutOfOfficeProperties / EventFocusTimeProperties (autoDeclineMode,
  declineMessage, chatStatus); always timed: an "all day" out-of-office from Google's UI is stored as a
  midnight-to-midnight timed span (macro-inc/macro#6474, phw198/OutlookGoogleCalendarSync#2366).
- fromGmail: a recorded Gmail flight event (a 2019 events.list response kept in the comments of a public
  repository's alarm_prediction_app/views.py): organizer unknownorganizer@calendar.google.com, the user
  as creator and accepted attendee, privateCopy, transparent, private, guestsCanInviteOthers false, a
  `source` pointing at the mail, reminders not default; eventType "fromGmail" since 2024 (Google
  Workspace Updates, "Google Calendar API event type fromGmail").
- person: People v1 Person (names, emailAddresses/phoneNumbers with `type`, birthdays with a `date`).
Must never import anything outside the emulator package.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..ids import new_event_id
from ..timeutil import zone

GMAIL_ORGANIZER = "unknownorganizer@calendar.google.com"
GMAIL_DESCRIPTION = (
    "To see detailed information for automatically created events like this one, use the official "
    "Google Calendar app. https://g.co/calendar\n\nThis event was created from an email you received in "
    "Gmail. {url}\n"
)
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def when(value: Any, tz: str | None = None) -> dict[str, str]:
    """An EventDateTime from a dict (kept), `YYYY-MM-DD` (all-day) or an ISO date-time (timed)."""
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, dt.datetime):
        out = {"dateTime": value.isoformat()}
    elif isinstance(value, dt.date):
        return {"date": value.isoformat()}
    elif isinstance(value, str) and len(value) == 10:
        return {"date": value}
    else:
        out = {"dateTime": str(value)}
    if tz:
        out["timeZone"] = tz
    return out


def _day(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _optional(**fields: Any) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v is not None}


def invitation(
    account: str,
    *,
    organizer: str,
    organizer_name: str | None,
    summary: str | None,
    start: Any,
    end: Any,
    tz: str | None = None,
    response: str = "needsAction",
    others: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    person = _optional(email=organizer.lower(), displayName=organizer_name)
    attendees = [
        {**person, "responseStatus": "accepted"},
        {"email": account.lower(), "responseStatus": response},
        *[dict(o) for o in others or []],
    ]
    body = _optional(summary=summary, **extra)
    body.update(
        start=when(start, tz), end=when(end, tz), organizer=person, creator=dict(person), attendees=attendees
    )
    return body


def birthday(
    *, name: str, date: Any, contact: str | None = None, kind: str = "birthday", summary: str | None = None
) -> dict[str, Any]:
    day = _day(date)
    leap = (day.month, day.day) == (2, 29)
    props = _optional(type=kind, contact=contact)
    return {
        "eventType": "birthday",
        "summary": summary or (f"{name}'s birthday" if kind != "self" else "Happy birthday!"),
        "start": {"date": day.isoformat()},
        "end": {"date": (day + dt.timedelta(days=1)).isoformat()},
        "recurrence": ["RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1" if leap else "RRULE:FREQ=YEARLY"],
        "transparency": "transparent",
        "visibility": "private",
        "birthdayProperties": props,
    }


def working_location(
    *,
    start: Any,
    kind: str = "homeOffice",
    label: str | None = None,
    days: str = "MO,TU,WE,TH,FR",
    until: str | None = None,
    count: int | None = None,
    end: Any = None,
    tz: str | None = None,
) -> dict[str, Any]:
    """A weekday series (all-day unless `start`/`end` are date-times) as Google Calendar's
    "Working location" setting creates it."""
    if kind == "homeOffice":
        props: dict[str, Any] = {"type": kind, "homeOffice": {}}
        summary = "Home"
    elif kind == "officeLocation":
        props = {"type": kind, "officeLocation": {"label": label or "Office"}}
        summary = label or "Office"
    else:
        props = {"type": "customLocation", "customLocation": {"label": label or "Elsewhere"}}
        summary = label or "Elsewhere"
    first = when(start, tz)
    last = when(end, tz) if end is not None else None
    if last is None:
        last = (
            {"date": (_day(first["date"]) + dt.timedelta(days=1)).isoformat()} if "date" in first else first
        )
    rule = f"RRULE:FREQ=WEEKLY;BYDAY={days}"
    rule += f";UNTIL={until}" if until else f";COUNT={count}" if count else ""
    return {
        "eventType": "workingLocation",
        "summary": summary,
        "start": first,
        "end": last,
        "recurrence": [rule] if days else None,
        "transparency": "transparent",
        "visibility": "public",
        "workingLocationProperties": props,
        "reminders": {"useDefault": False},
    }


def whole_days(first: Any, last: Any, tz: str) -> tuple[dict[str, str], dict[str, str]]:
    """Midnight-to-midnight timed span (Google's "all day" out of office) from dates; date-times kept."""
    start, end = when(first, tz), when(last, tz)
    zone_info = zone(tz)
    if "date" in start:
        start = {
            "dateTime": dt.datetime.combine(_day(start["date"]), dt.time(), zone_info).isoformat(),
            "timeZone": tz,
        }
    if "date" in end:
        end = {
            "dateTime": dt.datetime.combine(_day(end["date"]), dt.time(), zone_info).isoformat(),
            "timeZone": tz,
        }
    return start, end


def out_of_office(
    *,
    start: Any,
    end: Any,
    tz: str,
    summary: str = "Out of office",
    decline: str = "declineAllConflictingInvitations",
    message: str = "Declined because I am out of office",
) -> dict[str, Any]:
    first, last = whole_days(start, end, tz)
    return {
        "eventType": "outOfOffice",
        "summary": summary,
        "start": first,
        "end": last,
        "transparency": "opaque",
        "outOfOfficeProperties": {"autoDeclineMode": decline, "declineMessage": message},
        "reminders": {"useDefault": False},
    }


def focus_time(
    *,
    start: Any,
    end: Any,
    tz: str,
    summary: str = "Focus time",
    decline: str = "declineOnlyNewConflictingInvitations",
    chat: str = "doNotDisturb",
    message: str = "Declined because I am in focus time.",
) -> dict[str, Any]:
    return {
        "eventType": "focusTime",
        "summary": summary,
        "start": when(start, tz),
        "end": when(end, tz),
        "transparency": "opaque",
        "focusTimeProperties": {"autoDeclineMode": decline, "chatStatus": chat, "declineMessage": message},
        "reminders": {"useDefault": False},
    }


def from_gmail(
    account: str, *, summary: str, start: Any, end: Any, tz: str | None = None, location: str | None = None
) -> dict[str, Any]:
    url = f"https://mail.google.com/mail?extsrc=cal&plid=ACUX6D{new_event_id()[:24]}"
    body = _optional(location=location)
    body.update(
        {
            "id": "_" + new_event_id() + new_event_id(),
            "iCalUID": new_event_id() + new_event_id()[:20],
            "eventType": "fromGmail",
            "summary": summary,
            "description": GMAIL_DESCRIPTION.format(url=url),
            "start": when(start, tz),
            "end": when(end, tz),
            "organizer": {"email": GMAIL_ORGANIZER},
            "creator": {"email": account.lower()},
            "attendees": [{"email": account.lower(), "responseStatus": "accepted"}],
            "privateCopy": True,
            "transparency": "transparent",
            "visibility": "private",
            "guestsCanInviteOthers": False,
            "reminders": {"useDefault": False},
            "source": {"title": "", "url": url},
        }
    )
    return body


def person(
    name: str,
    *,
    emails: list[str] | None = None,
    phones: list[str] | None = None,
    birthday: str | None = None,
    organization: str | None = None,
) -> dict[str, Any]:
    """A People `Person` body as Google Contacts stores a contact typed in by a person."""
    given, _, family = name.strip().partition(" ")
    names = [_optional(givenName=given or None, familyName=family or None)]
    body: dict[str, Any] = {"names": names}
    if emails:
        kinds = ("home", "work", "other")
        body["emailAddresses"] = [{"value": e, "type": kinds[min(i, 2)]} for i, e in enumerate(emails)]
    if phones:
        kinds = ("mobile", "home", "work")
        body["phoneNumbers"] = [{"value": p, "type": kinds[min(i, 2)]} for i, p in enumerate(phones)]
    if birthday:
        parts = [int(x) for x in birthday.lstrip("-").split("-")]
        date = (
            dict(zip(("year", "month", "day"), parts, strict=True))
            if len(parts) == 3
            else {"month": parts[0], "day": parts[1]}
        )
        body["birthdays"] = [{"date": date}]
    if organization:
        body["organizations"] = [{"name": organization}]
    return body


def weekdays_ok(days: str) -> bool:
    return all(d in WEEKDAYS for d in days.split(",")) if days else True
