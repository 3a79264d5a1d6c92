"""The held record: deletions the mass-deletion guard holds back for a user, and how they read to a person.

Kept in the user's sync state (`SyncState.held`), one entry per side where the deletions were made:

    {"google": {"items": {appointment id: event id}, "series": {appointment id: series id},
                "since": ISO stamp, "linked": 40, "reason": "count" | "empty"},
     "studio": {...}}

"deletions" counts what the guard counts (core.sync.decisions.Deletion.item): on Google's side events, a
whole recurring series being one; on the studio's side appointments. "appointments" says how many
appointments that is.

- "google": Google reports these events deleted; their appointments are still in the studio book.
- "studio": these appointments were deleted in the studio (their tombstones wait in the pending file);
  their events are still on Google.

`summary()` is the one shape every reader shows (`google show --json`, `status --json`, the run result, the
dashboard, the doctor): side, deletions, linked, since, message and fix. This module is plain data and
words: it never decides what is held (core.sync.guard does), never calls Google, and only reads the store.
"""

from __future__ import annotations

from typing import Any

from studiosync.core.store import layout
from studiosync.core.store.store import Store
from studiosync.core.sync.state import STATE

CAUSE = "deletions_held"  # the cause id of a held user (core.explain has its texts)
SIDES = ("google", "studio")


def message(side: str, deletions: int, linked: int, reason: str = "count") -> str:
    if side == "google" and reason == "empty":
        return (
            f"Google listed the calendar as empty: it reports {deletions} of {linked} events deleted; "
            "nothing was deleted in the studio"
        )
    if side == "google":
        return f"Google reports {deletions} of {linked} events deleted; nothing was deleted in the studio"
    return f"The studio deleted {deletions} of {linked} appointments; nothing was deleted on Google"


def fix(login: str, side: str) -> str:
    if side == "google":
        keep = "re-create the events on Google from the studio book"
    elif side == "studio":
        keep = "bring the appointments back into the studio from Google's copies"
    else:
        keep = "undo them (events re-created on Google, appointments brought back from Google)"
    return (
        f"If the deletions were meant: studiosync sync {login} --allow-deletions (console: Dashboard, "
        f"select the user, h); if not: studiosync sync {login} --restore-deleted to {keep}"
    )


def summary(held: dict[str, Any], login: str) -> dict[str, Any] | None:
    """The held state as people read it; None when nothing is held."""
    sides = {s: held[s] for s in SIDES if (held.get(s) or {}).get("items")}
    if not sides:
        return None
    by_side = {
        s: {
            "deletions": count(s, rec),
            "appointments": len(rec["items"]),
            "linked": max(int(rec.get("linked") or 0), count(s, rec)),
            "since": rec.get("since"),
            "reason": rec.get("reason") or "count",
        }
        for s, rec in sides.items()
    }
    side = next(iter(by_side)) if len(by_side) == 1 else "both"
    deletions = sum(v["deletions"] for v in by_side.values())
    linked = max(v["linked"] for v in by_side.values())
    since = min(str(v["since"] or "") for v in by_side.values()) or None
    text = "; ".join(message(s, v["deletions"], v["linked"], v["reason"]) for s, v in by_side.items())
    return {
        "side": side,
        "deletions": deletions,
        "appointments": sum(v["appointments"] for v in by_side.values()),
        "linked": linked,
        "since": since,
        "message": text,
        "fix": fix(login, side),
        "sides": by_side,
    }


def count(side: str, record: dict[str, Any]) -> int:
    """The deletions a side's record holds, counted as the guard counts them."""
    items: dict[str, str] = record.get("items") or {}
    if side == "studio":
        return len(items)
    series: dict[str, str] = record.get("series") or {}
    return len({series.get(aid) or event_id for aid, event_id in items.items()})


def load(store: Store, login: str) -> dict[str, Any]:
    """The stored held record of a user ({} when nothing is held); a read of one small document."""
    return dict(store.get(layout.sync_state_file(login), STATE, "held") or {})


def held_summary(store: Store, login: str) -> dict[str, Any] | None:
    return summary(load(store, login), login)
