"""The studio-wide checks of this computer and the network: Google is reachable (`google_reachable`), the
studio, the user's Google calendar and the job's computer agree on the time zone (`time_zones`), and which
keyring backend protects the tokens (`keyring_backend`).

Must never change the computer's settings or store anything: these checks only look and report.
"""

from __future__ import annotations

import urllib.parse
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from studiosync.core import clock
from studiosync.core.doctor.checks import make
from studiosync.core.doctor.job_checks import job_computer, reported
from studiosync.core.doctor.live import REAL_GOOGLE_ROOT, reach
from studiosync.core.doctor.report import Check
from studiosync.core.errors import StudioSyncError
from studiosync.core.explain import explain_cause

if TYPE_CHECKING:
    from studiosync.core.studio.google_accounts import CalendarInfo
    from studiosync.core.studio.studio import Studio


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
    from studiosync.core.studio.urls import split_service_path

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
    computer, seen = job_computer(studio)
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
        zones = reported(seen, "time_zone") if seen is not None else set()
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
