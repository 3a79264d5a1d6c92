"""The control surface: what tests, benchmarks and demos use to shape the emulated Google world.

`Controller` is the Python API (GoogleEmulator inherits it); `control_router` exposes the same methods as
JSON over HTTP under `/_emulator/...`. Changes made here act "as a Google user would" (say, editing on a
phone): they bump etag/updated/sequence and show up in sync results, but ignore access roles.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from . import events, people
from .calendar import create_calendar, list_entry
from .errors import ApiError, ControlError
from .oauth import OAuthServer
from .state import COUNT_KINDS, Account, CalendarData, EmulatorState, OAuthClient
from .timeutil import check_zone, parse_datetime
from .wire import Request, Response, Router

DEFAULT_SCOPES = (
    "https://www.googleapis.com/auth/calendar",
    "https://www.googleapis.com/auth/contacts.readonly",
)


class Controller:
    """Python control API of the emulator. All methods are thread-safe."""

    def __init__(self, token_ttl: float = 3600.0) -> None:
        self.state = EmulatorState(token_ttl)
        self._oauth = OAuthServer(self.state)
        self._base_url = ""

    @property
    def url(self) -> str:
        """Base URL, e.g. `http://127.0.0.1:PORT` (no trailing slash)."""
        return self._base_url

    # ------------------------------------------------------------------ accounts and calendars
    @property
    def token_ttl(self) -> float:
        return self.state.token_ttl

    @token_ttl.setter
    def token_ttl(self, seconds: float) -> None:
        """Lifetime of access tokens minted from now on."""
        self.state.token_ttl = float(seconds)

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
        """Create an event as `email` would in Google Calendar (body as for events.insert; `id` optional)."""
        with self.state.lock:
            cal = self._calendar(email, calendar_id)
            rec = self._check(lambda: events.insert(cal, body, actor=email.lower()))
            return events.render(rec, cal, email.lower())

    def get_event(self, email: str, calendar_id: str, event_id: str) -> dict[str, Any]:
        with self.state.lock:
            cal = self._calendar(email, calendar_id)
            rec = events.resolve(cal, event_id)
            if rec is None:
                raise ControlError(f"unknown event {event_id!r}")
            return events.render(rec, cal, email.lower())

    def update_event(
        self, email: str, calendar_id: str, event_id: str, changes: dict[str, Any], *, replace: bool = False
    ) -> dict[str, Any]:
        """Edit an event (patch semantics unless `replace`); always bumps etag, updated and sequence.
        An instance id (`{id}_{20260105T150000Z}`) edits that occurrence only."""
        with self.state.lock:
            cal = self._calendar(email, calendar_id)
            rec = self._check(
                lambda: events.update(
                    cal, event_id, changes, actor=email.lower(), patch=not replace, bump_sequence=True
                )
            )
            return events.render(rec, cal, email.lower())

    def delete_event(self, email: str, calendar_id: str, event_id: str) -> None:
        """Delete (cancel) an event or one occurrence of a series."""
        with self.state.lock:
            cal = self._calendar(email, calendar_id)
            self._check(lambda: events.delete(cal, event_id))

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
                    found = events.instances(
                        cal, rec, time_min=lo, time_max=hi, include_cancelled=include_cancelled
                    )
                    out += [events.render(i, cal, email.lower()) for i in found]
                elif include_cancelled or not rec.cancelled:
                    out.append(events.render(rec, cal, email.lower()))
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

    # ------------------------------------------------------------------ OAuth
    def register_client(
        self, client_id: str, client_secret: str, redirect_uris: Iterable[str] = ()
    ) -> dict[str, Any]:
        """Register an OAuth client; returns its client-secrets dict (`{"installed": {...}}`).
        Loopback http redirect URIs are always accepted; others must be listed in `redirect_uris`."""
        with self.state.lock:
            self.state.clients[client_id] = OAuthClient(client_id, client_secret, list(redirect_uris))
        return self.client_secrets(client_id)

    def client_secrets(self, client_id: str) -> dict[str, Any]:
        """The client-secrets JSON (type "installed") with auth_uri/token_uri pointing here."""
        with self.state.lock:
            client = self.state.clients.get(client_id)
            if client is None:
                raise ControlError(f"unknown client {client_id!r}")
            return {
                "installed": {
                    "client_id": client.client_id,
                    "project_id": "studiosync-emulator",
                    "auth_uri": f"{self.url}/o/oauth2/auth",
                    "token_uri": f"{self.url}/token",
                    "revoke_uri": f"{self.url}/revoke",
                    "auth_provider_x509_cert_url": f"{self.url}/oauth2/v1/certs",
                    "client_secret": client.client_secret,
                    "redirect_uris": ["http://localhost", *client.redirect_uris],
                }
            }

    def set_consent_account(self, email: str | None, *, deny: bool = False) -> None:
        """Who 'clicks Allow' on the consent screen (a known `login_hint` wins). With `deny=True` the user
        clicks Cancel instead: the redirect carries error=access_denied."""
        with self.state.lock:
            if email is not None:
                self._account(email)
            self.state.consent_account = email.lower() if email else None
            self.state.consent_deny = deny

    def authorize(self, email: str, client_id: str, scopes: Iterable[str] = DEFAULT_SCOPES) -> dict[str, Any]:
        """Skip the browser: grant `client_id` access to `email` and return authorized-user info, ready for
        `google.oauth2.credentials.Credentials.from_authorized_user_info`."""
        with self.state.lock:
            account = self._account(email)
            client = self.state.clients.get(client_id)
            if client is None:
                raise ControlError(f"unknown client {client_id!r}")
            grant, access = self._oauth.mint(account.email, client_id, list(scopes))
            expiry = dt.datetime.fromtimestamp(access.expires_at, dt.UTC)
            return {
                "type": "authorized_user",
                "client_id": client_id,
                "client_secret": client.client_secret,
                "refresh_token": grant.refresh_token,
                "token": access.token,
                "token_uri": f"{self.url}/token",
                "scopes": list(grant.scopes),
                "expiry": expiry.strftime("%Y-%m-%dT%H:%M:%SZ"),
            }

    def revoke_grant(self, email: str, client_id: str | None = None) -> int:
        """Revoke the account's grants (all clients, or one): refresh -> invalid_grant, API -> 401."""
        with self.state.lock:
            email = email.lower()
            hits = [
                g
                for g in self.state.grants.values()
                if g.email == email and not g.revoked and (client_id is None or g.client_id == client_id)
            ]
            for grant in hits:
                self._oauth.revoke_grant(grant)
            return len(hits)

    def expire_access_tokens(self, email: str | None = None) -> int:
        """Make current access tokens (of one account, or all) expired now; the API answers 401."""
        with self.state.lock:
            hits = [a for a in self.state.access_tokens.values() if email is None or a.email == email.lower()]
            past = time.time() - 1
            for access in hits:
                access.expires_at = min(access.expires_at, past)
            return len(hits)

    # ------------------------------------------------------------------ faults
    def inject_fault(
        self,
        kind: str | int,
        count: int = 1,
        *,
        retry_after: float | None = None,
        seconds: float | None = None,
        account: str | None = None,
        path: str | None = None,
        method: str | None = None,
        in_batch: bool | None = False,
        reason: str | None = None,
    ) -> int:
        """Fail the next `count` matching requests; returns the fault id.

        kind: "429" (optionally with `retry_after` seconds), "403_rate" (rateLimitExceeded),
        "403_user_rate" (userRateLimitExceeded), "403_quota" (quotaExceeded), "500", "503",
        "drop" (close the socket without answering), "latency" (sleep `seconds`, then answer normally).
        Filters: `account` (token owner), `path` (substring of the request path; needed to hit the OAuth
        endpoints), `method`. `in_batch`: False = top-level requests only (a batch POST itself included),
        True = only sub-calls inside batches, None = both. `reason` overrides the error reason.
        """
        fault = self._check(
            lambda: self.state.faults.add(
                kind,
                count,
                retry_after=retry_after,
                seconds=seconds,
                account=account,
                path=path,
                method=method,
                in_batch=in_batch,
                reason=reason,
            )
        )
        return fault.id

    def clear_faults(self) -> None:
        self.state.faults.clear()

    def faults(self) -> list[dict[str, Any]]:
        """Faults not yet used up."""
        return [f.describe() for f in self.state.faults.pending()]

    # ------------------------------------------------------------------ sync tokens and counters
    def invalidate_sync_tokens(
        self, email: str | None = None, *, calendar: bool = True, people: bool = True
    ) -> None:
        """Make outstanding sync tokens stale: Calendar then answers 410 fullSyncRequired, People
        400 EXPIRED_SYNC_TOKEN. `email` limits it to that account's calendars/contacts."""
        with self.state.lock:
            accounts = [self._account(email)] if email else list(self.state.accounts.values())
            for account in accounts:
                if calendar:
                    for cid in account.calendar_ids:
                        self.state.calendars[cid].changes.epoch += 1
                if people:
                    account.contacts.changes.epoch += 1

    def request_counts(self, email: str | None = None) -> dict[str, int]:
        """Requests seen per kind: calendar and people calls (batch sub-calls included), outer batch
        requests, OAuth requests. `email=None` sums every account (and unauthenticated requests)."""
        with self.state.lock:
            if email is None:
                total: Counter[str] = Counter()
                for counts in self.state.counts.values():
                    total.update(counts)
            else:
                total = self.state.counts.get(email.lower(), Counter())
            return {kind: total.get(kind, 0) for kind in COUNT_KINDS}

    def reset_counts(self, email: str | None = None) -> None:
        with self.state.lock:
            if email is None:
                self.state.counts.clear()
            else:
                self.state.counts.pop(email.lower(), None)

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
            self.register_client(
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
            self.set_consent_account(data["consent_account"])

    # ------------------------------------------------------------------ helpers
    def _account(self, email: str) -> Account:
        account = self.state.account(email)
        if account is None:
            raise ControlError(f"unknown account {email!r}")
        return account

    def _calendar(self, email: str, calendar_id: str) -> CalendarData:
        account = self._account(email)
        cid = account.email if calendar_id == "primary" else calendar_id
        cal = self.state.calendars.get(cid)
        if cal is None or account.email not in cal.acl:
            raise ControlError(f"account {email!r} has no calendar {calendar_id!r}")
        return cal

    @staticmethod
    def _check(action: Callable[[], Any]) -> Any:
        """Run `action`, turning API validation errors into ControlError for Python callers."""
        try:
            return action()
        except ApiError as err:
            raise ControlError(f"{err.code} {err.reason}: {err.message}") from err
        except ValueError as err:
            raise ControlError(str(err)) from err


# ---------------------------------------------------------------------- HTTP mapping
def control_router(ctl: Controller) -> Router:
    """JSON endpoints under /_emulator mirroring the Controller methods (see README in __init__)."""
    r = Router()

    def route(method: str, pattern: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
            def handler(req: Request, **params: str) -> Response:
                try:
                    result = fn(req, **params)
                except ControlError as err:
                    return Response.json({"error": str(err)}, 400)
                except ApiError as err:
                    return Response.error(err)
                except (KeyError, TypeError) as err:
                    return Response.json({"error": f"bad request: {err}"}, 400)
                return result if isinstance(result, Response) else Response.json(result)

            r.add(method, pattern, handler)
            return fn

        return wrap

    def flag(req: Request, name: str) -> bool:
        return (req.arg(name) or "").lower() in ("1", "true", "yes")

    P = "/_emulator"
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
        return ctl.request_counts(req.arg("email"))

    @route("DELETE", P + "/counts")
    def reset_counts(req: Request) -> Any:
        ctl.reset_counts(req.arg("email"))
        return {}

    @route("POST", P + "/seed")
    def seed(req: Request) -> Any:
        ctl.load_seed(req.json())
        return {}

    return r
