"""The studio-wide checks of the Google Sync Processor job: it is enabled, scheduled and on a computer that
is alive, with the Calendar request rate its process measured against the budget (`sync_job`), and that
computer last reported this same studiosync version (`version`).

Must never start, stop or change a job: it only reads the catalogue and the computers' heartbeats.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from studiosync.core import clock
from studiosync.core.doctor.checks import ago, make
from studiosync.core.doctor.report import Check
from studiosync.core.errors import StudioSyncError
from studiosync.core.health.users import seconds_since

if TYPE_CHECKING:
    from studiosync.core.jobs.computers import Computer
    from studiosync.core.studio.studio import Studio

SYNC_JOB = "google-sync"
CONTROL = "Utilities > Control Center > Google Sync Processor"
STOPPED_FAIL_AFTER = timedelta(hours=24)  # stopped this long = the computer is off or abandoned: fail


# -- the Google Sync Processor job --------------------------------------------------------------------
def sync_job(studio: Studio, now: datetime | None = None) -> Check:
    from studiosync.core.jobs.computers import same_computer
    from studiosync.core.jobs.service import Jobs

    name = "sync_job"
    now = now or clock.now()
    jobs = Jobs(studio)
    try:
        job = jobs.get(SYNC_JOB)
    except StudioSyncError as exc:
        return make(
            name,
            "fail",
            f"The Google Sync Processor settings cannot be read: {exc.message}",
            exc.fix or CONTROL,
        )
    if not job.enabled:
        return make(
            name,
            "fail",
            "The Google Sync Processor job is disabled: nobody's appointments sync.",
            f"{CONTROL}: check Enabled, then Save (CLI: studiosync jobs set {SYNC_JOB} --enable)",
        )
    ran = f"; last run {ago(seconds_since(job.last_run, now))}: {job.last_status}" if job.last_run else ""
    where = f"Enabled, {job.schedule_text}, on computer {job.computer}"
    fix = (
        f"Start the console or `studiosync serve` on {job.computer}, or choose the computer that runs it: "
        f"{CONTROL} > Computer (CLI: studiosync jobs set {SYNC_JOB} --computer HOST)"
    )
    if not job.computer_known:
        return make(
            name,
            "fail",
            f"{where}, but studiosync has never run on {job.computer} (no heartbeat), so the job never runs.",
            fix,
        )
    computer = next(c for c in jobs.computers() if same_computer(c.host, job.computer))
    if not job.computer_alive:
        stopped_for = seconds_since(computer.last_seen, now)
        # Stopped a while ago: a restart, a laptop lid. Stopped for a day: the job is not running at all.
        recent = stopped_for is not None and stopped_for <= STOPPED_FAIL_AFTER.total_seconds()
        return make(
            name,
            "warn" if recent else "fail",
            f"{where}, but no studiosync console or daemon runs there (last seen {ago(stopped_for)}): the "
            f"computer must be on, online and running studiosync{ran}.",
            fix,
        )
    kinds = "/".join(sorted({p.kind for p in computer.processes}))
    detail = f"{where} ({kinds} running there){ran or '; it has not run yet'}."
    rate, busy = _request_rate(studio, now)
    live = _live_text(job) if rate else ""  # said once live sync has run (and measured) here
    if busy:
        return make(name, "warn", f"{detail}{live}{rate}", _BUDGET_FIX)
    return make(name, "pass", f"{detail}{live}{rate}")


_BUDGET_FIX = (
    "If the Google Cloud project's Calendar quotas are higher than the budget, raise it in Company "
    "Preferences > Google (CLI: studiosync prefs google --per-project-per-minute N --per-user-per-minute N); "
    f"else check slower: studiosync jobs set {SYNC_JOB} --option pull_every=2m"
)
BUDGET_WARN_SHARE = 0.8


def _live_text(job: Any) -> str:
    if job.pull_every is None:
        return ""
    if not job.live:
        return (
            f" Live sync is off (studio changes wait for the next run; jobs set {SYNC_JOB} --option live=on)."
        )
    return (
        f" Live sync is on: studio changes go to Google on save, Google is checked every {job.pull_every} s."
    )


def _request_rate(studio: Studio, now: datetime) -> tuple[str, bool]:
    """The Calendar request rate the job's process measured against the budget (a sentence), and whether
    it is close to the budget or Google asked the project to back off."""
    from studiosync.core.sync.live_state import measured

    meter = measured(studio.store)
    if not meter:
        return "", False
    project = int(meter.get("project_last_minute") or 0)
    limit = int(meter.get("per_project_per_minute") or 1)
    per_user = int(meter.get("per_user_per_minute") or 1)
    users = meter.get("users_last_minute") or {}
    busiest = max(users.items(), key=lambda kv: kv[1], default=None)
    top = f"; busiest user {busiest[0]}: {busiest[1]} of {per_user:,}/min" if busiest else ""
    when = ago(seconds_since(meter.get("at"), now))
    text = f" Calendar requests in the minute before {when}: {project:,} of the {limit:,}/min budget{top}."
    paused = float(meter.get("paused_for_s") or 0)
    backoffs = int(meter.get("backoffs") or 0)
    if paused > 0:
        text += f" Google asked the project to slow down: requests were paused for {paused:.0f} s."
    elif backoffs:
        text += f" Google asked the project to slow down {backoffs} time(s) since the process started."
    near = project > BUDGET_WARN_SHARE * limit or (
        busiest is not None and busiest[1] > BUDGET_WARN_SHARE * per_user
    )
    return text, near or paused > 0


# -- the job computer's studiosync version ----------------------------------------------------------
def job_computer(studio: Studio) -> tuple[str | None, Computer | None]:
    """The google-sync job's computer: its name (None: settings unreadable) and what it last reported."""
    from studiosync.core.jobs.catalogue import Catalogue
    from studiosync.core.jobs.computers import Computers

    try:
        host = Catalogue(studio.store).get(SYNC_JOB).computer
    except StudioSyncError:
        return None, None
    return host, Computers(studio.store).find(host)


def reported(computer: Computer, field: str) -> set[str]:
    """What the computer's running processes report (they may differ: a console and a daemon started from
    two installs), else what its last heartbeat reported; empty when unknown (older heartbeats)."""
    live = {getattr(p, field) for p in computer.processes if getattr(p, field)}
    if live:
        return live
    last = getattr(computer, field)
    return {last} if last else set()


def version(studio: Studio) -> Check:
    """The seed's "requires release X or later": here, the job's computer must run this very version
    (the store format and the sync rules travel with it)."""
    from studiosync.core import __version__
    from studiosync.core.jobs.computers import same_computer, this_computer

    name = "version"
    host, computer = job_computer(studio)
    here = this_computer()
    if host is None:
        return make(
            name,
            "warn",
            "The studiosync version of the Google Sync Processor's computer cannot be checked: its job settings "
            "cannot be read (see the Google Sync Processor check).",
            CONTROL,
        )
    versions = reported(computer, "version") if computer is not None else set()
    upgrade = (
        f"Install studiosync {__version__} on {host} (or the newer one on both computers), then restart the "
        f"console or `studiosync serve` there; check with: studiosync --version"
    )
    if not versions:
        if same_computer(host, here):
            return make(
                name,
                "pass",
                f"The Google Sync Processor runs on this computer ({here}), which has studiosync {__version__}.",
            )
        seen = (
            "has never sent a heartbeat" if computer is None else "reported no version (an older studiosync)"
        )
        return make(
            name,
            "warn",
            f"The studiosync version on {host}, which runs the Google Sync Processor, is unknown: it {seen}; "
            f"this computer has {__version__}.",
            upgrade,
        )
    other = ", ".join(sorted(versions - {__version__}))
    if other and same_computer(host, here):
        return make(
            name,
            "warn",
            f"The console/daemon running the Google Sync Processor on this computer is studiosync {other}, but "
            f"this command is {__version__} (upgraded without a restart, or two installations).",
            f"Restart the console or `studiosync serve` on {here} from the {__version__} installation; check "
            "with: studiosync --version",
        )
    if other:
        return make(
            name,
            "warn",
            f"The Google Sync Processor runs on {host} with studiosync {other}, but this computer has "
            f"{__version__}: the two may read the studio data and sync differently.",
            upgrade,
        )
    return make(
        name,
        "pass",
        f"{host}, which runs the Google Sync Processor, has studiosync {__version__}, like this computer.",
    )
