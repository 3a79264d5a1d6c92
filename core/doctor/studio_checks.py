"""The studio-wide checks, in checklist order: the door core.doctor.run calls them through (and where tests
replace the ones that describe the machine they run on).

Held here: company email, the OAuth client and admin escalation. The job checks live in
core.doctor.job_checks, the computer/network checks in core.doctor.environment_checks; both are
re-exported below. These checks hold for every user, so the studio-wide report runs them once and a
user's report includes them (the time zone check then also compares the user's Google calendar).

Must never call Google except through the reachability probe, and never change a setting: checks read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from studiosync.core.doctor.checks import make
from studiosync.core.doctor.environment_checks import (
    google_reachable,
    google_targets,
    keyring_backend,
    same_time,
    time_zones,
)
from studiosync.core.doctor.job_checks import SYNC_JOB, sync_job, version
from studiosync.core.doctor.report import Check
from studiosync.core.errors import StudioSyncError
from studiosync.core.explain import explain_exception

if TYPE_CHECKING:
    from studiosync.core.studio.studio import Studio

__all__ = [
    "SYNC_JOB",
    "admin_escalation",
    "company_email",
    "google_reachable",
    "google_targets",
    "keyring_backend",
    "oauth_client",
    "same_time",
    "sync_job",
    "time_zones",
    "version",
]

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
