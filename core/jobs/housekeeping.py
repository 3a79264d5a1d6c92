"""Bodies of the housekeeping jobs: backup, compact, log cleanup."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import timedelta
from pathlib import Path

from studiosync.core.jobs.base import JobContext, JobOutcome
from studiosync.core.jobs.computers import Computers
from studiosync.core.jobs.history import History
from studiosync.core.paths import FILE_MODE, ensure_private_dir
from studiosync.core.store.backups import list_backups
from studiosync.core.store.schema import schema_version
from studiosync.core.store.store import Store
from studiosync.core.store.verify import FileProblem, check_file
from studiosync.core.studio.timeparse import now_utc, stamp, zone

PARTIAL_PREFIX = ".partial-"
FORGET_COMPUTERS_AFTER = timedelta(days=180)


# -- backup -------------------------------------------------------------------------------------------
def backup(ctx: JobContext) -> JobOutcome:
    """Copy every store file into backups/<local date_time>/store/, consistently, keeping the newest N.

    Consistent: all store locks are held (in name order, as transactions take them, so no deadlock) while
    copying, so no transaction spanning several files can be half in the copy. Writers wait a moment;
    readers never do (files are replaced atomically). The copy is assembled in a hidden folder and renamed
    into place, so a backup interrupted half-way never counts as one.

    Never copies a corrupt file as if good: every copy is checked against the schema (core.store.verify);
    a corrupt one is left out, named in the manifest (`complete: false`, `corrupt`) and in a "warning"
    outcome with the repair, and no old backup is pruned meanwhile (one may hold its last good copy).
    """
    studio = ctx.studio
    root = ensure_private_dir(studio.datadir.backups)
    local = now_utc().astimezone(zone(studio.prefs.timezone))
    final = _free_name(root, local.strftime("%Y-%m-%d_%H%M%S"))
    partial = root / f"{PARTIAL_PREFIX}{ctx.run_id}"
    store = studio.store
    copied_bytes = 0
    names: list[str] = []
    try:
        ensure_private_dir(partial / "store")
        with _all_store_locks(store) as names:
            version = schema_version(store)
            for name in names:
                source = store.file(name).path
                if not source.exists():  # a file that was listed but never written
                    continue
                target = partial / "store" / f"{name}.json"
                ensure_private_dir(target.parent)
                copied_bytes += _copy_private(source, target)
        # Checked on the copies, after the locks are let go: writers never wait for the schema check.
        corrupt = _drop_corrupt(partial / "store", names)
        manifest = {
            "created": stamp(),
            "computer": ctx.computer,
            "run_id": ctx.run_id,
            "schema_version": version,
            "files": len(names) - len(corrupt),
            "bytes": copied_bytes,
            "complete": not corrupt,
            "corrupt": [{"file": p.shown, "problem": p.problem} for p in corrupt],
        }
        _write_private(partial / "manifest.json", json.dumps(manifest, indent=2).encode())
        os.rename(partial, final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    where = f"to backups/{final.name}"
    if corrupt:
        # An older backup may hold the last good copy of a corrupt file: none is removed until it is fixed.
        shown = ", ".join(f"{p.shown} ({p.problem})" for p in corrupt[:3]) + (", ..." if len(corrupt) > 3 else "")
        return JobOutcome(
            "warning",
            f"backed up {len(names) - len(corrupt)} of {len(names)} store files ({_size(copied_bytes)}) {where}; "
            f"NOT backed up, corrupt: {shown}; no old backup was removed. Repair: studiosync store verify, "
            f"then studiosync backup restore {corrupt[0].shown}",
        )
    removed = _prune_backups(root, ctx.option("keep"))
    return JobOutcome(
        "ok",
        f"backed up {len(names)} store files ({_size(copied_bytes)}) {where}"
        + (f"; removed {len(removed)} old backups" if removed else ""),
    )


def _drop_corrupt(folder: Path, names: list[str]) -> list[FileProblem]:
    """Check each copied file against the schema (core.store.verify); a corrupt copy is taken out of the
    backup, so a restore can never pick it and the backup says it is incomplete."""
    corrupt = []
    for name in names:
        copy = folder / f"{name}.json"
        problem = check_file(name, copy)
        if problem is not None:
            copy.unlink(missing_ok=True)
            corrupt.append(problem)
    return corrupt


@contextmanager
def _all_store_locks(store: Store) -> Iterator[list[str]]:
    """Hold the lock of every store file, taken in name order like transactions take them (no deadlock).

    A transaction may create a file while we are taking locks, so list again once we hold them all; if
    the listing changed, let go and start over (a few times; then copy what we hold).
    """
    for attempt in range(5):
        names = store.names()
        with ExitStack() as stack:
            for name in names:
                stack.enter_context(store.file(name).locked())
            if store.names() == names or attempt == 4:
                yield names
                return


def _free_name(root: Path, base: str) -> Path:
    candidate, n = root / base, 1
    while candidate.exists():  # two manual runs in one second
        candidate, n = root / f"{base}-{n}", n + 1
    return candidate


def _prune_backups(root: Path, keep: int) -> list[Path]:
    backups = list_backups(root)
    doomed = backups[:-keep] if keep > 0 else backups
    for path in doomed:
        shutil.rmtree(path, ignore_errors=True)
    # Leftovers of a backup killed half-way (older than a day, so never one running right now).
    for path in root.iterdir():
        if path.name.startswith(PARTIAL_PREFIX) and time.time() - path.stat().st_mtime > 86400:
            shutil.rmtree(path, ignore_errors=True)
    return doomed


def _copy_private(source: Path, target: Path) -> int:
    data = source.read_bytes()
    _write_private(target, data)
    return len(data)


def _write_private(target: Path, data: bytes) -> None:
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        _write_all(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _size(n: int) -> str:
    return (
        f"{n} bytes" if n < 10_000 else f"{n / 1024:.0f} KiB" if n < 10_000_000 else f"{n / 1048576:.1f} MiB"
    )


# -- compact ------------------------------------------------------------------------------------------
def compact(ctx: JobContext) -> JobOutcome:
    """Drop old run history, long-gone computers and the pending changes of users who never synced, then
    rewrite every store file (one at a time).

    Rewriting drops empty tables and leftovers of older versions' formatting; each file is its own
    transaction, so other processes wait at most for one small file.
    """
    store = ctx.studio.store
    dropped = History(store).prune(ctx.option("history_days"))
    forgotten = Computers(store).prune(FORGET_COMPUTERS_AFTER)
    appointments = ctx.studio.appointments
    unsynced = sum(appointments.drop_pending_if_never_synced(u.login) for u in ctx.studio.users.list())
    rewritten = before = after = 0
    names = store.names()
    for name in names:
        if ctx.stop.is_set():
            return JobOutcome(
                "warning", f"stopped early (shutdown) after rewriting {rewritten} of {len(names)} files"
            )
        f = store.file(name)
        with store.transaction(name):
            size = f.path.stat().st_size if f.path.exists() else 0
            f.set_data({table: rows for table, rows in f.data.items() if rows})
        before += size
        after += f.path.stat().st_size if f.path.exists() else 0
        rewritten += 1
    temps = store.remove_stale_temps()
    parts = [f"rewrote {rewritten} store files ({_size(before)} -> {_size(after)})"]
    parts.append(f"dropped {dropped} runs older than {ctx.option('history_days')} days")
    if forgotten:
        parts.append(f"forgot {forgotten} computers not seen for {FORGET_COMPUTERS_AFTER.days} days")
    if temps:
        parts.append(f"removed {temps} stale temporary files")
    if unsynced:
        parts.append(f"dropped {unsynced} pending changes of users who never enabled Google sync")
    return JobOutcome("ok", "; ".join(parts))


# -- log cleanup --------------------------------------------------------------------------------------
def log_cleanup(ctx: JobContext) -> JobOutcome:
    """Rotated logs and crash files (core.logs.crash) older than the job's keep_days go."""
    from studiosync.core.logs import cleanup_rotated, prune_crashes

    days = ctx.option("keep_days")
    deleted = cleanup_rotated(ctx.studio.datadir.logs, older_than=timedelta(days=days))
    crashes = prune_crashes(ctx.studio.datadir.logs, older_than=timedelta(days=days))
    crash_part = f"; deleted {len(crashes)} crash files" if crashes else ""
    if not deleted:
        return JobOutcome("ok", f"no rotated logs older than {days} days{crash_part}")
    return JobOutcome("ok", f"deleted {len(deleted)} rotated logs older than {days} days{crash_part}")
