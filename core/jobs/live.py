"""Live sync: the google-sync job between its scheduled full runs -- push on save and a fast pull.

While the job is enabled, on its computer, with its `live` option on, the process that runs it (a
console with the embedded scheduler, or `studiosync serve`; core.jobs.scheduler starts and stops this)
keeps one thread doing two things:

- Push on save. It waits on the store's change signal (core.store.watch: inotify on the pending files,
  else a short stat poll) -- any process committing a studio change for a syncing user wakes it within a
  second -- reads that user's pending entries, and collects the users with entries it has not tried yet
  (core.jobs.live_timing.Debouncer: a burst of edits becomes one pass). Then ONE push pass sends just
  those users' changes (core.jobs.live_pass).
- Fast pull. Every `pull_every` seconds (stretched when the budget asks: live_timing.pull_interval) one
  pull pass checks every syncing user with ONE incremental events.list; only users with Google changes do
  more (series, commit, pushes). Contacts, re-expansion, Populate and housekeeping stay with the full run.

Passes take the job's run lock, so they never overlap the scheduled run or another process's pass; when
the lock is busy the work waits a moment and goes in the next pass. Only one process per computer runs
this thread at a time (a "leader" flock next to the run lock): a console and a daemon side by side do not
both watch and pull; when the leader exits, the other takes over within seconds. The project's request
budget (core.google.budget) is respected: no pass starts while Google asked us to back off, and a pull
round waits while the project's window is more than half used (the full runs come first).

Every wall-clock decision reads core.clock (seeding the pull round from the stored marks); intervals and
debouncing use time.monotonic. This module schedules passes; it never syncs anything itself.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from studiosync.core import clock
from studiosync.core.errors import StudioSyncError
from studiosync.core.google.budget import shared as shared_budget
from studiosync.core.jobs.history import RunRecord
from studiosync.core.jobs.live_pass import JOB, Busy, PassRecorder, job_settings, run_pass
from studiosync.core.jobs.live_timing import Debouncer, Holds, pull_interval
from studiosync.core.logs import event, log_context
from studiosync.core.paths import FILE_MODE, ensure_private_dir
from studiosync.core.store import layout
from studiosync.core.store.watch import PendingWatcher
from studiosync.core.studio.studio import Studio
from studiosync.core.sync.live_state import marks

IDLE_S = 2.0  # longest sleep: settings and leadership are looked at again this often
RETRY_S = 0.5  # the run lock was busy: try again this soon
ROUND_SKIP = 0.5  # a user pulled (by a full run) within this share of the interval sits a round out
BUSY_BUDGET = 0.5  # a pull round waits while the project's last minute used more than this share
MIN_HOLD_S = 60.0  # a user whose pass failed sits out at least this long (then longer each time)


class LiveSync:
    """The live sync thread of one process. `start()`, then `stop()`; `listener` hears each pass record."""

    def __init__(
        self,
        studio: Studio,
        *,
        process: str,
        listener: Callable[[RunRecord], None] | None = None,
        use_inotify: bool = True,
        debouncer: Debouncer | None = None,
        pull_every: float | None = None,  # tests only: below the option's 15 s minimum
    ) -> None:
        self.studio = studio
        self.process = process
        self._listener = listener
        self._use_inotify = use_inotify
        self._debounce = debouncer or Debouncer()
        self._pull_every_override = pull_every
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._watcher: PendingWatcher | None = None
        self._leader_fd: int | None = None
        self._holds = Holds()
        self._attempted: dict[str, dict[str, int]] = {}  # login -> pending entries a push pass took
        self._deferred: dict[str, float] = {}  # login -> when its push may be tried again (monotonic)
        self._next_round: float | None = None
        self._recorder = PassRecorder(studio)
        self.passes = 0  # passes run by this thread (tests and the benchmark read it)
        self.busy = 0  # times a pass found the run lock held (by a full run or another process)

    # -- lifecycle -------------------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="studiosync-live-sync", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._watcher is not None:
            self._watcher.wake()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        with log_context(job=JOB):
            try:
                while not self._stop.is_set():
                    try:
                        self._step()
                    except StudioSyncError as exc:  # the store is unreadable, a disk is full...
                        event("ERROR", f"live sync: {exc}", fix=exc.fix)
                        self._stop.wait(IDLE_S * 5)
                    except Exception as exc:  # noqa: BLE001 - a bug must not end live sync for good
                        event("ERROR", f"live sync failed: {exc.__class__.__name__}: {exc}")
                        self._stop.wait(IDLE_S * 5)
            finally:
                with contextlib.suppress(Exception):
                    self._recorder.flush()
                self._release()

    # -- one turn of the loop --------------------------------------------------------------------------
    def _step(self) -> None:
        if not self._lead():
            self._stop.wait(IDLE_S)
            return
        settings = job_settings(self.studio)
        if settings is None:  # disabled, moved, live off: the scheduler stops us soon
            self._stop.wait(IDLE_S)
            return
        users = self._syncing()
        watcher = self._watch(users)
        interval = self._interval(settings, len(users))
        if self._next_round is None:
            self._next_round = self._first_round(users, interval)
            self._note(users, set(users))  # changes made while nobody watched
        now = time.monotonic()
        timeout = min(
            IDLE_S,
            self._debounce.due_in(),
            max(0.0, self._next_round - now),
            max(0.0, min(self._deferred.values(), default=now + IDLE_S) - now),
        )
        changed_keys = watcher.wait(timeout)
        if self._stop.is_set():
            return
        by_key = {layout.user_key(login): login for login in users}
        self._note(users, {by_key[k] for k in changed_keys if k in by_key})
        paused = shared_budget().paused_for()
        if paused > 0:  # Google asked the project to back off: nothing leaves until then
            self._stop.wait(min(paused, IDLE_S))
            return
        self._release_deferred()
        pushes = self._debounce.take()
        if pushes:
            self._push(pushes, interval)
        if time.monotonic() >= self._next_round:
            self._pull(users, interval)

    # -- push on save ----------------------------------------------------------------------------------
    def _note(self, users: set[str], changed: set[str]) -> None:
        """Users among `changed` with pending entries no push pass has tried yet go to the debouncer."""
        fresh = []
        for login in changed:
            if login not in users:
                continue
            pending = self.studio.appointments.pending_revisions(login)
            tried = self._attempted.get(login, {})
            if any(tried.get(aid) != rev for aid, rev in pending.items()):
                fresh.append(login)
            else:  # forget entries that are gone: a later edit at the same revision cannot happen
                self._attempted[login] = {a: r for a, r in tried.items() if pending.get(a) == r}
        self._debounce.add(fresh)

    def _push(self, logins: set[str], interval: float) -> None:
        ready = sorted(u for u in logins if not self._holds.held(u))
        for login in logins - set(ready):  # after a failure: once the hold ends (or with the full run)
            self._defer(login, self._holds.release_in(login))
        if not ready:
            return
        taken = {u: self.studio.appointments.pending_revisions(u) for u in ready}
        result = self._pass("push", ready, interval)
        if result is None:  # the run lock was busy: all of it again in a moment
            self._debounce.add(ready, at_once=True)
            return
        for login in ready:
            if login in result.retry:  # its sync lock was busy (a `studiosync sync` of that user)
                self._defer(login, IDLE_S)
            else:
                self._attempted[login] = {**self._attempted.get(login, {}), **taken[login]}

    def _defer(self, login: str, delay: float) -> None:
        self._deferred[login] = time.monotonic() + max(RETRY_S, delay)

    def _release_deferred(self) -> None:
        now = time.monotonic()
        due = {u for u, at in self._deferred.items() if at <= now}
        for login in due:
            del self._deferred[login]
        self._debounce.add(due, at_once=True)

    # -- fast pull -------------------------------------------------------------------------------------
    def _pull(self, users: set[str], interval: float) -> None:
        budget = shared_budget()
        if budget.share_used() > BUSY_BUDGET:  # a full run is busy with the budget: it comes first
            self._next_round = time.monotonic() + IDLE_S
            return
        recent = self._recently_pulled(users, interval * ROUND_SKIP)
        half_user = budget.limits.per_user * BUSY_BUDGET
        due = sorted(
            u for u in users if u not in recent and not self._holds.held(u) and budget.used(u) <= half_user
        )
        started = time.monotonic()
        if due and self._pass("pull", due, interval) is None:
            self._next_round = time.monotonic() + RETRY_S
            return
        self._next_round = started + interval

    # -- a pass ----------------------------------------------------------------------------------------
    def _pass(self, kind: str, logins: list[str], interval: float) -> Any:
        """Run one pass; None when the run lock was busy (the caller keeps the work)."""
        try:
            result = run_pass(self.studio, kind, logins, process=self.process, stop=self._stop)
        except Busy:
            self.busy += 1
            self._stop.wait(RETRY_S)
            return None
        self.passes += 1
        for login in result.done:
            self._holds.ok(login)
        for login in result.failed:
            delay = self._holds.fail(login, max(interval, MIN_HOLD_S))
            event(
                "WARNING", f"live sync: {login}'s {kind} failed; live passes leave it alone for {delay:.0f} s"
            )
        if result.record is not None:
            self._recorder.add(result.record)
            if self._listener is not None:
                with contextlib.suppress(Exception):
                    self._listener(result.record)
        return result

    # -- helpers ---------------------------------------------------------------------------------------
    def _syncing(self) -> set[str]:
        """The staff users with Google sync enabled."""
        staff = {u.login for u in self.studio.users.list() if u.can_sync}
        return {p.login for p in self.studio.users.all_google_prefs() if p.enabled and p.login in staff}

    def _watch(self, users: set[str]) -> PendingWatcher:
        if self._watcher is None:
            store = self.studio.store
            self._watcher = PendingWatcher(
                store.root / "pending",
                lambda key: store.file(layout.pending_file_of_key(key)).disk_version(),
                use_inotify=self._use_inotify,
            )
            event("INFO", f"live sync watching studio changes ({self._watcher.mode})", pid=os.getpid())
        self._watcher.watch(layout.user_key(login) for login in users)
        return self._watcher

    def _interval(self, settings: Any, users: int) -> float:
        every = self._pull_every_override or float(settings.options.get("pull_every") or 60)
        return pull_interval(every, users, shared_budget().limits.per_project)

    def _first_round(self, users: set[str], interval: float) -> float:
        """The first pull round: when the newest stored pull mark is `interval` old (a restart does not
        pull everyone again at once), else now."""
        now = clock.now()
        ages = [
            a for a in (_age(m.get("last_pull"), now) for m in _marks(self.studio, users)) if a is not None
        ]
        wait = max(0.0, interval - min(ages)) if ages else 0.0
        return time.monotonic() + min(wait, interval)

    def _recently_pulled(self, users: set[str], within: float) -> set[str]:
        """Users pulled less than `within` seconds ago (by a full run, or before a restart)."""
        now = clock.now()
        found = marks(self.studio.store)
        return {
            u
            for u in users
            if (age := _age((found.get(u) or {}).get("last_pull"), now)) is not None and age < within
        }

    def _lead(self) -> bool:
        """Hold the computer's live-sync leadership (a flock; the kernel drops it when we die)."""
        if self._leader_fd is not None:
            return True
        locks = ensure_private_dir(self.studio.datadir.locks)
        fd = os.open(locks / f"job-{JOB}.live.lock", os.O_RDWR | os.O_CREAT, FILE_MODE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._leader_fd = fd
        return True

    def _release(self) -> None:
        if self._watcher is not None:
            self._watcher.close()
            self._watcher = None
        if self._leader_fd is not None:
            fd, self._leader_fd = self._leader_fd, None
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


def _marks(studio: Studio, users: set[str]) -> list[dict[str, Any]]:
    found = marks(studio.store)
    return [found[u] for u in users if u in found]


def _age(text: str | None, now: datetime) -> float | None:
    if not text:
        return None
    try:
        return (now - datetime.fromisoformat(text)).total_seconds()
    except ValueError:
        return None
