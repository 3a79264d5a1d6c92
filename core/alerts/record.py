"""Where the alert state lives: the user's sync state file, table `alerts`, one document per channel.

- `user`    the user's own warning emails ("Email Warnings and Errors to Me"): core.alerts.machine.decide
- `log`     the detailed-log emails ("Email Detailed Sync Logs to Me"): machine.decide_log
- `admins`  the admins' escalation emails about this user: machine.decide

`change` reads, decides and writes one channel in ONE store transaction (the file's lock), so two processes
finishing runs at once never both claim the same email; a decision that changes nothing takes no lock and
writes nothing, so a standing problem (or a healthy user) costs one read per run. The table survives a sync state reset
(core.studio.studio.reset_sync_state). `view` shapes the stored state into what people read: when the user
was last emailed, and why.

Never sends, never decides (machine does); reads the store and writes only this table.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from studiosync.core.alerts.machine import next_reminder
from studiosync.core.store import layout
from studiosync.core.store.store import Store

USER = "user"
LOG = "log"
ADMINS = "admins"
CHANNELS: tuple[str, ...] = (USER, LOG, ADMINS)

T = TypeVar("T")


def change(
    store: Store,
    login: str,
    channel: str,
    decide: Callable[[dict[str, Any]], tuple[dict[str, Any] | None, T]],
) -> T:
    """`decide(current document) -> (new document or None for no change, result)`, under the file's lock.
    `decide` must be pure: when it changes nothing (a standing problem, a healthy user) no lock is taken;
    otherwise it decides again under the lock, on the document as it is then."""
    name = layout.sync_state_file(login)
    current = store.get(name, layout.ALERTS_TABLE, channel) or {}
    new, result = decide(dict(current))
    if new is None or new == current:
        return result
    with store.transaction(name) as tx:
        table = tx.table(name, layout.ALERTS_TABLE)
        row = table.get(doc_id=channel)
        current = dict(row) if row is not None else {}
        new, result = decide(current)
        if new is not None and new != current:
            table.put(channel, new)
    return result


def load(store: Store, login: str) -> dict[str, dict[str, Any]]:
    """Every channel's document ({} for a user never alerted)."""
    return store.table_rows(layout.sync_state_file(login), layout.ALERTS_TABLE)


def view(docs: dict[str, dict[str, Any]], remind: timedelta | None) -> dict[str, Any]:
    """The alert fields of `studiosync status --json` and the dashboard (see core.health.users.UserHealth)."""
    user, log, admins = (docs.get(c) or {} for c in CHANNELS)
    sent, last = user.get("last_sent") or {}, user.get("last") or {}
    admins_sent = admins.get("last_sent") or {}
    return {
        "last_emailed": sent.get("at"),
        "last_emailed_kind": sent.get("kind"),
        "last_emailed_why": sent.get("why"),
        "last_emailed_to": ", ".join(sent.get("to") or []) or None,
        "email_trouble": _trouble(last),
        "next_reminder": next_reminder(user, remind),
        "alert_since": (user.get("told") or {}).get("since"),
        "admins_last_emailed": admins_sent.get("at"),
        "admins_last_emailed_why": admins_sent.get("why"),
        "last_log_email": log.get("at"),
    }


def _trouble(last: dict[str, Any]) -> str | None:
    """The last attempt, when it did not end as sent: people must see that an email did not go."""
    status = last.get("status")
    if status == "failed":
        return f"the {last.get('kind')} email of {last.get('at')} could not be sent: {last.get('error')}"
    if status == "unconfirmed":
        return f"the {last.get('kind')} email of {last.get('at')} may not have gone (studiosync stopped while sending)"
    return None
