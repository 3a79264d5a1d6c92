"""People v1: the account's contacts (`people/me/connections`) with field masks, paging and sync tokens."""

from __future__ import annotations

import dataclasses
from typing import Any

from .errors import ApiError, bad_request, not_found
from .ids import decode_token, encode_token, new_person_etag, new_person_id
from .oauth import Auth
from .state import Account, Contact, ContactBook, EmulatorState
from .timeutil import now_utc, parse_bool, rfc3339_ms
from .wire import Request, Response, Router

PERSON_FIELDS = frozenset(
    [
        "addresses",
        "ageRanges",
        "biographies",
        "birthdays",
        "calendarUrls",
        "clientData",
        "coverPhotos",
        "emailAddresses",
        "events",
        "externalIds",
        "genders",
        "imClients",
        "interests",
        "locales",
        "locations",
        "memberships",
        "metadata",
        "miscKeywords",
        "names",
        "nicknames",
        "occupations",
        "organizations",
        "phoneNumbers",
        "photos",
        "relations",
        "sipAddresses",
        "skills",
        "urls",
        "userDefined",
    ]
)
SORT_ORDERS = (
    "LAST_MODIFIED_ASCENDING",
    "LAST_MODIFIED_DESCENDING",
    "FIRST_NAME_ASCENDING",
    "LAST_NAME_ASCENDING",
)
SYNC_PREFIX = "PSY"
PAGE_PREFIX = "PPG"
DEFAULT_PAGE = 100
MAX_PAGE = 1000
DOCS = (
    "Valid paths are documented at https://developers.google.com/people/api/rest/v1/people.connections/list."
)


def _invalid(message: str) -> ApiError:
    return ApiError(400, "badRequest", message, status="INVALID_ARGUMENT")


def expired_sync_token() -> ApiError:
    return ApiError(
        400,
        "failedPrecondition",
        "Sync token is expired. Clear local cache and retry call without the sync token.",
        status="FAILED_PRECONDITION",
        details=[
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "EXPIRED_SYNC_TOKEN",
                "domain": "people.googleapis.com",
            }
        ],
    )


def normalize_resource_name(name: str) -> str:
    return name if name.startswith("people/") else f"people/{name}"


# ------------------------------------------------------------------------------------------ contacts
def _clean(body: dict[str, Any]) -> dict[str, Any]:
    unknown = set(body) - PERSON_FIELDS - {"resourceName", "etag"}
    if unknown:
        raise bad_request(f"Unknown person fields: {sorted(unknown)}.")
    kept = {k: v for k, v in body.items() if k in PERSON_FIELDS and k != "metadata" and v is not None}
    for key, value in kept.items():
        if not isinstance(value, list):
            raise bad_request(f"Person field {key} must be a list.")
    return kept


def add_contact(book: ContactBook, body: dict[str, Any]) -> Contact:
    resource_name = new_person_id()
    while f"people/{resource_name}" in book.contacts:
        resource_name = new_person_id()
    contact = Contact(
        f"people/{resource_name}",
        _clean(body),
        new_person_etag(),
        rfc3339_ms(now_utc()),
        new_person_id()[1:17],
    )
    book.store(contact)
    return contact


def _live(book: ContactBook, resource_name: str) -> Contact:
    contact = book.contacts.get(normalize_resource_name(resource_name))
    if contact is None or contact.deleted:
        raise not_found("Requested entity was not found.")
    return contact


def update_contact(book: ContactBook, resource_name: str, changes: dict[str, Any]) -> Contact:
    """Replace the given fields (None removes one), as an edit in Google Contacts would."""
    current = _live(book, resource_name)
    body = dict(current.body)
    for key, value in changes.items():
        if value is None:
            body.pop(key, None)
        else:
            body[key] = value
    updated = dataclasses.replace(
        current, body=_clean(body), etag=new_person_etag(), update_time=rfc3339_ms(now_utc())
    )
    book.store(updated)
    return updated


def delete_contact(book: ContactBook, resource_name: str) -> Contact:
    current = _live(book, resource_name)
    gone = dataclasses.replace(
        current, deleted=True, etag=new_person_etag(), update_time=rfc3339_ms(now_utc())
    )
    book.store(gone)
    return gone


def _decorate(field: str, values: list[Any], source_id: str) -> list[Any]:
    out = []
    for i, value in enumerate(values):
        if not isinstance(value, dict):
            out.append(value)
            continue
        item = dict(value)
        item["metadata"] = {"primary": i == 0, "source": {"type": "CONTACT", "id": source_id}}
        if isinstance(item.get("type"), str) and "formattedType" not in item:
            # People v1 renders the localized label next to the type ("home" -> "Home").
            item["formattedType"] = item["type"][:1].upper() + item["type"][1:]
        if field == "names":
            given, family = item.get("givenName", ""), item.get("familyName", "")
            item.setdefault("displayName", " ".join(p for p in (given, family) if p))
            if family:
                item.setdefault("displayNameLastFirst", f"{family}, {given}".rstrip(", "))
            item.setdefault("unstructuredName", item["displayName"])
        out.append(item)
    return out


def render_person(contact: Contact, fields: frozenset[str] | set[str]) -> dict[str, Any]:
    """Only the masked fields (resourceName and etag always); a deleted person is its metadata only."""
    out: dict[str, Any] = {"resourceName": contact.resource_name, "etag": contact.etag}
    source = {
        "type": "CONTACT",
        "id": contact.source_id,
        "etag": contact.etag,
        "updateTime": contact.update_time,
    }
    if contact.deleted:
        out["metadata"] = {"sources": [source], "objectType": "PERSON", "deleted": True}
        return out
    if "metadata" in fields:
        out["metadata"] = {"sources": [source], "objectType": "PERSON"}
    for name in sorted(fields):
        values = contact.body.get(name)
        if name != "metadata" and values:
            out[name] = _decorate(name, values, contact.source_id)
    return out


def parse_fields(req: Request) -> frozenset[str]:
    raw = req.arg("personFields") or ""
    fields = {f.strip() for f in raw.split(",") if f.strip()}
    if not fields:
        # The deprecated mask: "person.names,person.email_addresses".
        legacy = req.arg("requestMask.includeField") or ""
        for path in filter(None, (p.strip() for p in legacy.split(","))):
            head, *rest = path.removeprefix("person.").split("_")
            fields.add(head + "".join(w.capitalize() for w in rest))
    if not fields:
        raise _invalid(f"personFields mask is required. Please specify one or more valid paths. {DOCS}")
    for name in sorted(fields):
        if name not in PERSON_FIELDS:
            raise _invalid(f'Invalid personFields mask path: "{name}". {DOCS}')
    return frozenset(fields)


# ------------------------------------------------------------------------------------------ HTTP
class PeopleApi:
    def __init__(self, state: EmulatorState) -> None:
        self.state = state
        r = self.router = Router()
        r.add("GET", "/v1/people/{person}/connections", self.connections)
        r.add("GET", "/v1/people/{person}", self.get)

    def handle(self, auth: Auth, req: Request) -> Response:
        handler, params = self.router.match(req.method, req.path)
        with self.state.lock:
            return handler(auth, req, **params)

    def _account(self, auth: Auth) -> Account:
        account = self.state.account(auth.email)
        if account is None:
            raise not_found("Requested entity was not found.")
        return account

    def get(self, auth: Auth, req: Request, person: str) -> Response:
        auth.require("people")
        fields = parse_fields(req)
        account = self._account(auth)
        if person == "me":
            me: dict[str, Any] = {"resourceName": "people/me", "etag": new_person_etag()}
            if "names" in fields:
                me["names"] = [{"displayName": account.name, "metadata": {"primary": True}}]
            if "emailAddresses" in fields:
                me["emailAddresses"] = [{"value": account.email, "metadata": {"primary": True}}]
            return Response.json(me)
        return Response.json(render_person(_live(account.contacts, person), fields))

    def connections(self, auth: Auth, req: Request, person: str) -> Response:
        auth.require("people")
        if person != "me":
            raise _invalid("Only people/me is supported as resourceName.")
        fields = parse_fields(req)
        size = req.int_arg("pageSize", 0)
        if size < 0 or size > MAX_PAGE:
            raise _invalid(f"pageSize must be between 0 and {MAX_PAGE}.")
        size = size or DEFAULT_PAGE
        sort = req.arg("sortOrder")
        if sort and sort not in SORT_ORDERS:
            raise _invalid(f"Invalid sortOrder: {sort}.")
        account = self._account(auth)
        book = account.contacts
        log = book.changes
        nonce = self.state.nonce
        sync_token = req.arg("syncToken")
        want_token = bool(sync_token) or parse_bool(req.arg("requestSyncToken"))
        page = None
        if req.arg("pageToken"):
            page = decode_token(PAGE_PREFIX, req.arg("pageToken") or "")
            if page is None or page.get("a") != account.email or page.get("n") != nonce:
                raise _invalid("Page token is invalid.")
        if page is not None:
            if page["k"] == "i" and page.get("e") != log.epoch:
                raise expired_sync_token()
            kind, upto, pos = page["k"], int(page["u"]), int(page["p"])
        elif sync_token:
            token = decode_token(SYNC_PREFIX, sync_token)
            if token is None:
                raise _invalid("Request contains an invalid argument.")
            since = token.get("s")
            same = token.get("a") == account.email and token.get("n") == nonce and token.get("e") == log.epoch
            if not same or not isinstance(since, int) or since > log.seq:
                raise expired_sync_token()
            kind, upto, pos = "i", log.seq, log.position_after(since)
        else:
            kind, upto, pos = "f", log.seq, 0

        if kind == "i":
            count = log.position_after(upto)

            def pick(p: int) -> Contact | None:
                seq, name = log.at(p)
                contact = book.contacts[name]
                return contact if contact.seq == seq else None
        else:
            count = len(book.order)

            def pick(p: int) -> Contact | None:
                contact = book.contacts[book.order[p]]
                return None if contact.deleted else contact

        found: list[Contact] = []
        while pos < count and len(found) < size:
            contact = pick(pos)
            pos += 1
            if contact is not None:
                found.append(contact)
        while pos < count and pick(pos) is None:  # so the last page is never an empty one
            pos += 1
        body: dict[str, Any] = {}
        if found:
            body["connections"] = [render_person(c, fields) for c in found]
        if kind == "f":
            live = sum(1 for c in book.contacts.values() if not c.deleted)
            body["totalPeople"] = live
            body["totalItems"] = live
        if pos < count:
            body["nextPageToken"] = encode_token(
                PAGE_PREFIX, {"k": kind, "a": account.email, "n": nonce, "e": log.epoch, "u": upto, "p": pos}
            )
        elif want_token:
            body["nextSyncToken"] = encode_token(
                SYNC_PREFIX, {"a": account.email, "n": nonce, "e": log.epoch, "s": upto}
            )
        return Response.json(body)
