"""Calendar v3 over HTTP: calendarList, calendars and events routes, access control per account."""

from __future__ import annotations

from typing import Any

from . import events, listing, series
from .errors import ApiError, bad_request, not_found
from .ids import new_calendar_id, new_etag
from .oauth import Auth
from .render import render
from .state import ACCESS_ROLES, WRITE_ROLES, Account, CalendarData, EmulatorState
from .timeutil import check_zone, now_utc, rfc3339_ms
from .wire import Request, Response, Router

PREFIX = "/calendar/v3"
MAX_LIST_CALENDARS = 250


def create_calendar(
    state: EmulatorState,
    account: Account,
    summary: str,
    *,
    timezone: str | None = None,
    access_role: str = "owner",
    calendar_id: str | None = None,
    description: str = "",
) -> CalendarData:
    """Add a calendar to an account's list; an existing `calendar_id` is shared with that role instead."""
    if access_role not in ACCESS_ROLES:
        raise bad_request(f"Invalid access role {access_role!r}; expected one of {ACCESS_ROLES}.")
    cal = state.calendars.get(calendar_id) if calendar_id else None
    if cal is None:
        tz = check_zone(timezone or account.timezone)
        cal = CalendarData(
            calendar_id or new_calendar_id(),
            summary,
            tz,
            description,
            etag=new_etag(),
            updated=rfc3339_ms(now_utc()),
        )
        state.calendars[cal.id] = cal
    cal.deleted = False
    cal.acl[account.email] = access_role
    if cal.id not in account.calendar_ids:
        account.calendar_ids.append(cal.id)
    return cal


def list_entry(cal: CalendarData, email: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "kind": "calendar#calendarListEntry",
        "etag": cal.etag,
        "id": cal.id,
        "summary": cal.summary,
        "timeZone": cal.timezone,
        "colorId": "14",
        "backgroundColor": "#9fe1e7",
        "foregroundColor": "#000000",
        "selected": True,
        "accessRole": cal.acl.get(email, "none"),
        "defaultReminders": [],
        "conferenceProperties": {"allowedConferenceSolutionTypes": ["hangoutsMeet"]},
    }
    if cal.description:
        entry["description"] = cal.description
    if cal.id == email:
        entry["primary"] = True
    return entry


def calendar_resource(cal: CalendarData) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kind": "calendar#calendar",
        "etag": cal.etag,
        "id": cal.id,
        "summary": cal.summary,
        "timeZone": cal.timezone,
        "conferenceProperties": {"allowedConferenceSolutionTypes": ["hangoutsMeet"]},
    }
    if cal.description:
        out["description"] = cal.description
    return out


def _event_response(rec_json: dict[str, Any]) -> Response:
    return Response.json(rec_json, headers={"ETag": rec_json["etag"]})


class CalendarApi:
    def __init__(self, state: EmulatorState) -> None:
        self.state = state
        r = self.router = Router()
        r.add("GET", PREFIX + "/users/me/calendarList", self.calendar_list)
        r.add("GET", PREFIX + "/users/me/calendarList/{calendarId}", self.calendar_list_get)
        r.add("POST", PREFIX + "/calendars", self.calendar_insert)
        r.add("GET", PREFIX + "/calendars/{calendarId}", self.calendar_get)
        r.add("DELETE", PREFIX + "/calendars/{calendarId}", self.calendar_delete)
        r.add("GET", PREFIX + "/calendars/{calendarId}/events", self.events_list)
        r.add("POST", PREFIX + "/calendars/{calendarId}/events", self.events_insert)
        r.add("GET", PREFIX + "/calendars/{calendarId}/events/{eventId}/instances", self.events_instances)
        r.add("GET", PREFIX + "/calendars/{calendarId}/events/{eventId}", self.events_get)
        r.add("PUT", PREFIX + "/calendars/{calendarId}/events/{eventId}", self.events_update)
        r.add("PATCH", PREFIX + "/calendars/{calendarId}/events/{eventId}", self.events_patch)
        r.add("DELETE", PREFIX + "/calendars/{calendarId}/events/{eventId}", self.events_delete)

    def handle(self, auth: Auth, req: Request) -> Response:
        handler, params = self.router.match(req.method, req.path)
        with self.state.lock:
            return handler(auth, req, **params)

    # ---------------------------------------------------------------- access
    def access(self, auth: Auth, calendar_id: str, *, write: bool = False) -> tuple[CalendarData, str]:
        """The calendar and the caller's role; 404 for calendars the account cannot see (or deleted)."""
        auth.require("calendar", write)
        cid = auth.email if calendar_id == "primary" else calendar_id
        cal = self.state.calendars.get(cid) or self.state.calendars.get(cid.lower())
        role = cal.acl.get(auth.email) if cal else None
        if cal is None or cal.deleted or role is None:
            raise not_found()
        if write and role not in WRITE_ROLES:
            raise ApiError(
                403,
                "requiredAccessLevel",
                "You need to have writer access to this calendar.",
                domain="calendar",
            )
        return cal, role

    # ---------------------------------------------------------------- calendars
    def calendar_list(self, auth: Auth, req: Request) -> Response:
        auth.require("calendar")
        account = self.state.account(auth.email)
        cals = [self.state.calendars[c] for c in (account.calendar_ids if account else [])]
        cals = [c for c in cals if not c.deleted and auth.email in c.acl]
        min_role = req.arg("minAccessRole")
        if min_role:
            if min_role not in ACCESS_ROLES:
                raise bad_request(f"Invalid minAccessRole {min_role!r}.", location="minAccessRole")
            rank = {"freeBusyReader": 0, "reader": 1, "writer": 2, "owner": 3}
            cals = [c for c in cals if rank[c.acl[auth.email]] >= rank[min_role]]
        size = max(1, min(req.int_arg("maxResults", 100), MAX_LIST_CALENDARS))
        offset = max(0, req.int_arg("pageToken", 0))
        body: dict[str, Any] = {
            "kind": "calendar#calendarList",
            "etag": new_etag(),
            "items": [list_entry(c, auth.email) for c in cals[offset : offset + size]],
        }
        if offset + size < len(cals):
            body["nextPageToken"] = str(offset + size)
        return Response.json(body)

    def calendar_list_get(self, auth: Auth, req: Request, calendarId: str) -> Response:
        cal, _ = self.access(auth, calendarId)
        return Response.json(list_entry(cal, auth.email))

    def calendar_get(self, auth: Auth, req: Request, calendarId: str) -> Response:
        cal, _ = self.access(auth, calendarId)
        return Response.json(calendar_resource(cal))

    def calendar_insert(self, auth: Auth, req: Request) -> Response:
        auth.require("calendar", write=True)
        body = req.json()
        if not body.get("summary"):
            raise bad_request("Missing summary.", "required", location="summary")
        account = self.state.account(auth.email)
        if account is None:
            raise not_found()
        cal = create_calendar(
            self.state,
            account,
            body["summary"],
            timezone=body.get("timeZone"),
            description=body.get("description", ""),
        )
        return Response.json(calendar_resource(cal))

    def calendar_delete(self, auth: Auth, req: Request, calendarId: str) -> Response:
        cal, role = self.access(auth, calendarId, write=True)
        if cal.id == auth.email:
            raise bad_request("Cannot delete a primary calendar.", "cannotDeletePrimaryCalendar")
        if role != "owner":
            raise ApiError(
                403,
                "requiredAccessLevel",
                "You need to have owner access to this calendar.",
                domain="calendar",
            )
        cal.deleted = True
        return Response.empty()

    # ---------------------------------------------------------------- events
    def events_list(self, auth: Auth, req: Request, calendarId: str) -> Response:
        cal, role = self.access(auth, calendarId)
        body = listing.list_events(
            cal, listing.parse_query(req), viewer=auth.email, role=role, nonce=self.state.nonce
        )
        return Response.json(body)

    def events_instances(self, auth: Auth, req: Request, calendarId: str, eventId: str) -> Response:
        cal, role = self.access(auth, calendarId)
        master = cal.events.get(eventId)
        if master is None:
            raise not_found()
        body = listing.list_instances(
            cal, master, listing.parse_query(req), viewer=auth.email, role=role, nonce=self.state.nonce
        )
        return Response.json(body)

    def events_get(self, auth: Auth, req: Request, calendarId: str, eventId: str) -> Response:
        cal, _ = self.access(auth, calendarId)
        rec = series.resolve(cal, eventId)
        if rec is None:
            raise not_found()
        return _event_response(render(rec, cal, auth.email, req.arg("timeZone")))

    def events_insert(self, auth: Auth, req: Request, calendarId: str) -> Response:
        cal, _ = self.access(auth, calendarId, write=True)
        rec = events.insert(cal, req.json(), actor=auth.email, primary=cal.id == auth.email)
        return _event_response(render(rec, cal, auth.email))

    def _write(self, auth: Auth, req: Request, calendar_id: str, event_id: str, patch: bool) -> Response:
        cal, _ = self.access(auth, calendar_id, write=True)
        rec = events.update(
            cal, event_id, req.json(), actor=auth.email, patch=patch, if_match=req.header("if-match")
        )
        return _event_response(render(rec, cal, auth.email))

    def events_update(self, auth: Auth, req: Request, calendarId: str, eventId: str) -> Response:
        return self._write(auth, req, calendarId, eventId, patch=False)

    def events_patch(self, auth: Auth, req: Request, calendarId: str, eventId: str) -> Response:
        return self._write(auth, req, calendarId, eventId, patch=True)

    def events_delete(self, auth: Auth, req: Request, calendarId: str, eventId: str) -> Response:
        cal, _ = self.access(auth, calendarId, write=True)
        events.delete(cal, eventId, if_match=req.header("if-match"))
        return Response.empty()
