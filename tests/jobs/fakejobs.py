"""Cheap job kinds for the scheduler tests.

Importing this module registers nothing: in-process tests use the `fake_jobs` fixture, which registers and
unregisters them, so no other test in the same worker (a Control Center snapshot, say) ever sees them.
Daemon subprocesses load tests.jobs.fakejobs_plugin with STUDIOSYNC_JOB_PLUGINS, which does register.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from studiosync.core.jobs.base import JobContext, JobOutcome
from studiosync.core.jobs.catalogue import JobKind, OptionSpec
from studiosync.core.logs import event, register_secret

SECRET_ENV = "STUDIOSYNC_TEST_SECRET"
HOLD_ENV = "STUDIOSYNC_TEST_HOLD"
TOKEN = "ya29.SECRETVALUE"
SCRATCH = "test/scratch"


def _sleep(ctx: JobContext) -> JobOutcome:
    """Sleeps `ms` (waking for the stop event), and on while the file named by $STUDIOSYNC_TEST_HOLD exists
    (a test holds a run open as long as it needs, whatever the load); with writes=1 keeps writing the store meanwhile, so a
    SIGTERM lands in the middle of store writes."""
    deadline = time.monotonic() + ctx.option("ms") / 1000
    hold = Path(os.environ[HOLD_ENV]) if os.environ.get(HOLD_ENV) else None
    writes = 0
    while (time.monotonic() < deadline or (hold is not None and hold.exists())) and not ctx.stop.is_set():
        if ctx.option("writes"):
            with ctx.studio.store.transaction(SCRATCH) as tx:
                table = tx.table(SCRATCH, "counter")
                row = table.get(doc_id="n") or {"n": 0, "pad": ""}
                table.put("n", {"n": row["n"] + 1, "pad": "x" * 20000})  # big enough to take a while
            writes += 1
        ctx.stop.wait(0.005 if ctx.option("writes") else 0.02)
    if ctx.stop.is_set():
        return JobOutcome("warning", f"stopped early (shutdown) after {writes} writes")
    return JobOutcome("ok", f"slept {ctx.option('ms')} ms")


def _fail(ctx: JobContext) -> JobOutcome:
    secret = os.environ.get(SECRET_ENV, "")
    register_secret(secret)  # as the processor does with the SMTP password and the OAuth client secret
    event("INFO", f"calling Google with Bearer {TOKEN} and {secret}", access_token=TOKEN, note=f"pw {secret}")
    raise RuntimeError(f"Google refused token {TOKEN} (client secret {secret})")


SLEEP = JobKind(
    name="test-sleep",
    title="Test Sleep",
    description="Sleeps (test job).",
    body=_sleep,
    default_schedule="1h",
    default_enabled=False,
    options={
        "ms": OptionSpec(500, 0, 600_000, "how long to sleep"),
        "writes": OptionSpec(0, 0, 1, "keep writing the store while sleeping"),
    },
)
FAIL = JobKind(
    name="test-fail",
    title="Test Fail",
    description="Logs secrets and fails (test job).",
    body=_fail,
    default_schedule="1h",
    default_enabled=False,
)
KINDS = (SLEEP, FAIL)
