"""Check every store file against the schema: which record shape each table of each file holds.

Used by the doctor's `store` check and by `studiosync backup restore` (which only restores a copy that
passes). A file is checked as a whole: it must be JSON of the store's shape (core.store.files), and every
record of a known table must fit its dataclass (core.store.records). Tables this version does not know
(written by a newer one) are only checked for shape. This module reads; it never writes or repairs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studiosync.core.model.appointments import Appointment
from studiosync.core.model.clients import Client, ClientGroup
from studiosync.core.model.company import CompanyPrefs
from studiosync.core.model.users import GooglePrefs, User
from studiosync.core.store import layout, records
from studiosync.core.store.files import shape_problem


@dataclass(frozen=True)
class _Revision:
    """A pending entry: `appointment id -> {"revision": n}`."""

    revision: int


@dataclass(frozen=True)
class _Items:
    """The bounded run history of a user's sync state: one record holding a list."""

    items: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class _Version:
    """The studio file's schema version record (table `_meta`, core.store.schema)."""

    version: int


# (file name pattern, table) -> record shape. A pattern is the store name with "*" for one path segment.
SHAPES: dict[tuple[str, str], type] = {
    (layout.STUDIO, "users"): User,
    (layout.STUDIO, "google_prefs"): GooglePrefs,
    (layout.STUDIO, "groups"): ClientGroup,
    (layout.STUDIO, "company"): CompanyPrefs,
    (layout.STUDIO, "_meta"): _Version,
    (layout.CLIENTS, "clients"): Client,
    ("appts/*/*", layout.APPOINTMENTS_TABLE): Appointment,
    ("pending/*", layout.PENDING_TABLE): _Revision,
    ("sync/*", "runs"): _Items,
}


@dataclass(frozen=True)
class FileProblem:
    """One corrupt store file: its name, the first problem found, and how many records are bad."""

    name: str  # store name, e.g. appts/3f2a1b/05
    path: Path
    problem: str
    bad_records: int = 1

    @property
    def shown(self) -> str:
        return f"store/{self.name}.json"


def shape_of(name: str, table: str) -> type | None:
    """The record dataclass of a table in a store file, or None when only its shape is known."""
    parts = name.split("/")
    for (pattern, wanted), cls in SHAPES.items():
        pattern_parts = pattern.split("/")
        if (
            wanted == table
            and len(pattern_parts) == len(parts)
            and all(p == "*" or p == q for p, q in zip(pattern_parts, parts, strict=True))
        ):
            return cls
    return None


def check_data(name: str, data: Any) -> tuple[str | None, int]:
    """(the first problem of a decoded store file, number of bad records); (None, 0) when it fits."""
    problem = shape_problem(data)
    if problem is not None:
        return problem, 1
    first: str | None = None
    bad = 0
    for table, rows in data.items():
        cls = shape_of(name, table)
        if cls is None:
            continue
        for doc_id, doc in rows.items():
            if cls is CompanyPrefs and isinstance(doc, dict):  # null sections are an older version's way
                doc = {**doc, "email": doc.get("email") or {}, "google": doc.get("google") or {}}
            why = records.problem(cls, doc)
            if why is not None:
                bad += 1
                first = first or f"record {doc_id!r} in table {table!r}: {why}"
    return first, bad


def check_file(name: str, path: Path) -> FileProblem | None:
    """Read one store file from disk (not from any cache) and check it."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        return FileProblem(name, path, f"cannot be read: {exc.strerror or exc}")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        return FileProblem(name, path, f"is not valid JSON ({exc})")
    problem, bad = check_data(name, data)
    return FileProblem(name, path, problem, bad) if problem is not None else None


def check_store(root: Path) -> tuple[int, list[FileProblem]]:
    """(number of store files checked, the corrupt ones) for the store folder `root`."""
    names = store_names(root)
    problems = [p for p in (check_file(n, root / f"{n}.json") for n in names) if p is not None]
    return len(names), problems


def store_names(root: Path) -> list[str]:
    """Names of the store files under `root` (hidden temp files excluded)."""
    if not root.is_dir():
        return []
    found = []
    for path in root.rglob("*.json"):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts):
            continue
        found.append(rel.as_posix()[: -len(".json")])
    return sorted(found)
