"""The Doctor: the vendor's "Troubleshooting Google Sync Setup" checklist, automated.

    report = run_doctor(studio, "ann")          # every check for ann (live: refresh + calendar listing)
    report = run_doctor(studio)                 # studio-wide checks + one verdict per user (no Google calls)
    report.failed, report.checks, report.verdicts, report.to_json()

Each `Check` has a stable `name` (below), `status` pass|warn|fail (a warning never fails the run), a one-line
`detail` and a one-line `fix` naming the screen/field and the CLI command.

Check names (stable ids, in report order; * = per user, only with a LOGIN):
  user_is_staff*         the user exists and is staff (resources cannot sync)
  sync_enabled*          Enable Google Sync is checked
  account_authenticated* a Google account is authenticated and its token refreshes now (live)
  account_unique*        no other user syncs the same Google account
  calendar_selected*     a calendar is selected, still exists and is writable (live)
  populate*              Populate boxes: warn while pending, saying what they will do
  two_way*               two-way on/off, explained
  tentative*             Download Tentative: hint for Android/HTC or a non-primary phone account
  contacts_group*        contacts on -> an existing client group is selected
  warn_email*            Email Warnings and Errors to Me with a valid address (required)
  detailed_logs*         Email Detailed Sync Logs (optional; a note)
  company_email          SMTP configured; with --send-test [ADDR] a test email is delivered
  sync_job               google-sync job enabled, scheduled, on a computer that is alive
  version                the job's computer last reported this same studiosync version
  mobile*                phones show only the primary calendar: how to see a secondary one there
  google_reachable       DNS + HTTP(S) to the configured Google API root (and OAuth host), with timeout
  time_zones             studio vs the user's Google calendar (fail) vs the job's computer's zone (warn)
  keyring_backend        which backend protects the tokens (warn for the file fallback)
  oauth_client           a Desktop ("installed") client; the 7-day "Testing" status trap
  admin_escalation       "Email sync failures to admins": who would be told
  last_run*              the user's last run; errors explained
"""

from studiosync.core.doctor.catalogue import CATALOGUE, CHECK_NAMES, STUDIO_CHECKS, USER_CHECKS
from studiosync.core.doctor.report import Check, DoctorReport, UserVerdict
from studiosync.core.doctor.run import DEFAULT_TIMEOUT, run_doctor, verdict

__all__ = [
    "CATALOGUE",
    "CHECK_NAMES",
    "DEFAULT_TIMEOUT",
    "STUDIO_CHECKS",
    "USER_CHECKS",
    "Check",
    "DoctorReport",
    "UserVerdict",
    "run_doctor",
    "verdict",
]
