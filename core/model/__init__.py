"""The studio's domain as dataclasses, one module per area; this package holds what they share.

- `users`: a user or resource (`User`) and its Google tab (`GooglePrefs`)
- `clients`: clients and client groups
- `appointments`: appointments, their trace lines and their synced-base snapshot
- `company`: Company Preferences (email, Google API, browser console, escalation, deletion limits)

Stored documents are plain JSON; these classes are what services hand to the CLI and the console.
Times are timezone-aware datetimes (ISO 8601 with offset on disk); all-day appointments use dates
with an exclusive end, as Google does.

The modules are apart so a command loads only the dataclasses it uses (`users list` builds two of them,
not ten: every dataclass costs its generated methods at import). Nothing here does I/O or imports
another part of the product; nothing here imports all the areas.
"""

from __future__ import annotations

from dataclasses import asdict, fields
from typing import Any, Literal, TypeVar

Origin = Literal["studio", "google"]  # where a client or an appointment was created

T = TypeVar("T")


def from_doc(cls: type[T], doc: dict[str, Any]) -> T:
    """Build a dataclass from a stored document, ignoring unknown keys (written by newer versions)."""
    names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    return cls(**{k: v for k, v in doc.items() if k in names})


def to_doc(obj: Any) -> dict[str, Any]:
    return asdict(obj)
