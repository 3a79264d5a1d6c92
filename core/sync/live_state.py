"""Live sync's marks, in the small `live` store file: when each user's studio changes last reached Google,
when each user's Google calendar was last checked, and the request rate the processor measured.

- `users`: login -> {"last_push": ISO, "last_pull": ISO}
- `meter`: "calendar" -> core.google.budget's snapshot plus when it was taken (`at`) and by which computer

Written by the process that runs the google-sync job (its live passes and its full runs), one transaction
per pass; read by `studiosync status`, the dashboard and the doctor. Kept apart from the users' own sync
state files so a quiet fast pull of 200 users costs one small write, not 200. This module only reads and
writes that file: it never calls Google and never syncs anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from studiosync.core import logs
from studiosync.core.store import layout
from studiosync.core.store.store import Store
from studiosync.core.studio.timeparse import stamp

USERS = "users"
METER = "meter"
CALENDAR = "calendar"


def mark(
    store: Store,
    *,
    pulled: Iterable[str] = (),
    pushed: Iterable[str] = (),
    when: str | None = None,
    meter: dict[str, Any] | None = None,
) -> None:
    """Record that these users were pulled / pushed `when` (default now), and the measured rate."""
    pulled, pushed = list(pulled), list(pushed)
    if not pulled and not pushed and meter is None:
        return
    when = when or stamp()
    with store.transaction(layout.LIVE) as tx:
        table = tx.table(layout.LIVE, USERS)
        changed: dict[str, dict[str, Any]] = {}
        for key, logins in (("last_pull", pulled), ("last_push", pushed)):
            for login in logins:
                doc = changed.get(login) or dict(table.get(doc_id=login) or {})
                if (doc.get(key) or "") < when:
                    doc[key] = when
                changed[login] = doc
        if changed:
            table.put_many(changed)
        if meter is not None:
            tx.table(layout.LIVE, METER).put(CALENDAR, {**meter, "at": when})


def mark_run(store: Store, users: list[Any], *, pulled: bool, meter: dict[str, Any]) -> None:
    """After a run or pass (core.sync.runs.UserRunResult each): users it went through were pulled (unless
    it only pushed), users whose changes reached Google were pushed; and the rate measured. Best effort:
    the marks are for display, a failure to write them never fails a sync."""
    went = [u for u in users if u.status in ("ok", "warning")]
    try:
        mark(
            store,
            pulled=[u.login for u in went] if pulled else [],
            pushed=[u.login for u in went if u.pushed],
            meter=meter,
        )
    except Exception as exc:  # noqa: BLE001
        logs.event("WARNING", f"could not record live sync marks: {exc}")


def marks(store: Store) -> dict[str, dict[str, Any]]:
    """login -> {"last_push", "last_pull"} (absent keys: never)."""
    return store.table_rows(layout.LIVE, USERS)


def measured(store: Store) -> dict[str, Any] | None:
    """The last request-rate snapshot of the job's process (None: never measured)."""
    return store.get(layout.LIVE, METER, CALENDAR)
