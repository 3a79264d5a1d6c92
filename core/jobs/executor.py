"""The APScheduler executor of job fires: each fire runs in its own daemon thread and is told which fire
time it serves.

Must never run a job body in the event loop or in a pool thread that would keep a stopping process alive.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime
from typing import Any

from apscheduler.executors.base import BaseExecutor


class JobThreadExecutor(BaseExecutor):
    """Runs each fire in its own daemon thread and tells the job which fire time it serves.

    APScheduler's own executors don't pass the scheduled time to the job, and their pool threads would keep
    a stopping process alive behind a stuck network call; a daemon thread can be abandoned after the grace
    period (store writes are atomic, so abandoning one never leaves a half-written file).
    """

    def __init__(self) -> None:
        super().__init__()
        self._threads: set[threading.Thread] = set()
        self._threads_lock = threading.Lock()

    def _do_submit_job(self, job: Any, run_times: list[datetime]) -> None:
        thread = threading.Thread(
            target=self._run, args=(job, run_times[-1]), name=f"studiosync-job-{job.id}", daemon=True
        )
        with self._threads_lock:
            self._threads.add(thread)
        thread.start()

    def _run(self, job: Any, run_time: datetime) -> None:
        try:
            job.func(*job.args, scheduled_for=run_time, **job.kwargs)
        except BaseException as exc:  # noqa: BLE001 - reported to APScheduler like its own executors do
            self._run_job_error(job.id, exc, exc.__traceback__)
        else:
            self._run_job_success(job.id, [])
        finally:
            with self._threads_lock:
                self._threads.discard(threading.current_thread())

    @property
    def busy(self) -> bool:
        with self._threads_lock:
            return bool(self._threads)

    def join(self, timeout: float) -> bool:
        """Wait for running jobs; True if all finished in time."""
        deadline = time.monotonic() + timeout
        while True:
            with self._threads_lock:
                threads = list(self._threads)
            if not threads:
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            threads[0].join(min(remaining, 0.2))
