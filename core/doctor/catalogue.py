"""The doctor's checks: stable ids (for scripts, JSON and tests), titles, and the seed item each automates.

The ids never change once released; titles and texts may. Order = the order of the vendor's
troubleshooting checklist, which is also the order the report lists them in.
"""

from __future__ import annotations

from dataclasses import dataclass

from studiosync.core.doctor.report import (
    SECTION_COMPANY,
    SECTION_COMPUTER,
    SECTION_CONTROL,
    SECTION_HISTORY,
    SECTION_MOBILE,
    SECTION_TAB,
    SECTION_USER,
)


@dataclass(frozen=True)
class CheckInfo:
    """One doctor check in the catalogue: its stable id, title, report section, whether it runs per user, and
    the seed item it automates."""

    name: str
    title: str
    section: str
    per_user: bool
    seed: str  # the checklist item (paraphrased) this check automates


CATALOGUE: tuple[CheckInfo, ...] = (
    CheckInfo(
        "user_is_staff",
        "User exists and is staff",
        SECTION_USER,
        True,
        "Google sync is only for users; resources such as locations or rooms can NOT sync",
    ),
    CheckInfo(
        "sync_enabled", "Enable Google Sync", SECTION_TAB, True, "The Enable Google Sync box must be checked"
    ),
    CheckInfo(
        "account_authenticated",
        "Google account authenticated",
        SECTION_TAB,
        True,
        "The Google account has been authenticated (and the authorization still works)",
    ),
    CheckInfo(
        "account_unique",
        "One Google account per user",
        SECTION_TAB,
        True,
        "Each user must sync to a different Gmail account",
    ),
    CheckInfo(
        "calendar_selected",
        "Google calendar",
        SECTION_TAB,
        True,
        "An existing Google calendar has been selected",
    ),
    CheckInfo(
        "populate",
        "Populate",
        SECTION_TAB,
        True,
        "The Populate boxes get older appointments to sync over, then uncheck themselves",
    ),
    CheckInfo(
        "two_way",
        "Two-way sync",
        SECTION_TAB,
        True,
        "Send New, Modified, and Deleted Google Appointments for a two-way sync",
    ),
    CheckInfo(
        "tentative",
        "Download tentative appointments",
        SECTION_TAB,
        True,
        "Download Tentative, Non-Confirmed Appointments (Android/HTC, or account not the phone's primary)",
    ),
    CheckInfo(
        "contacts_group",
        "Contacts and client group",
        SECTION_TAB,
        True,
        "Syncing contacts needs an existing Client Group (optional)",
    ),
    CheckInfo(
        "warn_email",
        "Email Warnings and Errors to Me",
        SECTION_TAB,
        True,
        "Check Email Warnings and Errors to Me and enter the address (required)",
    ),
    CheckInfo(
        "detailed_logs",
        "Email Detailed Sync Logs to Me",
        SECTION_TAB,
        True,
        "Email Detailed Sync Logs (optional, helpful in the first days)",
    ),
    CheckInfo(
        "company_email",
        "Company email (SMTP)",
        SECTION_COMPANY,
        False,
        "Emailing has been set up on the Email tab of Company Preferences",
    ),
    CheckInfo(
        "sync_job",
        "Google Sync Processor job",
        SECTION_CONTROL,
        False,
        "The job is enabled, scheduled, and runs on a computer that is on",
    ),
    CheckInfo(
        "version",
        "studiosync version",
        SECTION_CONTROL,
        False,
        "Google sync requires a recent enough release (here: the job's computer runs this same version)",
    ),
    CheckInfo(
        "mobile",
        "Mobile device",
        SECTION_MOBILE,
        True,
        "Set up your mobile device to sync with Google (a non-primary calendar must be switched on there)",
    ),
    CheckInfo(
        "google_reachable",
        "Google reachable",
        SECTION_COMPUTER,
        False,
        "The job's computer must have an Internet connection",
    ),
    CheckInfo(
        "time_zones",
        "Time zones agree",
        SECTION_COMPUTER,
        False,
        "Studio, Google calendar and job computer use the same time zone",
    ),
    CheckInfo(
        "keyring_backend",
        "Token storage",
        SECTION_COMPUTER,
        False,
        "Where the Google authorizations are kept and what protects them",
    ),
    CheckInfo(
        "store",
        "Store files",
        SECTION_COMPUTER,
        False,
        "The studio's data files are whole and of the expected shape; a corrupt one is restored from a backup",
    ),
    CheckInfo(
        "oauth_client",
        "Google API client",
        SECTION_COMPANY,
        False,
        "A Desktop OAuth client; apps left in Google's Testing status lose tokens after 7 days",
    ),
    CheckInfo(
        "admin_escalation",
        "Email sync failures to admins",
        SECTION_COMPANY,
        False,
        "Admins hear about a user's sync that keeps failing",
    ),
    CheckInfo(
        "last_run",
        "Last sync run",
        SECTION_HISTORY,
        True,
        "The user's last run, its errors explained (the Control Center logs)",
    ),
    CheckInfo(
        "held_deletions",
        "Mass deletions held",
        SECTION_HISTORY,
        True,
        "A run never deletes many appointments or events at once without a person deciding",
    ),
)

BY_NAME: dict[str, CheckInfo] = {c.name: c for c in CATALOGUE}
CHECK_NAMES: tuple[str, ...] = tuple(c.name for c in CATALOGUE)
USER_CHECKS: tuple[str, ...] = tuple(c.name for c in CATALOGUE if c.per_user)
STUDIO_CHECKS: tuple[str, ...] = tuple(c.name for c in CATALOGUE if not c.per_user)


def order(name: str) -> int:
    return CHECK_NAMES.index(name)
