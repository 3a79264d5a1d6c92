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
sync itself. Run records live in each user's own small file, written as each user finishes.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from studiosync.core import logs
from studiosync.core.errors import InputError, NotFoundError, OperationError, StoreError, StudioSyncError
from studiosync.core.google.api import RequestCounter
from studiosync.core.google.errors import GoogleError, classify
from studiosync.core.model import GooglePrefs
from studiosync.core.paths import FILE_MODE, ensure_private_dir
from studiosync.core.store import layout
from studiosync.core.studio.timeparse import stamp
from studiosync.core.studio.users import GOOGLE
from studiosync.core.sync.calendar_sync import CalendarSync, SyncOptions
from studiosync.core.sync.contacts_sync import ContactsSync
from studiosync.core.sync.runlog import RunLog
from studiosync.core.sync.runs import (
    CONFLICT_LIMIT,
    ProcessorResult,
    ProgressEvent,
    RunStatus,
    UserRunResult,
    zero_counts,
)
from studiosync.core.sync.services import calendar_service, people_service
from studiosync.core.sync.state import SyncState

__all__ = ["ProcessorResult", "ProgressEvent", "SyncOptions", "UserRunResult", "run_sync"]

JOB = "google-sync"
FLUSH_EVERY_S = 2.0  # outcomes reach the Google tabs at least this often during a long run


def new_run_id() -> str:
    return time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]


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
    lock: threading.Lock = field(default_factory=threading.Lock)
    unsaved: list[UserRunResult] = field(default_factory=list)
    last_flush: float = field(default_factory=time.monotonic)

    def stopping(self) -> bool:
        return self.stop is not None and self.stop.is_set()


def run_sync(
    studio: Any,
    logins: list[str] | None = None,
    *,
    run_id: str | None = None,
    stop: threading.Event | None = None,
    progress: Callable[[ProgressEvent], None] | None = None,
    options: SyncOptions | None = None,
) -> ProcessorResult:
    """Sync every enabled user (or the named ones) once. Unknown login -> NotFoundError before any work."""
    options = options or processor_options(studio)
    run_id = run_id or new_run_id()
    started = stamp()
    all_prefs = {p.login: p for p in studio.users.all_google_prefs()}
    targets = _targets(studio, logins, all_prefs)
    total = len(targets)
    done: list[UserRunResult] = []
    done_lock = threading.Lock()

    with logs.log_context(job=JOB, run_id=run_id):
        logs.event("INFO", f"Google sync run started for {total} user(s)", users=[t for t, _ in targets])
        run = _Run(
            studio,
            run_id,
            stop,
            options,
            tz_name=studio.prefs.get().timezone,
            api_root=studio.google.api_root() if total else None,
            prefs=all_prefs,
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
            _queue_outcome(run, result)
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
            _flush_outcomes(run, force=True)
        order = {login: i for i, (login, _) in enumerate(targets)}
        users = sorted(done, key=lambda r: order[r.login])
        status, summary = _overall(users)
        logs.event(
            "ERROR" if status == "error" else "WARNING" if status == "warning" else "INFO",
            f"Google sync run finished: {summary}",
            status=status,
        )
    return ProcessorResult(
        run_id=run_id, started=started, finished=stamp(), status=status, summary=summary, users=users
    )


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
            user = studio.users.get(login)  # NotFoundError for an unknown login
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


# ----------------------------------------------------------------------------------------------------
@dataclass
class _Failure:
    message: str
    cause: str
    fix: str | None


def _classify_failure(exc: BaseException) -> _Failure:
    if isinstance(exc, GoogleError):
        p = exc.problem
        return _Failure(p.message, p.cause, p.fix)
    if isinstance(exc, NotFoundError | InputError):
        fix = exc.fix or "Check the user's Google tab and the Google API settings."
        return _Failure(str(exc), "not_configured", fix)
    if isinstance(exc, StoreError):
        from studiosync.core.explain import explain_exception

        found = explain_exception(exc, context="store")  # store_corrupt, store_disk_full, store_lock...
        return _Failure(str(exc), found.cause, exc.fix or found.fix)
    if isinstance(exc, OperationError):
        cause = "not_authenticated" if "authenticated" in str(exc) else "operation"
        return _Failure(str(exc), cause, exc.fix)
    if isinstance(exc, StudioSyncError):
        return _Failure(str(exc), "operation", exc.fix)
    p = classify(exc)
    if p.cause == "unknown":
        first = str(exc).splitlines()[0] if str(exc) else ""
        return _Failure(
            f"internal error: {type(exc).__name__}: {first}".rstrip(": "),
            "internal",
            "Retry; if it persists, report it with the studiosync log.",
        )
    return _Failure(p.message, p.cause, p.fix)


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
    counter = RequestCounter()
    failure: _Failure | None = None
    state: SyncState | None = None
    prefs = run.prefs[login]
    with logs.log_context(job=JOB, run_id=run.run_id, user=login):
        try:
            state = SyncState.load(studio.store, login)
            failure = _sync_user(run, prefs, state, log, counter)
        except Exception as exc:  # noqa: BLE001 - a user's failure is recorded, never spread to the others
            failure = _classify_failure(exc)
            if failure.cause == "internal":
                log.error(failure.message, traceback=traceback.format_exc(limit=20))
            else:
                log.error(f"sync failed: {failure.message}", cause=failure.cause, fix=failure.fix)
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
        )
        log.info(result.one_line(), counts=result.counts, requests=result.requests, status=status)
        _save_run_record(studio, login, state, result)
        _notify(studio, prefs, result, log.detail_lines(), state)
    return result


def processor_options(studio: Any) -> SyncOptions:
    """The processor's settings are the google-sync job's options (Control Center), so a scheduled run,
    Run now and `studiosync sync` all expand recurring events over the same horizon."""
    from studiosync.core.jobs.service import Jobs

    try:
        horizon = Jobs(studio).get("google-sync").options.get("horizon_days")
    except Exception:  # noqa: BLE001 - no job settings yet (or unreadable): the built-in default
        horizon = None
    return SyncOptions(horizon_days=int(horizon)) if horizon else SyncOptions()


def _sync_user(
    run: _Run, prefs: GooglePrefs, state: SyncState, log: RunLog, counter: RequestCounter
) -> _Failure | None:
    if not prefs.calendar_id:
        return _Failure(
            "no Google calendar is chosen for this user",
            "no_calendar",
            f"Pick an existing calendar in the user's Google tab (CLI: studiosync google set {prefs.login} --calendar ID).",
        )
    studio = run.studio
    if state.bind_account(prefs.account_email):
        log.info(
            "the Google account changed since the last sync: its sync tokens were dropped (full listing)"
        )
    credentials = _credentials(studio, prefs.login)
    calendar = calendar_service(credentials, run.api_root, counter)
    engine = CalendarSync(
        studio, prefs, calendar, state, log, tz_name=run.tz_name, options=run.options, stop=run.stop
    )
    engine.run()
    if prefs.contacts and not run.stopping():
        people = people_service(credentials, run.api_root, counter)
        ContactsSync(studio, prefs, people, state, log, options=run.options).run()
    return None


# Access tokens live an hour: reuse a user's credentials across runs of this process instead of asking the
# token endpoint again every few minutes. Keyed by data dir and login; replaced when the stored refresh
# token changes (re-authentication) or the OAuth client does.
_CREDENTIALS: dict[tuple[str, str], Any] = {}
_CREDENTIALS_LOCK = threading.Lock()


def _credentials(studio: Any, login: str) -> Any:
    fresh = studio.google.credentials(login)
    key = (str(studio.datadir.root), login)
    with _CREDENTIALS_LOCK:
        cached = _CREDENTIALS.get(key)
        if (
            cached is not None
            and cached.refresh_token == fresh.refresh_token
            and cached.client_id == fresh.client_id
            and cached.client_secret == fresh.client_secret
            and cached.token_uri == fresh.token_uri
        ):
            return cached
        _CREDENTIALS[key] = fresh
        return fresh


def forget_credentials(studio: Any | None = None, login: str | None = None) -> None:
    """Drop cached credentials (all, one studio's, or one user's)."""
    with _CREDENTIALS_LOCK:
        for key in list(_CREDENTIALS):
            if (studio is None or key[0] == str(studio.datadir.root)) and (login is None or key[1] == login):
                del _CREDENTIALS[key]


# -- after each user ----------------------------------------------------------------------------------
def _save_run_record(studio: Any, login: str, state: SyncState | None, result: UserRunResult) -> None:
    """The run record goes to the user's own sync state file. A store failure here is logged, not raised."""
    try:
        if state is None:
            state = SyncState.load(studio.store, login)
        state.add_run(result.record())
        state.save(studio.store)
    except Exception as exc:  # noqa: BLE001
        logs.event("ERROR", f"could not save the run record: {exc}")


def _notify(
    studio: Any, prefs: GooglePrefs, result: UserRunResult, details: list[str], state: SyncState | None
) -> None:
    """The run's emails. The fingerprint of the problems emailed is kept in the sync state so the email of a
    standing problem can say it is not new; a clean run clears it."""
    from studiosync.core.sync.emails import problems_fingerprint, send_run_emails

    try:
        if state is None:
            with contextlib.suppress(Exception):
                state = SyncState.load(studio.store, prefs.login)
        emailed = state.notify.get("problems") if state is not None else None
        sent = send_run_emails(studio, prefs, result, details, emailed=emailed)
    except Exception as exc:  # noqa: BLE001 - an email failure never fails (or repeats) the sync
        logs.event("WARNING", f"could not send the sync email: {exc}")
        return
    if state is None:
        return
    try:
        if "warning" in sent:
            state.notify["problems"] = problems_fingerprint(result)
        elif result.status == "ok":
            state.notify.pop("problems", None)
        state.save(studio.store)  # writes only when the fingerprint changed
    except Exception as exc:  # noqa: BLE001
        logs.event("ERROR", f"could not record the emailed problems: {exc}")


def _queue_outcome(run: _Run, result: UserRunResult) -> None:
    if result.status == "skipped":
        return
    with run.lock:
        run.unsaved.append(result)
    _flush_outcomes(run, force=False)


def _flush_outcomes(run: _Run, *, force: bool) -> None:
    """Write queued outcomes to the Google tabs in one transaction, then let escalation look at them."""
    with run.lock:
        if not run.unsaved or (not force and time.monotonic() - run.last_flush < FLUSH_EVERY_S):
            return
        batch, run.unsaved = run.unsaved, []
        run.last_flush = time.monotonic()
    try:
        watch = set(save_outcomes(run.studio, batch))
    except Exception as exc:  # noqa: BLE001
        logs.event("ERROR", f"could not save the sync outcome on the Google tabs: {exc}")
        return
    for result in batch:
        if result.login in watch:  # healthy users never need escalation: skip its store reads
            _escalate(run.studio, result)


def save_outcomes(studio: Any, results: list[UserRunResult]) -> list[str]:
    """Each user's Google tab gets the outcome of its run; only these fields are touched (re-read under the
    lock, so a concurrent edit of the tab in the console is kept). Returns the logins escalation must look
    at: failing ones, and recovered ones whose admins were told."""
    now = stamp()
    watch: list[str] = []
    with studio.store.transaction(layout.STUDIO) as tx:
        table = tx.table(layout.STUDIO, GOOGLE)
        for result in results:
            row = table.get(doc_id=result.login)
            if row is None:
                continue  # removed meanwhile
            doc = dict(row)
            doc["last_attempt"] = result.started
            if result.status == "error":
                doc.update(
                    last_error=result.error,
                    last_error_cause=result.cause,
                    last_error_fix=result.fix,
                    consecutive_failures=int(doc.get("consecutive_failures") or 0) + 1,
                )
                watch.append(result.login)
            else:
                doc.update(
                    last_sync=now,
                    last_error=None,
                    last_error_cause=None,
                    last_error_fix=None,
                    consecutive_failures=0,
                )
                if doc.get("escalated"):
                    watch.append(result.login)
            table.put(result.login, doc)
    return watch


def _escalate(studio: Any, result: UserRunResult) -> None:
    """Admins hear about a user whose sync keeps failing (core.escalation keeps its own never-raise rule)."""
    try:
        from studiosync.core.escalation import after_user_run

        after_user_run(studio, result.login, result.status != "error")
    except Exception as exc:  # noqa: BLE001
        logs.event("WARNING", f"admin escalation check failed: {exc}")
