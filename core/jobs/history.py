"""Run history: every job run, newest first, bounded (the RUNS store file).

A run is written twice: once when it starts ("running", so the console can show it) and once when it ends.
A skipped start (the job was already running) is one write. Each job keeps its newest MAX_PER_JOB runs, so
a chatty job (google-sync every 15 minutes) never pushes the nightly backup's history out.

Every record says which kind of run it was: `scheduled`, `manual`, or one of google-sync's live passes
(`push`: studio changes sent on save, `pull`: the fast incremental check; core.jobs.live). A live pass is
written once, when it ends, and consecutive quiet ones (nothing changed, nothing failed) merge into one
record with a repeat count, as the per-user history does, so an idle day never floods the history.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from studiosync.core.jobs.computers import same_computer, this_computer
from studiosync.core.store import layout
from studiosync.core.store.store import Store
from studiosync.core.studio.timeparse import now_utc

RUNS_TABLE = "runs"
MAX_PER_JOB = 200

RunStatus = Literal["running", "ok", "warning", "error", "skipped"]
Trigger = Literal["schedule", "manual", "live"]
RunKind = Literal["scheduled", "manual", "push", "pull"]
LIVE_KINDS = frozenset({"push", "pull"})


@dataclass
class RunRecord:
    """One run of a job, as the run history keeps it: which job, where and why it ran, when, how it ended and
    (google-sync) each user's part."""

    id: str
    job: str
    computer: str
    pid: int
    process: str  # console | daemon | cli
    trigger: str  # schedule | manual | live
    scheduled_for: str | None  # the fire time this run serves (UTC ISO); None for manual runs
    started: str
    finished: str | None = None
    status: str = "running"
    summary: str = ""
    duration_s: float | None = None
    users: list[dict[str, Any]] = field(default_factory=list)
    kind: str = ""  # scheduled | manual | push | pull (from the trigger for records written before kinds)
    # Quiet live passes merged into this record: how many, and the newest one's start and end.
    repeats: int = 1
    last_started: str | None = None
    last_finished: str | None = None

    def __post_init__(self) -> None:
        if not self.kind:
            self.kind = "scheduled" if self.trigger == "schedule" else "manual"

    @property
    def live(self) -> bool:
        return self.kind in LIVE_KINDS

    @property
    def quiet(self) -> bool:
        """A live pass that changed nothing and met no problem (mergeable with the next quiet one)."""
        return self.live and self.status == "ok" and not self.users

    def to_doc(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> RunRecord:
        names = cls.__dataclass_fields__
        return cls(**{k: v for k, v in doc.items() if k in names})


class History:
    def __init__(self, store: Store) -> None:
        self._store = store

    def begin(self, record: RunRecord) -> None:
        """Write the "running" record. The caller holds the job's run lock, so any other "running"
        record of this job on this computer belongs to a process that died mid-run: close it."""
        with self._store.transaction(layout.RUNS) as tx:
            table = tx.table(layout.RUNS, RUNS_TABLE)
            for doc in table.all():
                row = dict(doc)
                if (
                    row.get("job") == record.job
                    and row.get("status") == "running"
                    and same_computer(row.get("computer"), record.computer)
                ):
                    row.update(
                        status="error",
                        finished=row.get("finished") or record.started,
                        summary=f"interrupted: process {row.get('pid')} ended during the run",
                    )
                    table.put(str(doc.doc_id), row)
            table.put(record.id, record.to_doc())

    def finish(self, record: RunRecord) -> None:
        """Write the final record (one write per run end) and keep the job's history bounded."""
        with self._store.transaction(layout.RUNS) as tx:
            table = tx.table(layout.RUNS, RUNS_TABLE)
            table.put(record.id, record.to_doc())
            _bound(table, record.job)

    def finish_live(self, record: RunRecord) -> RunRecord:
        """Write a live pass (one write, at its end). A quiet one is merged into the job's newest record
        when that one is a quiet pass of the same kind; returns what was written."""
        with self._store.transaction(layout.RUNS) as tx:
            table = tx.table(layout.RUNS, RUNS_TABLE)
            newest = _newest(table.all(), record.job)
            if record.quiet and newest is not None:
                previous = RunRecord.from_doc(dict(newest))
                if previous.quiet and previous.kind == record.kind:
                    previous.repeats += record.repeats
                    previous.last_started = record.last_started or record.started
                    previous.last_finished = record.last_finished or record.finished
                    table.put(previous.id, previous.to_doc())
                    return previous
            table.put(record.id, record.to_doc())
            _bound(table, record.job)
        return record

    def list(self, job: str | None = None, limit: int | None = 50) -> list[RunRecord]:
        rows = self._store.table_rows(layout.RUNS, RUNS_TABLE)
        records = [RunRecord.from_doc(r) for r in rows.values() if job is None or r.get("job") == job]
        records.sort(key=lambda r: r.started, reverse=True)
        if limit is not None:
            records = records[:limit]
        return [_mark_dead(r) for r in records]

    def last(self, job: str) -> RunRecord | None:
        """The newest full run that actually ran (skips say nothing about how the job is doing, and live
        passes are not the runs its schedule counts)."""
        for record in self.list(job, limit=None):
            if record.status != "skipped" and not record.live:
                return record
        return None

    def last_live(self, job: str) -> RunRecord | None:
        """The newest live pass (push or pull) of the job, if any."""
        return next((r for r in self.list(job, limit=None) if r.live), None)

    def served(self, job: str, computer: str, scheduled_for: str) -> RunRecord | None:
        """A run of `job` on `computer` for this exact fire time, if one exists (another process on this
        computer fired for the same schedule: the run belongs to it, not to us)."""
        rows = self._store.table_rows(layout.RUNS, RUNS_TABLE)
        for row in rows.values():
            if (
                row.get("job") == job
                and row.get("scheduled_for") == scheduled_for
                and row.get("status") != "skipped"
                and same_computer(row.get("computer"), computer)
            ):
                return RunRecord.from_doc(row)
        return None

    def prune(self, keep_days: int, now: datetime | None = None) -> int:
        """Drop runs that started more than `keep_days` ago (the compact job); returns how many."""
        cutoff = ((now or now_utc()) - timedelta(days=keep_days)).isoformat(timespec="milliseconds")
        with self._store.transaction(layout.RUNS) as tx:
            table = tx.table(layout.RUNS, RUNS_TABLE)
            old = [
                str(d.doc_id)
                for d in table.all()
                if (d.get("started") or "") < cutoff and d.get("status") != "running"
            ]
            table.delete(*old)
        return len(old)


def _bound(table: Any, job: str) -> None:
    """Keep the job's newest MAX_PER_JOB records."""
    mine = sorted(
        ((str(d.doc_id), d.get("started") or "") for d in table.all() if d.get("job") == job),
        key=lambda item: item[1],
        reverse=True,
    )
    table.delete(*[doc_id for doc_id, _ in mine[MAX_PER_JOB:]])


def _newest(docs: list[Any], job: str) -> Any | None:
    """The job's most recent record (a merged record counts from its newest pass)."""
    mine = [d for d in docs if d.get("job") == job]
    return max(mine, key=lambda d: d.get("last_started") or d.get("started") or "", default=None)


def _mark_dead(record: RunRecord) -> RunRecord:
    """A "running" record of a process on this computer that no longer exists shows as interrupted."""
    if (
        record.status == "running"
        and same_computer(record.computer, this_computer())
        and not _pid_alive(record.pid)
    ):
        record.status = "error"
        record.summary = f"interrupted: process {record.pid} ended during the run"
    return record


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True
