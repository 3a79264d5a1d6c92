"""Clients and client groups (from the studio, or brought in from a user's Google Contacts). Plain data:
never does I/O, never merges (core.sync.contacts_sync does)."""

from __future__ import annotations

from dataclasses import dataclass, field

from studiosync.core.model import Origin


@dataclass
class ClientGroup:
    """A named group of clients; a user's Google tab picks the one their Google contacts come into."""

    id: str
    name: str


@dataclass
class Client:
    """A studio client, typed in the studio or brought in from a user's Google Contacts (then linked to that
    contact: `google_owner`, `google_resource`)."""

    id: str
    name: str
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    group: str | None = None  # group id
    origin: Origin = "studio"
    google_resource: str | None = None  # People API resourceName ("people/c123")
    google_owner: str | None = None  # login of the user whose contacts it came from
    google_etag: str | None = None
    # What Google last said (for the owner's contact): a value Google drops is dropped here too, while
    # values typed in the studio stay -- a three-way merge, not a blind union or overwrite.
    google_emails: list[str] = field(default_factory=list)
    google_phones: list[str] = field(default_factory=list)
    created: str = ""
    updated: str = ""
