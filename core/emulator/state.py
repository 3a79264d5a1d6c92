"""The emulator's whole world, guarded by one re-entrant lock: accounts, calendars, events, contacts,
OAuth clients/grants/tokens and request counters. Plain data; the behaviour lives in the API modules.
Must never import anything outside the emulator package."""

from __future__ import annotations

import bisect
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any

from .faults import FaultBook
from .meter import Meter
from .recurrence import Occurrence, Recurrence

ACCESS_ROLES = ("owner", "writer", "reader", "freeBusyReader")
WRITE_ROLES = ("owner", "writer")


class ChangeLog:
    """Append-only (change number, item id) log behind sync tokens.

    A sync token names (change number, epoch); "what changed since n" is a bisect plus a walk over the
    later entries, so an incremental sync with no changes costs O(log n). Invalidating every token
    outstanding is an epoch bump.
    """

    def __init__(self) -> None:
        self.seq = 0
        self.epoch = 0
        self._seqs: list[int] = []
        self._ids: list[str] = []

    def record(self, item_id: str) -> int:
        self.seq += 1
        self._seqs.append(self.seq)
        self._ids.append(item_id)
        return self.seq

    def position_after(self, seq: int) -> int:
        return bisect.bisect_right(self._seqs, seq)

    def at(self, pos: int) -> tuple[int, str]:
        """(change number, id) of the entry at `pos`."""
        return self._seqs[pos], self._ids[pos]

    def __len__(self) -> int:
        return len(self._seqs)


@dataclass
class EventRecord:
    """One stored event: a plain event, a recurring master, or an instance exception."""

    id: str
    body: dict[str, Any]  # client fields other than start/end/recurrence/status/sequence
    status: str
    etag: str
    created: str
    updated: str
    sequence: int
    creator: dict[str, Any]
    organizer: dict[str, Any]
    ical_uid: str
    all_day: bool
    start: Occurrence  # date for all-day, aware UTC datetime otherwise
    end: Occurrence
    start_tz: str | None
    end_tz: str | None
    recurrence_raw: list[str] | None = None
    recurrence: Recurrence | None = None
    recurring_event_id: str | None = None
    original_start: Occurrence | None = None
    original_tz: str | None = None
    seq: int = 0  # change number of the last write (for sync tokens)
    order_index: int = -1
    exceptions: set[str] = field(default_factory=set)
    virtual: bool = False  # an instance generated from a master, not stored

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled"


@dataclass
class CalendarData:
    """One calendar: its metadata, who may see it (acl), its events in insertion order and the change log
    behind its sync tokens."""

    id: str
    summary: str
    timezone: str
    description: str = ""
    acl: dict[str, str] = field(default_factory=dict)  # account email -> accessRole
    deleted: bool = False
    etag: str = '"0"'
    updated: str = ""
    events: dict[str, EventRecord] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)  # insertion order: stable cursor for paging
    changes: ChangeLog = field(default_factory=ChangeLog)

    def store(self, rec: EventRecord) -> None:
        """Insert or overwrite `rec`, stamping its change number."""
        previous = self.events.get(rec.id)
        if previous is None:
            rec.order_index = len(self.order)
            self.order.append(rec.id)
        else:
            rec.order_index = previous.order_index
        self.events[rec.id] = rec
        rec.seq = self.changes.record(rec.id)
        self.updated = rec.updated


@dataclass
class Contact:
    """One person in an account's Google Contacts (People API); a deleted one stays, answered as a
    metadata-only tombstone, for sync tokens."""

    resource_name: str
    body: dict[str, Any]
    etag: str
    update_time: str
    source_id: str
    deleted: bool = False
    seq: int = 0
    order_index: int = -1


@dataclass
class ContactBook:
    """An account's Google Contacts by resource name, in creation order, with the change log behind the People
    API's sync tokens."""

    contacts: dict[str, Contact] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    changes: ChangeLog = field(default_factory=ChangeLog)

    def store(self, contact: Contact) -> None:
        previous = self.contacts.get(contact.resource_name)
        if previous is None:
            contact.order_index = len(self.order)
            self.order.append(contact.resource_name)
        else:
            contact.order_index = previous.order_index
        self.contacts[contact.resource_name] = contact
        contact.seq = self.changes.record(contact.resource_name)


@dataclass
class Account:
    """A Google account of the emulated world: its name and time zone, its calendars (calendarList order,
    primary first) and its contacts."""

    email: str
    name: str
    timezone: str
    calendar_ids: list[str] = field(default_factory=list)  # calendarList order; primary first
    contacts: ContactBook = field(default_factory=ContactBook)


@dataclass
class OAuthClient:
    """A registered OAuth client (a Cloud project's): its id and secret, and the redirect addresses it accepts
    besides loopback ones."""

    client_id: str
    client_secret: str
    redirect_uris: list[str] = field(default_factory=list)


@dataclass
class AuthCode:
    """An authorization code the consent page handed out: single use, valid until `expires_at` (time.time()),
    bound to the client, redirect address and PKCE challenge it was asked with."""

    code: str
    client_id: str
    redirect_uri: str
    scopes: list[str]
    email: str
    challenge: str | None
    challenge_method: str
    expires_at: float


@dataclass
class Grant:
    """One consent of an account to a client: owns a refresh token and the access tokens minted from it."""

    id: str
    email: str
    client_id: str
    scopes: list[str]
    refresh_token: str
    revoked: bool = False


@dataclass
class AccessToken:
    """An access token minted from a grant (`grant_id`): valid until `expires_at` (time.time()), dropped when
    the grant is revoked."""

    token: str
    grant_id: str
    email: str
    client_id: str
    scopes: list[str]
    expires_at: float


class EmulatorState:
    def __init__(self, token_ttl: float = 3600.0) -> None:
        self.lock = threading.RLock()
        # Tokens from another emulator run must not validate here.
        self.nonce = secrets.token_hex(4)
        self.token_ttl = float(token_ttl)
        self.accounts: dict[str, Account] = {}
        self.calendars: dict[str, CalendarData] = {}
        self.clients: dict[str, OAuthClient] = {}
        self.codes: dict[str, AuthCode] = {}
        self.grants: dict[str, Grant] = {}
        self.refresh_tokens: dict[str, str] = {}  # refresh token -> grant id
        self.access_tokens: dict[str, AccessToken] = {}
        self.consent_account: str | None = None
        self.consent_deny = False
        self.meter = Meter(self.lock)
        self.faults = FaultBook(self.lock)

    def count(self, email: str | None, kind: str) -> None:
        """Count a request against an account (the OAuth endpoints count their own)."""
        self.meter.record(email, None, kind)

    def account(self, email: str) -> Account | None:
        return self.accounts.get(email.lower())
