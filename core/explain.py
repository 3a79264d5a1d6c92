"""The error explainer: every classified Google, SMTP, store or sync failure -> a cause id + message + fix.

One vocabulary for every place a failure reaches a person: the Google tab's `last_error*` fields, warning
and escalation emails, the console's log screen (select a line, see why and what to do) and the doctor.

- Google causes are core.google.errors' own ids and texts (`grant_revoked`, `calendar_gone`, ...): reused,
  never restated here.
- SMTP causes (`smtp_*`) and store causes (`store_*`) are defined here, and so are the processor's own
  non-Google causes (`no_calendar`, `not_authenticated`, `not_configured`, `operation`, `internal`; its
  `store` reads as `store_error`).

A fix may name `LOGIN` as a placeholder for the user's login; `Explanation.for_login` fills it in.
"""

from __future__ import annotations

import errno
import smtplib
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from studiosync.core.errors import StoreError, StudioSyncError
from studiosync.core.google import causes as gerrors

_EMAIL_TAB = "Company Preferences > Email"
_EMAIL_CLI = "studiosync prefs email --host HOST --port PORT --security starttls|ssl|none --from ADDR"

# cause -> (message, fix, transient)
_SMTP: dict[str, tuple[str, str, bool]] = {
    "smtp_not_configured": (
        "Email is not set up, so warnings and logs cannot be sent.",
        f"Fill in {_EMAIL_TAB} (CLI: {_EMAIL_CLI}).",
        False,
    ),
    "smtp_connection": (
        "Cannot reach the SMTP server (wrong host or port, no network, or a firewall).",
        f"Check the host and port in {_EMAIL_TAB} (CLI: {_EMAIL_CLI}); the server must be reachable "
        "from the computer that runs the Google Sync Processor.",
        True,
    ),
    "smtp_auth": (
        "The SMTP server refused the username or password.",
        f"Re-enter the username and password in {_EMAIL_TAB} (CLI: studiosync prefs email ... --username USER "
        "--password-stdin); Gmail and Microsoft 365 need an app password.",
        False,
    ),
    "smtp_tls": (
        "The secure (TLS) connection to the SMTP server failed.",
        f"Set Security in {_EMAIL_TAB} to match the port: ssl for 465, starttls for 587, none only for a "
        "local relay (CLI: studiosync prefs email ... --security ssl|starttls|none).",
        False,
    ),
    "smtp_recipient": (
        "The SMTP server refused the recipient address.",
        "Correct the address: the user's Google tab > Email Warnings and Errors to Me "
        "(CLI: studiosync google set LOGIN --warn-email ADDR).",
        False,
    ),
    "smtp_sender": (
        "The SMTP server refused the sender (From) address.",
        f"Set From in {_EMAIL_TAB} to an address this SMTP account may send as "
        "(CLI: studiosync prefs email ... --from ADDR).",
        False,
    ),
    "smtp_rejected": (
        "The SMTP server rejected the message.",
        f"Check {_EMAIL_TAB} and the server's own log; retry with: studiosync doctor --send-test ADDR.",
        False,
    ),
}

_RESTORE = (
    "restore the newest good backup of the file the error names (studiosync backup restore FILE; "
    "studiosync doctor shows the command), or move it aside"
)
_STORE: dict[str, tuple[str, str, bool]] = {
    "store_corrupt": (
        "A studiosync data file is corrupt and was left untouched.",
        f"Stop studiosync on every computer, then {_RESTORE}; the error names the file.",
        False,
    ),
    "store_permissions": (
        "studiosync may not read or write its data directory (file permissions or ownership).",
        "Run studiosync as the user that owns the data directory (see --home / STUDIOSYNC_HOME), or fix "
        "its ownership: chown -R USER DIR; it must stay private (0700).",
        False,
    ),
    "store_lock": (
        "A studiosync data file is locked or its lock file cannot be used.",
        "Wait for the other studiosync process to finish; if none runs, check the data directory's locks "
        "folder is writable by this user.",
        True,
    ),
    "store_disk_full": (
        "The disk holding the studiosync data directory is full.",
        "Free disk space (old backups and rotated logs can go), then retry.",
        False,
    ),
    "store_newer_version": (
        "The data was written by a newer studiosync than this one.",
        "Upgrade studiosync on this computer.",
        False,
    ),
    "store_error": (
        "studiosync could not read or write its data.",
        "Check the data directory (disk space, permissions); the log names the file.",
        False,
    ),
}

# Causes the sync processor records for failures that are not Google's (core.sync.processor).
PICK_CALENDAR_FIX = (
    "Google tab > Calendar: pick an existing calendar (CLI: studiosync google calendars LOGIN, then "
    "studiosync google set LOGIN --calendar ID)"
)
AUTHENTICATE_FIX = "Google tab: click Authenticate My Google Account (CLI: studiosync google auth LOGIN)"
_SYNC: dict[str, tuple[str, str, bool]] = {
    "no_calendar": ("No Google calendar is selected for this user.", PICK_CALENDAR_FIX, False),
    "not_authenticated": ("This user has not authenticated a Google account.", AUTHENTICATE_FIX, False),
    "not_configured": (
        "The user's Google tab or the company's Google API settings are incomplete.",
        "Run studiosync doctor LOGIN: it names the missing setting and where to set it.",
        False,
    ),
    "operation": (
        "A studiosync operation failed during the sync.",
        "Run studiosync doctor LOGIN; the log has the details (studiosync logs --user LOGIN).",
        False,
    ),
    "deletions_held": (
        "The sync held back a mass deletion: nothing was deleted on either side until someone decides.",
        "If the deletions were meant: studiosync sync LOGIN --allow-deletions (console: Dashboard, select "
        "the user, h); if not: studiosync sync LOGIN --restore-deleted undoes them.",
        False,
    ),
    "unknown_events": (
        "Google has events made by studiosync that the studio has no appointment for (a restored backup, or "
        "another studiosync data folder syncing this calendar); one-way sync leaves them on Google.",
        "Turn on two-way sync to bring them back into the studio (Google tab; CLI: studiosync google set "
        "LOGIN --two-way), or delete them on Google if they are not wanted.",
        False,
    ),
    "client_group_missing": (
        "The client group chosen for imported Google contacts no longer exists, so contacts are not imported.",
        "Google tab > Client group: choose an existing group (CLI: studiosync google set LOGIN "
        "--client-group NAME; groups: studiosync groups list).",
        False,
    ),
    "internal": (
        "An internal error stopped this user's sync.",
        "Retry; if it persists, report it with the studiosync log (studiosync logs --user LOGIN).",
        False,
    ),
}
_ALIASES = {"store": "store_error"}  # the processor's name for any StoreError

SMTP_CAUSES: tuple[str, ...] = tuple(_SMTP)
STORE_CAUSES: tuple[str, ...] = tuple(_STORE)
SYNC_CAUSES: tuple[str, ...] = tuple(_SYNC)
GOOGLE_CAUSES: tuple[str, ...] = gerrors.CAUSES
CAUSES: tuple[str, ...] = GOOGLE_CAUSES + SMTP_CAUSES + STORE_CAUSES + SYNC_CAUSES


@dataclass(frozen=True)
class Explanation:
    """A failure explained for a person, one line each: its cause id, what went wrong, what to do."""

    cause: str  # a stable id from CAUSES
    message: str  # what went wrong, for a person (one line)
    fix: str  # what to do about it (one line)
    transient: bool = False  # clears by itself: retry, don't act

    def for_login(self, login: str | None) -> Explanation:
        fix = fill_login(self.fix, login)
        return self if fix == self.fix else replace(self, fix=fix)

    def one_line(self) -> str:
        return f"{self.message} Fix: {self.fix}"

    def to_json(self) -> dict[str, Any]:
        return {"cause": self.cause, "message": self.message, "fix": self.fix, "transient": self.transient}


def fill_login(text: str, login: str | None) -> str:
    """Texts name the user as LOGIN (core.google.errors, the processor's fixes): put the real login in."""
    return text.replace("LOGIN", login) if login else text


def explain_cause(cause: str | None) -> Explanation:
    """The texts of a cause id (Google, SMTP, store or sync); an unknown id reads as Google's `unknown`."""
    cause = _ALIASES.get(cause or "", cause)
    for table in (_SMTP, _STORE, _SYNC):
        if cause in table:
            message, fix, transient = table[cause]
            return Explanation(cause, message, fix, transient)
    known = cause if cause in gerrors.CAUSES else "unknown"
    message, fix = gerrors.explain(known)
    return Explanation(known, message, fix, gerrors.is_transient(known))


def is_known_cause(cause: str | None) -> bool:
    return cause in CAUSES or cause in _ALIASES


# -- exceptions -------------------------------------------------------------------------------------
def explain_exception(exc: BaseException, *, context: str | None = None) -> Explanation:
    """Classify any failure. `context` ("google" | "smtp" | "store") settles bare network errors,
    which look the same whether Google or the SMTP server was unreachable."""
    cause = getattr(exc, "cause", None)
    if isinstance(cause, str) and is_known_cause(cause):
        # Our own errors may already carry a cause id (e.g. mail's OperationError); their message and
        # fix are more specific than the table's, so keep them.
        base = explain_cause(cause)
        return _keep_specific(base, exc)
    if isinstance(exc, gerrors.GoogleError):
        return _from_problem(exc.problem)
    smtp = _smtp_cause(exc)
    if smtp is not None and context != "google":
        return _with_detail(explain_cause(smtp), exc)
    if isinstance(exc, StoreError) or context == "store":
        return _keep_specific(explain_cause(_store_cause(exc)), exc)
    inner = exc.__cause__
    if isinstance(exc, StudioSyncError) and isinstance(inner, BaseException):
        # A wrapped low-level error: classify the cause, but keep the wrapper's (more precise) fix.
        found = explain_exception(inner, context=context)
        if found.cause not in ("unknown", "store_error"):
            return _keep_specific(found, exc)
    if context == "smtp" and _is_network(exc):
        return _with_detail(explain_cause("smtp_connection"), exc)
    from studiosync.core.google.errors import classify  # loads Google's libraries: only for an exception

    problem = classify(exc)
    if problem.cause == "unknown" and isinstance(exc, StudioSyncError):
        return Explanation("unknown", exc.message, exc.fix or problem.fix, False)
    return _from_problem(problem)


def _from_problem(problem: gerrors.GoogleProblem) -> Explanation:
    return Explanation(problem.cause, problem.message, problem.fix, problem.transient)


def _keep_specific(base: Explanation, exc: BaseException) -> Explanation:
    message = str(exc).strip() or base.message
    fix = getattr(exc, "fix", None) or base.fix
    return replace(base, message=message, fix=fix)


def _with_detail(base: Explanation, exc: BaseException) -> Explanation:
    detail = _smtp_detail(exc)
    return replace(base, message=f"{base.message} ({detail})") if detail else base


def _smtp_cause(exc: BaseException) -> str | None:
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return "smtp_auth"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "smtp_recipient"
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return "smtp_sender"
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        text = str(exc).lower()
        return "smtp_tls" if "starttls" in text else "smtp_auth" if "auth" in text else "smtp_rejected"
    if isinstance(exc, smtplib.SMTPConnectError | smtplib.SMTPServerDisconnected):
        return "smtp_connection"
    if isinstance(exc, smtplib.SMTPResponseException):
        return "smtp_auth" if exc.smtp_code in (530, 534, 535, 538) else "smtp_rejected"
    if isinstance(exc, smtplib.SMTPException):
        return "smtp_rejected"
    if isinstance(exc, ssl.SSLError):
        return "smtp_tls"  # only when not classified as Google (callers pass context="google" there)
    return None


def _smtp_detail(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "refused: " + ", ".join(sorted(exc.recipients))
    if isinstance(exc, smtplib.SMTPResponseException):
        text = (
            exc.smtp_error.decode("utf-8", "replace")
            if isinstance(exc.smtp_error, bytes)
            else str(exc.smtp_error)
        )
        return f"{exc.smtp_code} {' '.join(text.split())[:120]}".strip()
    if isinstance(exc, socket.gaierror):
        return "host name not found"
    if isinstance(exc, TimeoutError | socket.timeout):
        return "timed out"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, ssl.SSLError):
        return "TLS error"
    return ""


def _is_network(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and not isinstance(exc, PermissionError | FileNotFoundError)


def _store_cause(exc: BaseException) -> str:
    inner = exc.__cause__ if isinstance(exc.__cause__, BaseException) else exc
    text = str(exc).lower()
    if isinstance(inner, PermissionError) or "permission denied" in text:
        return "store_permissions"
    if isinstance(inner, OSError) and inner.errno in (errno.ENOSPC, errno.EDQUOT):
        return "store_disk_full"
    if "no space left" in text:
        return "store_disk_full"
    if "newer studiosync" in text:
        return "store_newer_version"
    if isinstance(inner, ValueError | UnicodeDecodeError) or "corrupt" in text or "unreadable" in text:
        return "store_corrupt"
    if "lock" in text:
        return "store_lock"
    return "store_error"


# -- log lines --------------------------------------------------------------------------------------
# Log lines should carry `cause=` (processor, mail); older or foreign lines are recognised by the
# exception named in their traceback or by one of our own messages.
_EXC_NAMES: tuple[tuple[str, str], ...] = (
    ("SMTPAuthenticationError", "smtp_auth"),
    ("SMTPRecipientsRefused", "smtp_recipient"),
    ("SMTPSenderRefused", "smtp_sender"),
    ("SMTPConnectError", "smtp_connection"),
    ("SMTPServerDisconnected", "smtp_connection"),
    ("invalid_grant", "grant_revoked"),
    ("ServerNotFoundError", "network"),
    ("StoreError", "store_error"),
)


def explain_log_record(record: Any) -> tuple[str, str] | None:
    """(what caused it, how to fix it) for a log line, or None when the line records no known failure.

    `record` is a core.logs.LogRecordView (or any object/mapping with `fields`/`message`). The first
    element is the cause as a sentence for the log screen; `explain_record` gives the full Explanation.
    """
    found = explain_record(record)
    return None if found is None else (found.message, found.fix)


def explain_record(record: Any) -> Explanation | None:
    fields = _get(record, "fields")
    fields = fields if isinstance(fields, Mapping) else {}
    if isinstance(record, Mapping):
        fields = {**record, **fields}
    login = _get(record, "user") or fields.get("user") or fields.get("login")
    login = login if isinstance(login, str) else None
    fix = fields.get("fix")
    fix = fix.strip() if isinstance(fix, str) and fix.strip() else None
    message = str(_get(record, "message") or "")
    cause = fields.get("cause")
    if not (isinstance(cause, str) and is_known_cause(cause)):
        text = f"{message}\n{fields.get('exc') or ''}\n{fields.get('error') or ''}"
        cause = cause_from_text(text)
    if cause is not None:
        found = explain_cause(cause)
        return (replace(found, fix=fix) if fix else found).for_login(login)
    if fix:  # an unclassified failure whose writer knew the remedy (e.g. an email that could not go)
        return Explanation("unknown", message, fix).for_login(login)
    return None


def cause_from_text(text: str) -> str | None:
    """The cause whose message (or a telltale exception name) appears in `text`, else None."""
    for cause in CAUSES:
        if cause == "unknown":
            continue
        if explain_cause(cause).message.rstrip(".") in text:
            return cause
    for needle, cause in _EXC_NAMES:
        if needle in text:
            return cause
    return None


def _get(record: Any, name: str) -> Any:
    if isinstance(record, Mapping):
        return record.get(name)
    return getattr(record, name, None)
