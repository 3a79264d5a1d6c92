"""The Google Sync Processor: every enabled staff user, each isolated, a few in parallel.

For each user: calendar sync (then contacts, when on) -> a run record in the user's sync state file, the
outcome on the Google tab (last_sync / last_error + cause + fix / consecutive_failures), a structured log
trail (run id + user on every line) and, when asked for, the warning and detailed-log emails. One user's
failure (revoked grant, deleted calendar, quota, a bug) is recorded for that user only; the others sync.

Users run in a small thread pool: Google's quota is per user (about 600 requests/min), so parallel users
do not compete for it, and a slow or failing user never holds up the rest.

The company settings and every Google tab are read once per run, and the outcomes are written to the
studio file in one transaction every few seconds (not once per user): with hundreds of users, per-user
writes of the shared studio file (and the re-reads they force on everyone else) would cost more than the
sync itself. Run records live in each user's own small file, written as each user finishes
(core.sync.outcomes holds that bookkeeping).

The processor is handed its options (`SyncOptions`; core.jobs.sync_job reads them from the google-sync
job): it must never import the jobs layer or anything above it, and never sync a calendar itself
(core.sync.calendar_sync does). The company's mass-deletion limits are read with the other company
settings, once per run; `release` ("allow" | "restore") is a person's decision about the named users'
held deletions (core.sync.guard).

A user's run is "error" (exit 1) when it raised, or when it finished with something undone or apart that
needs a person or a retry (RunLog.fail: changes not sent, Google changes not applied, deletions held);
"warning" only for what needs no action to be correct.

`mode` picks the run: "full" (the scheduled run, Run now, `studiosync sync`), or one of live sync's passes
(core.jobs.live): "push" (pending studio changes only) and "pull" (one incremental listing per user; the
rest only for users with Google changes). A live pass is quiet when it changes nothing: it then writes
nothing, logs at debug level, and sends no email; its failures are logged and recorded in the user's run
history but leave the Google tab's outcome, emails and escalation to the full runs (a fast pull every
minute must not mail anyone every minute).

Every Calendar request waits for room in the studio's request budget (core.google.budget; Company prefs >
Google), shared by all users of the process.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any, Literal

from studiosync.core import clock, logs
from studiosync.core.google.api import RequestCounter
from studiosync.core.google.budget import RequestBudget
from studiosync.core.google.budget import shared as shared_budget
from studiosync.core.model.users import GooglePrefs
from studiosync.core.paths import FILE_MODE, ensure_private_dir
from studiosync.core.store import layout
from studiosync.core.store.records import CorruptRecord
from studiosync.core.studio.timeparse import stamp
from studiosync.core.sync import live_state
from studiosync.core.sync.calendar_sync import CalendarSync
from studiosync.core.sync.contacts_sync import ContactsSync
from studiosync.core.sync.damaged import damaged_users
from studiosync.core.sync.guard import RELEASES, Release
from studiosync.core.sync.options import DeletionLimits, SyncOptions
from studiosync.core.sync.outcomes import (
    Failure,
    OutcomeQueue,
    classify_failure,
    notify,
    save_run_record,
)
from studiosync.core.sync.runlog import RunLog
from studiosync.core.sync.runs import (
    CONFLICT_LIMIT,
    ProcessorResult,
    ProgressEvent,
    RunStatus,
    UserRunResult,
    zero_counts,
)
from studiosync.core.sync.services import calendar_service, forget_credentials, people_service
from studiosync.core.sync.services import credentials as user_credentials
from studiosync.core.sync.state import SyncState

__all__ = [
    "ProcessorResult",
    "ProgressEvent",
    "SyncOptions",
    "UserRunResult",
    "forget_credentials",
    "run_sync",
]

JOB = "google-sync"
Mode = Literal["full", "push", "pull"]


class NotLive(Exception):
    """This user's calendar needs a full run before live passes (core.sync.calendar_sync.live_ready)."""


def new_run_id() -> str:
    return clock.now().strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]


@dataclass
class _Run:
    """What every user of one run shares, read once."""

    studio: Any
    run_id: str
    stop: threading.Event | None
    options: SyncOptions
    tz_name: str
    api_root: str | None
    prefs: dict[str, GooglePrefs]
    outcomes: OutcomeQueue
    mode: Mode = "full"
    budget: RequestBudget | None = None
    release: Release | None = None

    def stopping(self) -> bool:
        return self.stop is not None and self.stop.is_set()

    @property
    def live(self) -> bool:
        return self.mode != "full"


def run_sync(
    studio: Any,
    logins: list[str] | None = None,
    *,
    run_id: str | None = None,
    stop: threading.Event | None = None,
    progress: Callable[[ProgressEvent], None] | None = None,
    options: SyncOptions | None = None,
    mode: Mode = "full",
    release: Release | None = None,
) -> ProcessorResult:
    """Sync every enabled user (or the named ones) once. Unknown login -> NotFoundError before any work.
    `options`: the caller's (core.jobs.sync_job.sync_options reads the google-sync job's); else defaults.
    `mode`: a full run, or a live pass ("push", "pull"; see the module docstring).
    `release`: what a person decided about the held deletions of the NAMED users ("allow" applies them,
    "restore" undoes them); refused without named users."""
    from studiosync.core.errors import InputError

    if release is not None and (release not in RELEASES or not logins):
        raise InputError("releasing held deletions needs the users named (studiosync sync LOGIN ...)")
    options = options or SyncOptions()
    run_id = run_id or new_run_id()
    started = stamp()
    all_prefs = {p.login: p for p in studio.users.all_google_prefs()}
    targets = _targets(studio, logins, all_prefs)
    company = studio.prefs.get()
    if options.deletions is None:
        limits = DeletionLimits(company.deletion_max_count, company.deletion_max_percent)
        options = replace(options, deletions=limits)
    total = len(targets)
    done: list[UserRunResult] = []
    done_lock = threading.Lock()
    budget = options.budget or shared_budget()
    budget.configure(
        company.google.per_user_per_minute,
        company.google.per_project_per_minute,
        first_backoff_s=options.policy.base_delay_s,
        max_backoff_s=options.policy.max_delay_s,
    )
    quiet_level = "DEBUG" if mode != "full" else "INFO"  # a fast pull every minute: only news is logged

    with logs.log_context(job=JOB, run_id=run_id):
        logs.event(
            quiet_level,
            f"Google sync {_WHAT[mode]} started for {total} user(s)",
            users=[t for t, _ in targets],
        )
        run = _Run(
            studio,
            run_id,
            stop,
            options,
            tz_name=company.timezone,
            api_root=studio.google.api_root() if total else None,
            prefs=all_prefs,
            outcomes=OutcomeQueue(studio),
            mode=mode,
            budget=budget,
            release=release,
        )
        if progress is not None:
            _safe_progress(progress, ProgressEvent(0, total, None, 0, 0, f"syncing {total} user(s)"))

        def work(login: str, skip: str | None) -> None:
            result = _run_user(run, login, skip)
            with done_lock:
                done.append(result)
                event = ProgressEvent(
                    len(done), total, login, result.pushed, result.pulled, result.one_line()
                )
            if not run.live:  # the Google tab's outcome (and escalation) follow the full runs
                run.outcomes.add(result)
            if progress is not None:
                _safe_progress(progress, event)

        workers = max(1, min(options.workers, total))
        try:
            if workers == 1:
                for login, skip in targets:
                    work(login, skip)
            else:
                with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="google-sync") as pool:
                    futures = [pool.submit(logs.bind(work), login, skip) for login, skip in targets]
                    for future in futures:
                        future.result()
        finally:
            run.outcomes.flush(force=True)
        order = {login: i for i, (login, _) in enumerate(targets)}
        users = sorted(done, key=lambda r: order[r.login])
        if mode == "full":  # a damaged user record is named by every full run, never skipped in silence
            users += damaged_users(studio, logins, all_prefs, run_id=run_id, started=started)
        live_state.mark_run(studio.store, users, pulled=mode != "push", meter=budget.snapshot())
        status, summary = _overall(users)
        news = any(u.changed or u.status in ("error", "warning") for u in users)
        level = {"error": "ERROR", "warning": "WARNING"}.get(status, "INFO" if news else quiet_level)
        logs.event(level, f"Google sync {_WHAT[mode]} finished: {summary}", status=status)
    return ProcessorResult(
        run_id=run_id, started=started, finished=stamp(), status=status, summary=summary, users=users
    )


_WHAT: dict[str, str] = {"full": "run", "push": "push pass", "pull": "pull pass"}


def _safe_progress(progress: Callable[[ProgressEvent], None], event: ProgressEvent) -> None:
    try:
        progress(event)
    except Exception as exc:  # noqa: BLE001 - a broken progress display must not break the sync
        logs.event("WARNING", f"progress callback failed: {exc!r}")


def _targets(
    studio: Any, logins: list[str] | None, all_prefs: dict[str, GooglePrefs]
) -> list[tuple[str, str | None]]:
    """(login, reason to skip or None). Named logins must exist; unnamed = every enabled staff user."""
    if logins:
        out: list[tuple[str, str | None]] = []
        for login in dict.fromkeys(logins):
            try:
                user = studio.users.get(login)  # NotFoundError for an unknown login
            except CorruptRecord:  # named in the run's result (core.sync.damaged); the others still sync
                continue
            prefs = all_prefs.get(login)
            if not user.can_sync:
                out.append((login, "a resource (rooms and locations cannot sync with Google)"))
            elif prefs is None or not prefs.enabled:
                out.append((login, "Google sync is not enabled in the user's Google tab"))
            else:
                out.append((login, None))
        return out
    staff = {u.login for u in studio.users.list() if u.can_sync}
    return [(login, None) for login, p in sorted(all_prefs.items()) if p.enabled and login in staff]


def _overall(users: list[UserRunResult]) -> tuple[RunStatus, str]:
    if not users:
        return "ok", "no user has Google sync enabled"
    tally: dict[str, int] = {}
    for r in users:
        tally[r.status] = tally.get(r.status, 0) + 1
    status: RunStatus = "error" if tally.get("error") else "warning" if tally.get("warning") else "ok"
    parts = [f"{n} {s}" for s, n in sorted(tally.items())]
    failed = [f"{r.login} ({r.cause})" for r in users if r.status == "error"]
    summary = f"{len(users)} user(s): {', '.join(parts)}"
    if failed:
        summary += f"; failed: {', '.join(failed)}"
    return status, summary


def _run_user(run: _Run, login: str, skip: str | None) -> UserRunResult:
    started = stamp()
    t0 = time.monotonic()
    if skip is None and run.stopping():
        skip = "the run was stopped before this user's turn"
    if skip is not None:
        return UserRunResult(login, "skipped", started, 0.0, zero_counts(), [skip], run_id=run.run_id)
    studio = run.studio
    with _user_lock(studio, login) as held:
        if not held:
            reason = "another sync of this user is running (a console, the daemon or a CLI run): skipped"
            with logs.log_context(job=JOB, run_id=run.run_id, user=login):
                logs.event("WARNING", reason)
            return UserRunResult(login, "skipped", started, 0.0, zero_counts(), [reason], run_id=run.run_id)
        return _run_user_locked(run, login, started, t0)


@contextmanager
def _user_lock(studio: Any, login: str) -> Iterator[bool]:
    """Non-blocking flock per user: two syncs of one user never interleave, in any process or thread
    (flock belongs to the open file description). The kernel releases it when a holder dies."""
    directory = ensure_private_dir(studio.datadir.locks)
    fd = os.open(directory / f"sync-{layout.user_key(login)}.lock", os.O_RDWR | os.O_CREAT, FILE_MODE)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)  # closing releases the lock


def _run_user_locked(run: _Run, login: str, started: str, t0: float) -> UserRunResult:
    studio = run.studio
    log = RunLog(login, run.run_id)
    counter = RequestCounter(owner=login, budget=run.budget)
    failure: Failure | None = None
    state: SyncState | None = None
    prefs = run.prefs[login]
    with logs.log_context(job=JOB, run_id=run.run_id, user=login):
        try:
            state = SyncState.load(studio.store, login)
            failure = _sync_user(run, prefs, state, log, counter)
        except NotLive as why:  # the full run's work first: nothing done, nothing to record
            return UserRunResult(login, "skipped", started, 0.0, zero_counts(), [str(why)], run_id=run.run_id)
        except Exception as exc:  # noqa: BLE001 - a user's failure is recorded, never spread to the others
            failure = classify_failure(exc)
            if failure.cause == "internal":  # the stack goes to a private crash file, never to a person
                crash_id = logs.new_crash_id()
                failure = replace(failure, fix=f"{(failure.fix or '').rstrip('.')} and crash id {crash_id}.")
                stack = traceback.format_exc(limit=20)
                log.error(failure.message, cause=failure.cause, fix=failure.fix, crash_id=crash_id, traceback=stack)
            else:
                log.error(f"sync failed: {failure.message}", cause=failure.cause, fix=failure.fix)
        failure = failure or log.failure()  # raised, else finished with something undone or apart
        status = "error" if failure else "warning" if log.warnings else "ok"
        result = UserRunResult(
            login=login,
            status=status,  # type: ignore[arg-type]
            started=started,
            duration_s=round(time.monotonic() - t0, 3),
            counts=dict(log.counts),
            warnings=list(log.warnings),
            error=failure.message if failure else None,
            cause=failure.cause if failure else None,
            fix=failure.fix if failure else None,
            requests={k: v for k, v in counter.snapshot().items() if v},
            run_id=run.run_id,
            conflicts=log.conflicts[:CONFLICT_LIMIT],
            held=log.held,
        )
        was_ok = state is None or not state.runs or state.runs[-1].get("status") == "ok"
        quiet = run.live and status == "ok" and not result.changed and was_ok
        if quiet:  # nothing happened: no line at INFO, no write
            logs.event("DEBUG", result.one_line(), requests=result.requests)
            return result
        log.info(result.one_line(), counts=result.counts, requests=result.requests, status=status)
        notify(studio, prefs, result, log.detail_lines())  # first: the run record says what was emailed
        save_run_record(studio, login, state, result)
    return result


def _sync_user(
    run: _Run, prefs: GooglePrefs, state: SyncState, log: RunLog, counter: RequestCounter
) -> Failure | None:
    studio = run.studio
    # The account first: without one no calendar can even be chosen (core.diagnosis' order).
    credentials = user_credentials(studio, prefs.login)
    if not prefs.calendar_id:
        return Failure(
            "no Google calendar is chosen for this user",
            "no_calendar",
            f"Pick an existing calendar in the user's Google tab (CLI: studiosync google set {prefs.login} --calendar ID).",
        )
    if state.bind_account(prefs.account_email):
        log.info(
            "the Google account changed since the last sync: its sync tokens were dropped (full listing)"
        )
    calendar = calendar_service(credentials, run.api_root, counter)
    engine = CalendarSync(
        studio,
        prefs,
        calendar,
        state,
        log,
        tz_name=run.tz_name,
        options=run.options,
        stop=run.stop,
        release=run.release,
    )
    if run.live:
        why = engine.live_ready()
        if why is not None:
            raise NotLive(why)
        if run.mode == "push":
            engine.push_pending()
        else:
            engine.pull_changes()
        return None
    engine.run()
    if prefs.contacts and not run.stopping():
        people = people_service(credentials, run.api_root, counter)
        ContactsSync(studio, prefs, people, state, log, options=run.options).run()
    return None
