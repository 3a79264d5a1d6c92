"""The field-by-field three-way merge of an appointment and its Google event: a pure function, a table.

A run that finds an appointment changed on both sides since they last agreed compares each field with its
synced base (the value both sides held after the last sync, kept with the appointment as
`Appointment.synced`, see core.sync.synced):

    studio == google                          -> that value (nobody changed it, or both made the same change)
    studio == base,  google != base           -> Google's (changed on Google only)
    google == base,  studio != base           -> the studio's (changed in the studio only)
    studio != base, google != base, differ    -> a conflict on that field: the later change wins
    no base for the field (stored before bases existed)
                                              -> every differing field is treated as changed on both
                                                 sides: the later change wins (the old whole-record policy)

"The later change" is the side whose last change is later (the studio's `updated` against Google's
`updated`: Google keeps no per-field times), ties to the studio (the book of record). A conflict is
reported with the field, both values, the base and the winner.

Fields are opaque values compared with `==`: `time` is the (start, end) pair (all-day when they are
dates), so a span is never assembled from one side's start and the other side's end.

This module must never do I/O and imports nothing but the standard library; tests/sync/test_merge.py
checks it as a table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Every field the studio and Google share. Adding a mapped field (e.g. location) is one entry here plus
# its value on both sides (core.sync.synced).
FIELDS: tuple[str, ...] = ("title", "notes", "time", "status")
STUDIO = "studio"
GOOGLE = "google"
_MISSING: Any = object()


@dataclass(frozen=True)
class FieldConflict:
    """One field changed on both sides to different values."""

    field: str
    studio: Any
    google: Any
    base: Any  # None when there was no base (appointments synced before bases were kept)
    winner: str  # "studio" | "google"


@dataclass(frozen=True)
class Merged:
    """What `merge` makes of an appointment and its event: the merged values, the fields each side still
    lacks, and the fields changed on both sides."""

    values: dict[str, Any]  # the merged record: what both sides hold once the run is done
    to_google: tuple[str, ...] = ()  # fields whose merged value Google does not have yet (to patch)
    to_studio: tuple[str, ...] = ()  # fields whose merged value the studio does not have yet (to write)
    conflicts: tuple[FieldConflict, ...] = ()

    @property
    def note(self) -> str:
        """E.g. "title changed on both sides: Google's kept (the later change); notes from the studio"."""
        won = {c.field: c.winner for c in self.conflicts}
        parts = [
            f"{name} changed on both sides: {'the studio' if side == STUDIO else 'Google'}'s kept "
            "(the later change)"
            for name, side in won.items()
        ]
        studio = [f for f in self.to_google if f not in won]
        google = [f for f in self.to_studio if f not in won]
        if studio:
            parts.append(f"{', '.join(studio)} from the studio")
        if google:
            parts.append(f"{', '.join(google)} from Google")
        return "; ".join(parts) or "both sides already agree"


def merge(
    base: Mapping[str, Any] | None,
    studio: Mapping[str, Any],
    google: Mapping[str, Any],
    *,
    studio_later: bool,
) -> Merged:
    """Merge the studio's and Google's values of every field in FIELDS against their common base."""
    values: dict[str, Any] = {}
    to_google: list[str] = []
    to_studio: list[str] = []
    conflicts: list[FieldConflict] = []
    for name in FIELDS:
        s, g = studio[name], google[name]
        b = base.get(name, _MISSING) if base is not None else _MISSING
        winner = _winner(b, s, g, studio_later)
        if winner is None:  # the same on both sides
            values[name] = s
            continue
        if winner == STUDIO:
            values[name] = s
            to_google.append(name)
        else:
            values[name] = g
            to_studio.append(name)
        if b is _MISSING or (s != b and g != b):
            conflicts.append(FieldConflict(name, s, g, None if b is _MISSING else b, winner))
    return Merged(values, tuple(to_google), tuple(to_studio), tuple(conflicts))


def _winner(b: Any, s: Any, g: Any, studio_later: bool) -> str | None:
    if s == g:
        return None
    if b is not _MISSING:
        if s == b:
            return GOOGLE
        if g == b:
            return STUDIO
    return STUDIO if studio_later else GOOGLE


def changed(base: Mapping[str, Any] | None, current: Mapping[str, Any]) -> tuple[str, ...]:
    """The fields of `current` that differ from `base` (every field when there is no base, or no base
    value for it): what a patch must carry."""
    if base is None:
        return FIELDS
    return tuple(name for name in FIELDS if base.get(name, _MISSING) != current[name])
