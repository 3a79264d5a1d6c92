"""The emails one sync run sends its user: the warning/error email and the detailed sync log email.

Seed checklist: "Email Warnings and Errors to Me" (GooglePrefs.warn_email) and "Email Detailed Sync Logs
to Me" (GooglePrefs.detailed_logs), sent with the company's SMTP settings (core.studio.notify.deliver).
Every run with problems sends one warning/error email; when its set of problems is the one last emailed
(`problems_fingerprint`, kept in the user's sync state by the processor) the email says it is not new.
The detailed log (opt-in) goes every run. Emails are concise and carry no secrets: causes and fixes come
from the error classifier, which already scrubs tokens, and the detailed log is the run's own (already
redacted) log lines.

Must never raise into the sync: a failed send is logged and the run's outcome stays what it was; nothing
is retried or re-run.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from studiosync.core import logs
from studiosync.core.studio.notify import deliver

if TYPE_CHECKING:
    from studiosync.core.model import GooglePrefs
    from studiosync.core.studio.studio import Studio
    from studiosync.core.sync.runs import UserRunResult

WARNING_LIMIT = 10


def problems_fingerprint(result: UserRunResult) -> str | None:
    """A short digest of the run's problems (its error and its distinct warnings, in any order); None for
    a run without problems."""
    if result.status not in ("warning", "error"):
        return None
    problems = set(result.warnings)
    if result.status == "error":
        problems.add(f"error [{result.cause or '-'}]: {result.error or ''}")
    return hashlib.sha256("\n".join(sorted(problems)).encode()).hexdigest()[:16]


def send_run_emails(
    studio: Studio,
    prefs: GooglePrefs,
    result: UserRunResult,
    details: list[str] | None = None,
    *,
    emailed: str | None = None,
) -> list[str]:
    """After one user's run: the warning/error email and/or the detailed log email, as the Google tab asks.
    `details` is the run's detailed log (the lines the run logged for this user). `emailed` is the
    fingerprint of the problems last emailed to this user: the same problems again are still sent (each
    run with problems sends one email, as the Google tab promises) but say that they are not new.

    Returns what was sent ("warning", "log"); never raises.
    """
    sent: list[str] = []
    address = prefs.warn_email
    if not address:
        return sent
    fingerprint = problems_fingerprint(result)
    if fingerprint is not None:  # every run with problems: "a run with warnings or errors sends one email"
        subject, body = compose_warning(studio, prefs, result, repeated=fingerprint == emailed)
        if _try_send(studio, address, subject, body, "warning"):
            sent.append("warning")
    if prefs.detailed_logs and result.status != "skipped":
        subject, body = compose_log(studio, prefs, result, details or [])
        if _try_send(studio, address, subject, body, "detailed log"):
            sent.append("log")
    return sent


def compose_warning(
    studio: Studio, prefs: GooglePrefs, result: UserRunResult, *, repeated: bool = False
) -> tuple[str, str]:
    user = studio.users.find(prefs.login)
    name = user.name if user else prefs.login
    what = "failed" if result.status == "error" else "finished with warnings"
    subject = f"studiosync: Google sync for {name} {what}"
    lines = [f"Hello {name},", "", f"The Google sync of your studio appointments {what}."]
    if repeated:
        lines += [
            "Nothing new: the same problem as in the previous email. It is reported after every run until it is fixed."
        ]
    if result.status == "error":
        lines += ["", f"What happened: {result.error}"]
        if result.fix:
            lines += [f"What to do:    {result.fix}"]
        if result.cause:
            lines += [f"(cause: {result.cause})"]
    if result.warnings:
        lines += ["", "Warnings:"]
        lines += [f"- {w}" for w in result.warnings[:WARNING_LIMIT]]
        if len(result.warnings) > WARNING_LIMIT:
            lines.append(f"- ... and {len(result.warnings) - WARNING_LIMIT} more (see the studiosync log)")
    lines += ["", _counts_line(result), "", _footer(prefs, result)]
    return subject, "\n".join(lines) + "\n"


def compose_log(
    studio: Studio, prefs: GooglePrefs, result: UserRunResult, details: list[str]
) -> tuple[str, str]:
    user = studio.users.find(prefs.login)
    name = user.name if user else prefs.login
    subject = f"studiosync: Google sync log for {name} ({result.status})"
    lines = [
        f"Google sync of {name} ({prefs.login}) -- run {result.run_id or '?'}",
        f"Started {result.started}, took {result.duration_s:.1f} s, status {result.status}.",
        _counts_line(result),
        "Google requests: " + (", ".join(f"{k} {v}" for k, v in sorted(result.requests.items())) or "none"),
    ]
    if result.error:
        lines += [f"Error: {result.error}", f"Fix:   {result.fix or '-'}"]
    if result.conflicts:
        lines += ["", "Conflicts (a field changed in the studio and on Google; the later change was kept):"]
        for c in result.conflicts[:20]:
            s, g = c.get("studio") or {}, c.get("google") or {}
            lines.append(
                f"- {c.get('appointment_id')} (studio changed {s.get('updated')}, Google {g.get('updated')}):"
            )
            for name, v in (c.get("values") or {}).items():
                lines.append(
                    f"    {name}: studio {v.get('studio')!r} / Google {v.get('google')!r}, kept {v.get('winner')}"
                )
    lines += ["", "Log:"]
    lines += [logs.redact(line) for line in details] or ["(nothing logged)"]
    lines += ["", _footer(prefs, result)]
    return subject, "\n".join(lines) + "\n"


def _counts_line(result: UserRunResult) -> str:
    c = result.counts
    return (
        f"Sent to Google: {c.get('pushed_created', 0)} new, {c.get('pushed_updated', 0)} changed, "
        f"{c.get('pushed_deleted', 0)} deleted. From Google: {c.get('pulled_created', 0)} new, "
        f"{c.get('pulled_updated', 0)} changed, {c.get('pulled_deleted', 0)} deleted. "
        f"Contacts: {c.get('contacts_created', 0)} new, {c.get('contacts_updated', 0)} changed. "
        f"Field conflicts: {c.get('conflicts', 0)}."
    )


def _footer(prefs: GooglePrefs, result: UserRunResult) -> str:
    return (
        f"Run {result.run_id or '?'} for user {prefs.login}. You get this email because of the "
        "'Email Warnings and Errors to Me' / 'Email Detailed Sync Logs to Me' options of your Google tab."
    )


def _try_send(studio: Studio, to: str, subject: str, body: str, what: str) -> bool:
    try:
        answer = deliver(studio, to, subject, body)
    except Exception as exc:  # noqa: BLE001 - an email failure never fails (or repeats) the sync
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        fix = getattr(exc, "fix", None)
        logs.event("WARNING", f"could not send the {what} email to {to}: {reason}", fix=fix)
        return False
    logs.event("INFO", f"sent the {what} email to {to}", smtp_answer=answer)
    return True
