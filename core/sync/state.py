"""Per-user sync state, kept in the store file `sync/<userkey>` (see core.store.layout).

- `account`: the Google account the tokens below were issued to (`email`): a token is never sent for
  another account (see `bind_account`);
- `calendar`: the calendar the token belongs to, Google's syncToken, the calendar's time zone;
- `people`: the People API sync token;
- `populate`: progress of the Populate boxes (informational: populating is idempotent, a rerun just
  resumes);
- `series`: each recurring Google series we expand into appointments: how far ahead it was expanded and
  which instance ids (with their original start) we track, so vanished instances can be deleted;
- `held`: deletions the mass-deletion guard holds back, per side (`google`, `studio`): which appointment
  ids (with their event ids), since when, how many were linked then, why (core.sync.held reads it);
- (the alert emails' state is in the same file, table `alerts`: core.alerts.record owns it; an older
  `notify` document here is no longer read);
- `runs`: the last RUN_HISTORY run records.

Loaded once per run, changed in memory, written in ONE transaction only when something changed, so a run
that changed nothing never rewrites it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from studiosync.core.store import layout
from studiosync.core.store.store import Store

STATE = "state"
SERIES = "series"
RUNS = layout.SYNC_RUNS_TABLE
HISTORY = "history"
RUN_HISTORY = 50


@dataclass
class SyncState:
    """One user's sync state (the module docstring lists its parts), loaded once per run and saved in one
    transaction only when it changed."""

    login: str
    account: dict[str, Any] = field(default_factory=dict)
    calendar: dict[str, Any] = field(default_factory=dict)
    people: dict[str, Any] = field(default_factory=dict)
    populate: dict[str, Any] = field(default_factory=dict)
    series: dict[str, dict[str, Any]] = field(default_factory=dict)
    held: dict[str, Any] = field(default_factory=dict)
    runs: list[dict[str, Any]] = field(default_factory=list)
    _original: dict[str, Any] = field(default_factory=dict, repr=False)
    _series_original: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)
    _runs_dirty: bool = field(default=False, repr=False)

    # -- loading and saving ----------------------------------------------------------------------------
    @classmethod
    def load(cls, store: Store, login: str) -> SyncState:
        name = layout.sync_state_file(login)
        docs = store.table_rows(name, STATE)
        series = store.table_rows(name, SERIES)
        history = store.get(name, RUNS, HISTORY) or {}
        state = cls(
            login=login,
            account=dict(docs.get("account") or {}),
            calendar=dict(docs.get("calendar") or {}),
            people=dict(docs.get("people") or {}),
            populate=dict(docs.get("populate") or {}),
            series={k: dict(v) for k, v in series.items()},
            held=dict(docs.get("held") or {}),
            runs=list(history.get("items") or []),
        )
        state._original = copy.deepcopy(state._state_docs())
        state._series_original = copy.deepcopy(state.series)
        return state

    def _state_docs(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "calendar": self.calendar,
            "people": self.people,
            "populate": self.populate,
            "held": self.held,
        }

    @property
    def changed(self) -> bool:
        return (
            self._state_docs() != self._original or self.series != self._series_original or self._runs_dirty
        )

    def save(self, store: Store) -> bool:
        """Write what changed (one transaction); False when nothing needed writing."""
        if not self.changed:
            return False
        name = layout.sync_state_file(self.login)
        docs = self._state_docs()
        with store.transaction(name) as tx:
            table = tx.table(name, STATE)
            for key, value in docs.items():
                if value != self._original.get(key):
                    table.put(key, value)
            if self.series != self._series_original:
                series = tx.table(name, SERIES)
                gone = [k for k in self._series_original if k not in self.series]
                if gone:
                    series.delete(*gone)
                series.put_many({k: v for k, v in self.series.items() if self._series_original.get(k) != v})
            if self._runs_dirty:
                tx.table(name, RUNS).put(HISTORY, {"items": self.runs})
        self._original = copy.deepcopy(docs)
        self._series_original = copy.deepcopy(self.series)
        self._runs_dirty = False
        return True

    # -- account ---------------------------------------------------------------------------------------
    def bind_account(self, email: str | None) -> bool:
        """The tokens from now on belong to `email` (the account on the Google tab). When the state was
        kept for another account -- or for an unrecorded one, as state saved before accounts were recorded
        -- its Calendar and People sync tokens are dropped, so the next listings are full ones (derived
        ids and links keep them from creating duplicates). Returns True when tokens were dropped."""
        email = (email or "").strip().lower() or None
        if self.account.get("email") == email and self.account:
            return False
        dropped = bool(self.calendar.get("sync_token") or self.people.get("sync_token"))
        self.calendar.pop("sync_token", None)
        self.people.pop("sync_token", None)
        self.account = {"email": email}
        return dropped

    # -- calendar --------------------------------------------------------------------------------------
    @property
    def sync_token(self) -> str | None:
        return self.calendar.get("sync_token")

    def calendar_matches(self, calendar_id: str | None) -> bool:
        return bool(calendar_id) and self.calendar.get("calendar_id") == calendar_id

    def reset_calendar(self, calendar_id: str | None) -> None:
        """A new (or first) calendar: forget the token and the series; the next listing is a full one."""
        self.calendar = {"calendar_id": calendar_id}
        self.series = {}

    # -- run history -----------------------------------------------------------------------------------
    def add_run(self, record: dict[str, Any]) -> None:
        """Append a run record. Consecutive quiet runs (ok, nothing changed) are merged into one record
        with a repeat count, so an idle afternoon does not push the interesting runs out of the history."""
        last = self.runs[-1] if self.runs else None
        if _quiet(record) and last is not None and _quiet(last):
            merged = dict(last)
            merged["repeats"] = int(last.get("repeats", 1)) + 1
            merged["last_started"] = record.get("started")
            merged["last_run_id"] = record.get("run_id")
            merged["last_duration_s"] = record.get("duration_s")
            self.runs[-1] = merged
        else:
            self.runs.append(record)
            del self.runs[:-RUN_HISTORY]
        self._runs_dirty = True


def _quiet(record: dict[str, Any]) -> bool:
    return (
        record.get("status") == "ok"
        and not record.get("warnings")
        and not any((record.get("counts") or {}).values())
    )


def run_history(store: Store, login: str) -> list[dict[str, Any]]:
    """The stored run records of a user, oldest first (for the CLI and the console)."""
    doc = store.get(layout.sync_state_file(login), RUNS, HISTORY) or {}
    return list(doc.get("items") or [])
