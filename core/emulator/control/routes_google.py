"""Control endpoints for what Google puts into an account, and for request counters and quotas.

    POST   /_emulator/accounts/{email}/invitations        {"organizer", "start", "end", "summary"?, ...}
    POST   /_emulator/accounts/{email}/invitations/{event}/response   {"response": "accepted"}
    POST   /_emulator/accounts/{email}/birthdays          {"date", "contact"? | "name"?, "kind"?}
    POST   /_emulator/accounts/{email}/working-location   {"start", "kind"?, "label"?, "days"?, ...}
    POST   /_emulator/accounts/{email}/out-of-office      {"start", "end", "summary"?, "message"?}
    POST   /_emulator/accounts/{email}/focus-time         {"start", "end", ...}
    POST   /_emulator/accounts/{email}/from-gmail         {"summary", "start", "end", "location"?}
    POST   /_emulator/accounts/{email}/people             {"name", "emails"?, "phones"?, "birthday"?}
    GET    /_emulator/requests?account=|project=&window=60   counters (totals, window, per account/project)
    DELETE /_emulator/requests?account=                    reset counters
    GET/POST /_emulator/quota   {"per_user_per_minute"?, "per_project_per_minute"?, "retry_after"?}

Google-side edits and deletes of any event are the generic PATCH/PUT/DELETE
/_emulator/accounts/{email}/calendars/{calendar}/events/{event} (routes.py). Must never import anything
outside the emulator package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..wire import Request
from .routing import P, Route

if TYPE_CHECKING:
    from . import Controller

ACC = P + "/accounts/{email}"


def _options(body: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {k: body[k] for k in names if k in body}


def add_google_routes(ctl: Controller, route: Route) -> None:
    @route("POST", ACC + "/invitations")
    def invitation(req: Request, email: str) -> Any:
        b = req.json()
        organizer, start, end = b.pop("organizer"), b.pop("start"), b.pop("end")
        if isinstance(organizer, dict):
            b.setdefault("organizer_name", organizer.get("displayName"))
            organizer = organizer["email"]
        return ctl.add_invitation(email, organizer=organizer, start=start, end=end, **b)

    @route("POST", ACC + "/invitations/{event}/response")
    def response(req: Request, email: str, event: str) -> Any:
        b = req.json()
        return ctl.respond(email, event, b["response"], b.get("calendar_id", "primary"))

    @route("POST", ACC + "/birthdays")
    def birthday(req: Request, email: str) -> Any:
        b = req.json()
        return ctl.add_birthday(email, date=b["date"], **_options(b, ("name", "contact", "kind", "summary")))

    @route("POST", ACC + "/working-location")
    def working_location(req: Request, email: str) -> Any:
        b = req.json()
        names = ("kind", "label", "days", "until", "count", "end")
        return ctl.add_working_location(email, start=b["start"], **_options(b, names))

    @route("POST", ACC + "/out-of-office")
    def out_of_office(req: Request, email: str) -> Any:
        b = req.json()
        names = ("summary", "decline", "message")
        return ctl.add_out_of_office(email, start=b["start"], end=b["end"], **_options(b, names))

    @route("POST", ACC + "/focus-time")
    def focus_time(req: Request, email: str) -> Any:
        b = req.json()
        names = ("summary", "decline", "chat", "message")
        return ctl.add_focus_time(email, start=b["start"], end=b["end"], **_options(b, names))

    @route("POST", ACC + "/from-gmail")
    def from_gmail(req: Request, email: str) -> Any:
        b = req.json()
        return ctl.add_from_gmail(
            email, summary=b["summary"], start=b["start"], end=b["end"], location=b.get("location")
        )

    @route("POST", ACC + "/people")
    def person(req: Request, email: str) -> Any:
        b = req.json()
        names = ("emails", "phones", "birthday", "organization")
        return ctl.add_person(email, b["name"], **_options(b, names))

    @route("GET", P + "/requests")
    def requests(req: Request) -> Any:
        account = req.arg("account") or req.arg("email")
        window = float(req.arg("window") or 60)
        return ctl.request_report(account, project=req.arg("project"), window=window)

    @route("DELETE", P + "/requests")
    def reset_requests(req: Request) -> Any:
        ctl.reset_counts(req.arg("account") or req.arg("email"))
        return {}

    @route("GET", P + "/quota")
    def quota(req: Request) -> Any:
        return ctl.request_report(window=60.0)["limits"]

    @route("POST", P + "/quota")
    def set_quota(req: Request) -> Any:
        b = req.json()
        names = ("per_user_per_minute", "per_project_per_minute", "retry_after")
        return ctl.set_quota(**_options(b, names))
