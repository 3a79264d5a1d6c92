"""The studio-wide checks: company email, the Google Sync Processor job, this computer, the OAuth client.

These hold for every user, so the studio-wide report runs them once and a user's report includes them
(the time zone check then also compares the user's Google calendar).
"""

from __future__ import annotations

import urllib.parse
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from studiosync.core import clock
from studiosync.core.doctor.checks import ago, make
from studiosync.core.doctor.live import REAL_GOOGLE_ROOT, reach
from studiosync.core.doctor.report import Check
from studiosync.core.errors import StudioSyncError
from studiosync.core.explain import explain_cause, explain_exception
from studiosync.core.health import seconds_since

if TYPE_CHECKING:
    from studiosync.core.jobs.computers import Computer
    from studiosync.core.studio.google_accounts import CalendarInfo
    from studiosync.core.studio.studio import Studio

SYNC_JOB = "google-sync"
_CONTROL = "Utilities > Control Center > Google Sync Processor"
STOPPED_FAIL_AFTER = timedelta(hours=24)  # stopped this long = the computer is off or abandoned: fail
_EMAIL_FIX = (
    "Company Preferences > Email: set the SMTP server (CLI: studiosync prefs email --host HOST --port PORT "
    "--security starttls --from ADDR)"
)
PUBLISH_FIX = (
    'Google Cloud Console > APIs & Services > OAuth consent screen > Publish app, then tick "App published" '
    "in Company Preferences > Google (CLI: studiosync prefs google --published); re-authenticate anyone "
    "whose authorization already expired"
)
_GOOGLE_API_FIX = (
    "Company Preferences > Google: load the OAuth client file of a Desktop app "
    "(CLI: studiosync prefs google --client-secrets FILE)"
)


# -- company email ------------------------------------------------------------------------------------
def company_email(studio: Studio, send_test: str | None = None) -> Check:
    name = "company_email"
    email = studio.prefs.get().email
    if not email.configured:
        return make(
            name,
            "fail",
            "Email is not set up, so warnings, sync logs and admin alerts cannot be sent.",
            _EMAIL_FIX,
        )
    where = f"{email.host}:{email.port} ({email.security}), from {email.from_addr}"
    if email.has_password:
        try:
            missing = studio.prefs.smtp_password() is None
        except StudioSyncError as exc:
            return make(
                name,
                "fail",
                f"Email uses {where}, but its password cannot be read: {exc.message}",
                exc.fix or _EMAIL_FIX,
            )
        if missing:
            return make(
                name,
                "fail",
                f"Email uses {where} with user {email.username}, but the password is missing from the token storage.",
                "Company Preferences > Email: enter the password again (CLI: studiosync prefs email ... "
                "--username USER --password-stdin)",
            )
    if send_test is None:
        return make(
            name,
            "pass",
            f"Email is set up: {where} (not tested; to send a test: studiosync doctor --send-test [ADDR]).",
        )
    from studiosync.core.studio.notify import send_test_email

    try:
        answer = send_test_email(studio, send_test)
    except Exception as exc:  # noqa: BLE001 - any failure is the finding
        found = explain_exception(exc, context="smtp")
        return make(
            name,
            "fail",
            f"Email is set up ({where}) but the test email to {send_test} failed: {found.message}",
            found.fix,
        )
    reply = f" (server: {' '.join(str(answer).split())[:80]})" if answer else ""
    return make(
        name, "pass", f"Email works: a test email to {send_test} was accepted by {email.host}{reply}."
    )


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
            exc.fix or _CONTROL,
        )
    if not job.enabled:
        return make(
            name,
            "fail",
            "The Google Sync Processor job is disabled: nobody's appointments sync.",
            f"{_CONTROL}: check Enabled, then Save (CLI: studiosync jobs set {SYNC_JOB} --enable)",
        )
    ran = f"; last run {ago(seconds_since(job.last_run, now))}: {job.last_status}" if job.last_run else ""
    where = f"Enabled, {job.schedule_text}, on computer {job.computer}"
    fix = (
        f"Start the console or `studiosync serve` on {job.computer}, or choose the computer that runs it: "
        f"{_CONTROL} > Computer (CLI: studiosync jobs set {SYNC_JOB} --computer HOST)"
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
    return make(name, "pass", f"{where} ({kinds} running there){ran or '; it has not run yet'}.")


# -- the job computer's studiosync version ----------------------------------------------------------
def _job_computer(studio: Studio) -> tuple[str | None, Computer | None]:
    """The google-sync job's computer: its name (None: settings unreadable) and what it last reported."""
    from studiosync.core.jobs.catalogue import Catalogue
    from studiosync.core.jobs.computers import Computers

    try:
        host = Catalogue(studio.store).get(SYNC_JOB).computer
    except StudioSyncError:
        return None, None
    return host, Computers(studio.store).find(host)


def _reported(computer: Computer, field: str) -> set[str]:
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
    host, computer = _job_computer(studio)
    here = this_computer()
    if host is None:
        return make(
            name,
            "warn",
            "The studiosync version of the Google Sync Processor's computer cannot be checked: its job settings "
            "cannot be read (see the Google Sync Processor check).",
            _CONTROL,
        )
    versions = _reported(computer, "version") if computer is not None else set()
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


# -- reachability -------------------------------------------------------------------------------------
def google_targets(studio: Studio) -> list[str]:
    """The API root, and the OAuth token endpoint when it lives on another host (real Google does)."""
    root = studio.prefs.get().google.api_endpoint or REAL_GOOGLE_ROOT
    targets = [root]
    try:
        token_uri = studio.google.client_config().token_uri
    except StudioSyncError:
        return targets
    if _origin(token_uri) != _origin(root):
        targets.append(token_uri)
    return targets


def _origin(url: str) -> tuple[str, str, int | None]:
    p = urllib.parse.urlsplit(url)
    return (p.scheme, (p.hostname or "").lower(), p.port)


def google_reachable(studio: Studio, timeout: float) -> Check:
    from studiosync.core.studio.prefs import split_service_path

    name = "google_reachable"
    endpoint = studio.prefs.get().google.api_endpoint
    wrong = split_service_path(endpoint) if endpoint else None
    if wrong is not None:
        # Saved before such roots were refused: every call would go to .../calendar/v3/calendar/v3/...
        root, service = wrong
        return make(
            name,
            "fail",
            f"The Google API root {endpoint} contains the service path /{service}/, so every call goes to a "
            "doubled path and fails as if the Google item no longer existed.",
            f"Company Preferences > Google > API root: {root} (CLI: studiosync prefs google --client-secrets "
            f"FILE --api-endpoint {root})",
        )
    results = [reach(url, timeout) for url in google_targets(studio)]
    bad = [r for r in results if not r.ok]
    if bad:
        net = explain_cause("network")
        what = "; ".join(f"{r.url}: {r.detail}" for r in bad)
        return make(name, "fail", f"Google cannot be reached from this computer ({what}).", net.fix)
    what = ", ".join(f"{r.url} ({r.detail})" for r in results)
    return make(name, "pass", f"Google is reachable from this computer: {what}.")


# -- time zones ---------------------------------------------------------------------------------------
def same_time(a: str, b: str, now: datetime | None = None) -> bool:
    """Two zone names that keep the same clock all year (UTC / Etc/UTC, aliases) count as one."""
    if a == b:
        return True
    now = now or clock.now()
    try:
        za, zb = ZoneInfo(a), ZoneInfo(b)
    except (ValueError, OSError, KeyError):
        return False
    probes = [now + timedelta(days=d) for d in range(0, 366, 30)]  # catches either side's DST rules
    return all(p.astimezone(za).utcoffset() == p.astimezone(zb).utcoffset() for p in probes)


def _local_matches(zone: str, now: datetime) -> bool:
    """This computer's local time keeps the studio's clock (offsets through a year)."""
    z = ZoneInfo(zone)
    probes = [now + timedelta(days=d) for d in range(0, 366, 30)]
    return all(p.astimezone().utcoffset() == p.astimezone(z).utcoffset() for p in probes)


def _local_name(now: datetime) -> str:
    return now.astimezone().tzname() or "local time"


def time_zones(studio: Studio, calendar: CalendarInfo | None = None, now: datetime | None = None) -> Check:
    """Studio vs the user's Google calendar (fail: appointments show shifted) vs the job's computer (warn:
    only its own displays differ; schedules are evaluated in the studio zone)."""
    from studiosync.core.jobs.computers import local_zone_name, same_computer, this_computer

    name = "time_zones"
    now = now or clock.now()
    studio_tz = studio.prefs.timezone
    fix_studio = "Company Preferences > Time zone (CLI: studiosync prefs timezone ZONE)"
    if calendar is not None and calendar.time_zone and not same_time(studio_tz, calendar.time_zone, now):
        return make(
            name,
            "fail",
            f"The studio uses {studio_tz} but Google calendar '{calendar.summary}' uses {calendar.time_zone}: "
            "appointments would show at shifted times.",
            f"Make them agree: {fix_studio}, or Google Calendar > Settings > the calendar's Time zone.",
        )
    parts = [f"studio {studio_tz}"]
    if calendar is not None and calendar.time_zone:
        parts.append(f"Google calendar {calendar.time_zone}")
    computer, seen = _job_computer(studio)
    here = this_computer()
    if computer and same_computer(computer, here):
        if not _local_matches(studio_tz, now):
            local = local_zone_name() or _local_name(now)
            return make(
                name,
                "warn",
                f"The studio uses {studio_tz} but this computer ({here}, which runs the sync job) is on "
                f"{local}: job times are studio times, but this computer's clock shows others.",
                f"Set this computer's time zone to {studio_tz} (timedatectl set-timezone {studio_tz}), or "
                f"change {fix_studio}.",
            )
        parts.append(f"job computer {here}")
    elif computer:
        zones = _reported(seen, "time_zone") if seen is not None else set()
        differ = sorted(z for z in zones if not same_time(studio_tz, z, now))
        if differ:
            return make(
                name,
                "warn",
                f"The studio uses {studio_tz} but the job computer {computer} is on {', '.join(differ)}: job "
                "times are studio times, but that computer's clock shows others.",
                f"On {computer} set the time zone to {studio_tz} (timedatectl set-timezone {studio_tz}; "
                f"Windows: Settings > Time & language), or change {fix_studio}.",
            )
        if zones:
            parts.append(f"job computer {computer} {', '.join(sorted(zones))}")
        else:
            parts.append(f"job computer {computer} not checked (run the doctor there)")
    return make(name, "pass", "Time zones agree: " + ", ".join(parts) + ".")


# -- token storage ------------------------------------------------------------------------------------
def keyring_backend(studio: Studio) -> Check:
    name = "keyring_backend"
    vault = studio.secrets
    try:
        fallback = vault.is_fallback
        described = vault.backend_description()
    except StudioSyncError as exc:
        return make(name, "fail", f"The token storage cannot be used: {exc.message}", exc.fix or "")
    if fallback:
        return make(
            name,
            "warn",
            f"Google authorizations are kept in the {described}; anyone who can read the data directory "
            "(or its backups) can use them.",
            "Keep the data directory and backups private; for an OS keyring instead, install and unlock one "
            "(Secret Service, KWallet, macOS Keychain, Windows Credential Manager) and re-authenticate each user.",
        )
    return make(name, "pass", f"Google authorizations are protected by the {described}.")


# -- the OAuth client ---------------------------------------------------------------------------------
def oauth_client(studio: Studio) -> Check:
    name = "oauth_client"
    if studio.prefs.client_secrets_path() is None:
        return make(
            name, "fail", "The Google API settings are not set up (no OAuth client).", _GOOGLE_API_FIX
        )
    try:
        config = studio.google.client_config()
    except StudioSyncError as exc:
        return make(
            name, "fail", f"The OAuth client file cannot be used: {exc.message}", exc.fix or _GOOGLE_API_FIX
        )
    short = config.client_id if len(config.client_id) <= 24 else config.client_id[:21] + "..."
    if config.kind == "web":
        # Fine through the browser console's callback (studiosync web --public-url), nowhere else.
        from studiosync.core.doctor.web_checks import web_client_problem

        problem = web_client_problem(studio, config)
        if problem is not None:
            return make(name, "fail", problem[0], problem[1])
    elif config.kind != "installed":
        return make(
            name,
            "fail",
            f"OAuth client {short} is a '{config.kind}' client; signing in from studiosync needs a Desktop app client.",
            "Google Cloud console > APIs & Services > Credentials: create an OAuth client ID of type Desktop app, "
            "then load it: studiosync prefs google --client-secrets FILE",
        )
    where = " on the local Google emulator" if config.is_loopback else ""
    kind = "Desktop" if config.kind == "installed" else "Web (browser console)"
    if not studio.prefs.get().google.app_published:
        # The client file cannot say whether the app is published; only the admin's word can.
        revoked = sorted(
            p.login for p in studio.users.all_google_prefs() if p.last_error_cause == "grant_revoked"
        )
        lost = f" ({', '.join(revoked)} already lost theirs)" if revoked else ""
        return make(
            name,
            "warn",
            f"{kind} OAuth client {short}{where} is not marked published: an app left in Google's Testing "
            f"status loses every user's Google authorization after 7 days{lost}.",
            PUBLISH_FIX,
        )
    return make(
        name,
        "pass",
        f"{kind} OAuth client {short}{where}, published (In production): authorizations do not expire "
        "after 7 days.",
        "If the app goes back to Testing: Company Preferences > Google: untick App published "
        "(CLI: studiosync prefs google --testing)",
    )


# -- escalation ---------------------------------------------------------------------------------------
def admin_escalation(studio: Studio) -> Check:
    from studiosync.core.escalation import admin_recipients

    name = "admin_escalation"
    prefs = studio.prefs.get()
    if not prefs.escalate_to_admins:
        return make(
            name,
            "pass",
            "Email sync failures to admins is off: only each user's own warning address hears about failures.",
            "Company Preferences: check Email sync failures to admins (CLI: studiosync prefs escalation --enable)",
        )
    admins = [u for u in studio.users.list() if u.admin]
    recipients = admin_recipients(studio)
    when = f"after {prefs.escalate_after} failed run(s) in a row"
    if not admins:
        return make(
            name,
            "warn",
            f"Email sync failures to admins is on ({when}), but no user is an admin.",
            "Maintenance > Users: make someone an admin (CLI: studiosync users add LOGIN --name NAME --admin)",
        )
    if not recipients:
        who = admins[0].login
        return make(
            name,
            "warn",
            f"Email sync failures to admins is on ({when}), but no admin has an email address.",
            f"Enter an address on an admin's Google tab under Email Warnings and Errors to Me "
            f"(CLI: studiosync google set {who} --warn-email ADDR)",
        )
    return make(name, "pass", f"Sync failures are emailed to the admins ({', '.join(recipients)}) {when}.")
