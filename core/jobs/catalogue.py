"""The job catalogue: which jobs exist (kinds, in code) and how each is set up (settings, in the store).

APScheduler 3 has no TinyDB job store, so settings live in the JOBS store file and every scheduler
rebuilds its triggers from them (and again whenever the file changes).

A job's `anchor` is when it was last enabled or rescheduled. Interval schedules count from it (so every
process computes the same fire times, and a job enabled "every 15m" runs right away and then every 15
minutes); for cron schedules it only bounds catch-up (a run missed before the job existed is not owed).

Extra job kinds can be registered with `register()`; modules named in STUDIOSYNC_JOB_PLUGINS
(comma-separated) are imported first, which is how tests give a daemon subprocess a cheap test job.
"""

from __future__ import annotations

import importlib
import os
import threading
from typing import Any

from studiosync.core.errors import InputError, NotFoundError, OperationError
from studiosync.core.jobs.base import JobKind, JobSettings, OptionSpec
from studiosync.core.jobs.computers import check_computer_name, this_computer
from studiosync.core.schedule import parse_schedule
from studiosync.core.store import layout
from studiosync.core.store.store import Store
from studiosync.core.studio.timeparse import stamp

PLUGINS_ENV = "STUDIOSYNC_JOB_PLUGINS"
JOBS_TABLE = "jobs"

_REGISTRY: dict[str, JobKind] = {}
_plugins_loaded = False
_plugins_lock = threading.Lock()


def register(kind: JobKind) -> JobKind:
    parse_schedule(kind.default_schedule)  # a bad default is a programming error: fail loudly, early
    _REGISTRY[kind.name] = kind
    return kind


def unregister(name: str) -> None:
    """Forget a registered kind (tests that register their own); its stored settings stay."""
    _REGISTRY.pop(name, None)


def kinds() -> list[JobKind]:
    _load_plugins()
    return list(_REGISTRY.values())


def kind(name: str) -> JobKind:
    _load_plugins()
    found = _REGISTRY.get(name)
    if found is None:
        raise NotFoundError(f"no job {name!r} (jobs: {', '.join(_REGISTRY)})")
    return found


def _load_plugins() -> None:
    global _plugins_loaded
    if _plugins_loaded:
        return
    with _plugins_lock:
        if _plugins_loaded:
            return
        for module in filter(None, (m.strip() for m in os.environ.get(PLUGINS_ENV, "").split(","))):
            try:
                importlib.import_module(module)
            except ImportError as exc:
                raise OperationError(
                    f"cannot load job plugin {module!r} named in {PLUGINS_ENV}: {exc}"
                ) from exc
        _plugins_loaded = True


def default_settings(k: JobKind, now: str) -> JobSettings:
    return JobSettings(
        name=k.name,
        enabled=k.default_enabled,
        schedule=parse_schedule(k.default_schedule).text,
        computer=this_computer(),
        anchor=now,
        updated=now,
        options={key: spec.default for key, spec in k.options.items()},
    )


def _from_row(k: JobKind, row: dict[str, Any]) -> JobSettings:
    options = {key: spec.default for key, spec in k.options.items()}
    options.update({key: int(v) for key, v in (row.get("options") or {}).items() if key in k.options})
    return JobSettings(
        name=k.name,
        enabled=bool(row.get("enabled")),
        schedule=str(row.get("schedule") or k.default_schedule),
        computer=str(row.get("computer") or this_computer()),
        anchor=str(row.get("anchor") or row.get("updated") or stamp()),
        updated=str(row.get("updated") or ""),
        options=options,
    )


class Catalogue:
    def __init__(self, store: Store) -> None:
        self._store = store

    def ensure(self) -> None:
        """Persist default settings for any job kind not in the store yet (a fresh data dir)."""
        rows = self._store.table_rows(layout.JOBS, JOBS_TABLE)
        if all(k.name in rows for k in kinds()):
            return  # the common case: no lock, no write
        with self._store.transaction(layout.JOBS) as tx:
            table = tx.table(layout.JOBS, JOBS_TABLE)
            now = stamp()
            for k in kinds():
                if not table.contains(doc_id=k.name):
                    table.put(k.name, default_settings(k, now).to_doc())

    def all(self) -> list[JobSettings]:
        self.ensure()
        rows = self._store.table_rows(layout.JOBS, JOBS_TABLE)
        return [_from_row(k, rows.get(k.name) or {}) for k in kinds()]

    def get(self, name: str) -> JobSettings:
        k = kind(name)
        self.ensure()
        return _from_row(k, self._store.get(layout.JOBS, JOBS_TABLE, name) or {})

    def update(
        self,
        name: str,
        *,
        enabled: bool | None = None,
        schedule: str | None = None,
        computer: str | None = None,
        options: dict[str, int] | None = None,
    ) -> tuple[JobSettings, JobSettings]:
        """Validate everything first, then change the job in one transaction; returns (before, after)."""
        k = kind(name)
        parsed = parse_schedule(schedule) if schedule is not None else None
        host = check_computer_name(computer) if computer is not None else None
        checked = _check_options(k, options) if options else {}
        self.ensure()
        with self._store.transaction(layout.JOBS) as tx:
            table = tx.table(layout.JOBS, JOBS_TABLE)
            before = _from_row(k, dict(table.get(doc_id=name) or {}))
            after = JobSettings(**{**before.to_doc(), "options": dict(before.options)})
            now = stamp()
            if enabled is not None:
                after.enabled = enabled
            if parsed is not None:
                after.schedule = parsed.text
            if host is not None:
                after.computer = host
            after.options.update(checked)
            # Re-anchor when the job is switched on or its timing changes, not on unrelated edits.
            if (after.enabled and not before.enabled) or after.schedule != before.schedule:
                after.anchor = now
            after.updated = now
            table.put(name, after.to_doc())
        return before, after


def _check_options(k: JobKind, options: dict[str, int]) -> dict[str, int]:
    checked: dict[str, int] = {}
    for key, value in options.items():
        spec = k.options.get(key)
        if spec is None:
            known = ", ".join(k.options) or "none"
            raise InputError(f"job {k.name} has no option {key!r} (options: {known})")
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise InputError(f"option {key} of {k.name} must be a whole number, not {value!r}") from None
        if not spec.low <= number <= spec.high:
            raise InputError(f"option {key} of {k.name} must be {spec.low}-{spec.high}, not {number}")
        checked[key] = number
    return checked


# -- the built-in jobs ---------------------------------------------------------------------------------
# Bodies are named by import path, as entry points are: the catalogue never imports a job body (the google-sync
# body reads this catalogue's settings, so importing it here would close a circle), and listing or editing
# jobs does not load the sync. The runner imports a body when its job runs (core.jobs.base.load_body).
GOOGLE_SYNC = register(
    JobKind(
        name="google-sync",
        title="Google Sync Processor",
        description="Syncs every user who has Google sync enabled with their Google calendar and contacts.",
        body="studiosync.core.jobs.sync_job:google_sync",
        default_schedule="15m",
        default_enabled=False,  # off until IT has set up the Google tab of at least one user
        options={
            "horizon_days": OptionSpec(
                365, 7, 3650, "recurring Google events: days ahead that become appointments"
            )
        },
    )
)
BACKUP = register(
    JobKind(
        name="backup",
        title="Backup",
        description="Copies the store into a dated folder under backups/, keeping the newest ones.",
        body="studiosync.core.jobs.housekeeping:backup",
        default_schedule="0 2 * * *",
        default_enabled=True,  # cheap (the store is small) and the one job nobody remembers to turn on
        options={"keep": OptionSpec(7, 1, 365, "how many backups to keep")},
    )
)
COMPACT = register(
    JobKind(
        name="compact",
        title="Compact Store",
        description="Rewrites the store files, drops run history older than the retention, forgets old computers.",
        body="studiosync.core.jobs.housekeeping:compact",
        default_schedule="30 3 * * 0",
        default_enabled=True,
        options={"history_days": OptionSpec(30, 1, 3650, "days of run history to keep")},
    )
)
LOG_CLEANUP = register(
    JobKind(
        name="log-cleanup",
        title="Log Cleanup",
        description="Deletes rotated log files older than the retention.",
        body="studiosync.core.jobs.housekeeping:log_cleanup",
        default_schedule="0 4 * * *",
        default_enabled=True,
        options={"keep_days": OptionSpec(14, 1, 3650, "days of rotated logs to keep")},
    )
)
