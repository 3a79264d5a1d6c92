"""run_doctor: the whole checklist for one user, or the studio-wide checks plus a verdict per user."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from studiosync.core.doctor import store_check
from studiosync.core.doctor import studio_checks as sc
from studiosync.core.doctor import user_checks as uc
from studiosync.core.doctor.catalogue import order
from studiosync.core.doctor.checks import ago, make
from studiosync.core.doctor.report import Check, DoctorReport, UserVerdict, VerdictStatus
from studiosync.core.errors import StudioSyncError
from studiosync.core.studio.timeparse import stamp

if TYPE_CHECKING:
    from studiosync.core.studio.studio import Studio

DEFAULT_TIMEOUT = 5.0


def run_doctor(
    studio: Studio,
    login: str | None = None,
    *,
    send_test: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> DoctorReport:
    """Run the checklist. With `login`: every check for that user, live (one token refresh, one calendar
    listing). Without: the studio-wide checks, then one verdict per user from stored state only."""
    report = DoctorReport(login=login, generated=stamp())
    checks: list[Check] = [
        _guarded("company_email", lambda: sc.company_email(studio, send_test)),
        _guarded("sync_job", lambda: sc.sync_job(studio)),
        _guarded("version", lambda: sc.version(studio)),
        _guarded("google_reachable", lambda: sc.google_reachable(studio, timeout)),
        _guarded("keyring_backend", lambda: sc.keyring_backend(studio)),
        _guarded("store", lambda: store_check.store(studio)),
        _guarded("oauth_client", lambda: sc.oauth_client(studio)),
        _guarded("admin_escalation", lambda: sc.admin_escalation(studio)),
    ]
    if login is None:
        checks.append(sc.time_zones(studio))
        report.verdicts = [_guarded_verdict(studio, u.login) for u in studio.users.list()]
    else:
        facts = uc.gather(studio, login, live=True, timeout=timeout)
        user_part = uc.per_user_checks(facts, _groups(studio))
        checks.extend(user_part)
        if not user_part[0].failed:
            checks.append(sc.time_zones(studio, facts.calendar))
    report.checks = sorted(checks, key=lambda c: order(c.name))
    return report


def _guarded(name: str, run: Callable[[], Check]) -> Check:
    """One studio-wide check; if it breaks on something unforeseen (odd stored settings), it fails with
    the reason instead of taking the whole report down: the other checks still speak."""
    try:
        return run()
    except StudioSyncError as exc:
        return make(name, "fail", f"The check could not run: {exc}", exc.fix or "")
    except Exception as exc:  # noqa: BLE001 - reported as this check's failure, never a traceback
        return make(
            name,
            "fail",
            f"The check could not run: {exc.__class__.__name__}: {exc}",
            "Check the settings it looks at; if it persists, report it with the studiosync log.",
        )


def _guarded_verdict(studio: Studio, login: str) -> UserVerdict:
    """One user's line; a corrupt record of that user fails that line alone (the store check says how
    to repair it), never the whole report."""
    try:
        return verdict(studio, login)
    except StudioSyncError as exc:
        return UserVerdict(login, login, "fail", str(exc), exc.fix or "", "store")


def _groups(studio: Studio) -> dict[str, str]:
    return {g.id: g.name for g in studio.groups.list()}


# A finding's severity (core.diagnosis) as a verdict: advice is a warning here, as the checks say it.
_VERDICT: dict[str, VerdictStatus] = {
    "error": "fail",
    "warn": "warn",
    "note": "warn",
    "off": "off",
    "ok": "ok",
}


def verdict(studio: Studio, login: str) -> UserVerdict:
    """One line for a user, from stored state only (fast: no Google calls): the first finding of the
    user's diagnosis (core.diagnosis), the very cause the dashboard, the Users screen and `status` show."""
    facts = uc.gather(studio, login, live=False, timeout=0)
    user = facts.user
    name = user.name if user else login
    if user is None:
        return UserVerdict(login, login, "fail", "no such user")
    h = facts.health
    first = h.first if h is not None else None
    if first is None or not user.can_sync:
        return UserVerdict(login, name, "resource", "cannot sync (a resource such as a room or location)")
    if first.code == "ok":
        when = f"last sync {ago(h.lag_s)}" if h and h.last_sync else "no sync yet"
        return UserVerdict(
            login,
            name,
            "ok",
            f"ok: {facts.account or '?'} -> {facts.prefs.calendar_summary or facts.prefs.calendar_id}, {when}",
        )
    return UserVerdict(login, name, _VERDICT[first.severity], first.message, first.fix, first.check)
