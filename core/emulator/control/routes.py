"""The control API over HTTP: JSON endpoints under `/_emulator/...` (alias `/control/...`) mirroring the
Controller methods. This module holds the endpoints for accounts, calendars,
events, contacts, OAuth, faults, tokens and counters; routes_google.py adds the Google-shaped ones.
Errors answer 400 `{"error": "..."}` (API validation errors keep Google's shape). Must never import
anything outside the emulator package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..wire import Request, Router
from .ops import DEFAULT_SCOPES
from .routes_google import add_google_routes
from .routing import P, Route, flag, route_maker

if TYPE_CHECKING:
    from . import Controller

def control_router(ctl: Controller) -> Router:
    """Every control endpoint (see routes_google.py for invitations, special event types, people,
    requests and quota)."""
    r = Router()
    route = route_maker(r)
    add_world_routes(ctl, route)
    add_ops_routes(ctl, route)
    add_google_routes(ctl, route)
    return r


def add_world_routes(ctl: Controller, route: Route) -> None:
    EV = P + "/accounts/{email}/calendars/{calendar}/events"

    @route("GET", P)
    def info(req: Request) -> Any:
        return {"url": ctl.url, "accounts": len(ctl.state.accounts), "faults": ctl.faults()}

    @route("GET", P + "/accounts")
    def accounts(req: Request) -> Any:
        return ctl.accounts()

    @route("POST", P + "/accounts")
    def add_account(req: Request) -> Any:
        b = req.json()
        return ctl.add_account(b["email"], b.get("name"), b.get("timezone", "UTC"))

    @route("GET", P + "/accounts/{email}/calendars")
    def calendars(req: Request, email: str) -> Any:
        return ctl.calendars(email)

    @route("POST", P + "/accounts/{email}/calendars")
    def add_calendar(req: Request, email: str) -> Any:
        b = req.json()
        cid = ctl.add_calendar(
            email,
            b["summary"],
            b.get("timezone"),
            b.get("access_role", "owner"),
            b.get("calendar_id"),
            b.get("description", ""),
        )
        return {"id": cid}

    @route("DELETE", P + "/calendars/{calendar}")
    def delete_calendar(req: Request, calendar: str) -> Any:
        ctl.delete_calendar(calendar)
        return {}

    @route("GET", EV)
    def list_events(req: Request, email: str, calendar: str) -> Any:
        return ctl.events(
            email,
            calendar,
            flag(req, "include_cancelled"),
            single_events=flag(req, "single_events"),
            time_min=req.arg("time_min"),
            time_max=req.arg("time_max"),
        )

    @route("POST", EV)
    def add_event(req: Request, email: str, calendar: str) -> Any:
        return ctl.add_event(email, calendar, req.json())

    @route("GET", EV + "/{event}")
    def get_event(req: Request, email: str, calendar: str, event: str) -> Any:
        return ctl.get_event(email, calendar, event)

    @route("PATCH", EV + "/{event}")
    def patch_event(req: Request, email: str, calendar: str, event: str) -> Any:
        return ctl.update_event(email, calendar, event, req.json())

    @route("PUT", EV + "/{event}")
    def put_event(req: Request, email: str, calendar: str, event: str) -> Any:
        return ctl.update_event(email, calendar, event, req.json(), replace=True)

    @route("DELETE", EV + "/{event}")
    def delete_event(req: Request, email: str, calendar: str, event: str) -> Any:
        ctl.delete_event(email, calendar, event)
        return {}

    @route("GET", P + "/accounts/{email}/contacts")
    def contacts(req: Request, email: str) -> Any:
        return ctl.contacts(email, flag(req, "include_deleted"))

    @route("POST", P + "/accounts/{email}/contacts")
    def add_contact(req: Request, email: str) -> Any:
        return ctl.add_contact(email, req.json())

    @route("PATCH", P + "/accounts/{email}/contacts/{person+}")
    def update_contact(req: Request, email: str, person: str) -> Any:
        return ctl.update_contact(email, person, req.json())

    @route("DELETE", P + "/accounts/{email}/contacts/{person+}")
    def delete_contact(req: Request, email: str, person: str) -> Any:
        ctl.delete_contact(email, person)
        return {}


def add_ops_routes(ctl: Controller, route: Route) -> None:
    @route("POST", P + "/accounts/{email}/revoke")
    def revoke(req: Request, email: str) -> Any:
        return {"revoked": ctl.revoke_grant(email, req.json().get("client_id"))}

    @route("POST", P + "/accounts/{email}/authorize")
    def authorize(req: Request, email: str) -> Any:
        b = req.json()
        return ctl.authorize(email, b["client_id"], b.get("scopes", DEFAULT_SCOPES))

    @route("POST", P + "/clients")
    def register_client(req: Request) -> Any:
        b = req.json()
        return ctl.register_client(b["client_id"], b["client_secret"], b.get("redirect_uris", ()))

    @route("GET", P + "/clients/{client}")
    def client_secrets(req: Request, client: str) -> Any:
        return ctl.client_secrets(client)

    @route("POST", P + "/consent")
    def consent(req: Request) -> Any:
        b = req.json()
        ctl.set_consent_account(b.get("email"), deny=bool(b.get("deny", False)))
        return {}

    @route("GET", P + "/faults")
    def faults(req: Request) -> Any:
        return ctl.faults()

    @route("POST", P + "/faults")
    def add_fault(req: Request) -> Any:
        b = req.json()
        kind = b.pop("kind")
        return {"id": ctl.inject_fault(kind, **b)}

    @route("DELETE", P + "/faults")
    def clear_faults(req: Request) -> Any:
        ctl.clear_faults()
        return {}

    @route("POST", P + "/sync-tokens/invalidate")
    def invalidate(req: Request) -> Any:
        b = req.json()
        ctl.invalidate_sync_tokens(
            b.get("email"), calendar=b.get("calendar", True), people=b.get("people", True)
        )
        return {}

    @route("POST", P + "/tokens/expire")
    def expire(req: Request) -> Any:
        return {"expired": ctl.expire_access_tokens(req.json().get("email"))}

    @route("POST", P + "/token-ttl")
    def token_ttl(req: Request) -> Any:
        ctl.token_ttl = float(req.json()["seconds"])
        return {"token_ttl": ctl.token_ttl}

    @route("GET", P + "/counts")
    def counts(req: Request) -> Any:
        return ctl.request_counts(req.arg("email") or req.arg("account"), project=req.arg("project"))

    @route("DELETE", P + "/counts")
    def reset_counts(req: Request) -> Any:
        ctl.reset_counts(req.arg("email"))
        return {}

    @route("POST", P + "/seed")
    def seed(req: Request) -> Any:
        ctl.load_seed(req.json())
        return {}
