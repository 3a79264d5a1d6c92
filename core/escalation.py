"""Email sync failures to admins: ONE email when a user's sync keeps failing, cleared by a recovery.

Company setting (Company Preferences; CLI `studiosync prefs escalation`): `escalate_to_admins` (default on)
and `escalate_after` N (default 3). When a user's sync has failed N runs in a row
(GooglePrefs.consecutive_failures >= N, kept by the processor), every admin gets one email naming the
user, the cause and the fix. `GooglePrefs.escalated` remembers it was sent, so later failing runs stay
quiet; the next successful run clears it, and a new streak of N failures emails again.

Users have no email field, so an admin's address is their Google tab's "Email Warnings and Errors to Me"
address, else the Google account they linked. An admin who does not sync can still enter a warning
address on their Google tab (`studiosync google set ADMIN --warn-email ADDR`) without enabling sync.

The processor calls `after_user_run` for each user at the end of every run: safe to call after every
run, cheap when nothing changes (store reads only), and never raising -- a failing email must not turn a
sync run into a crash.

Must never import the sync (it sits below it: the processor calls in, passing only a login and whether
the run was ok) and never email about a user more than once per failure streak.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from studiosync.core.explain import Explanation, explain_cause, explain_exception, fill_login
from studiosync.core.store import layout
from studiosync.core.studio.users import GOOGLE

if TYPE_CHECKING:
    from studiosync.core.model import GooglePrefs
    from studiosync.core.studio.studio import Studio

Action = Literal["none", "off", "sent", "cleared", "no_recipients", "send_failed"]


@dataclass
class EscalationOutcome:
    login: str
    action: Action
    recipients: list[str] = field(default_factory=list)
    detail: str = ""


def admin_recipients(studio: Studio) -> list[str]:
    """Every admin's address: their Google tab's warning address, else their linked Google account."""
    prefs = {p.login: p for p in studio.users.all_google_prefs()}
    found: list[str] = []
    for user in studio.users.list():
        if not user.admin:
            continue
        p = prefs.get(user.login)
        address = (p.warn_email or p.account_email) if p else None
        if address and address.lower() not in (a.lower() for a in found):
            found.append(address)
    return found


def after_user_run(studio: Studio, login: str, ok: bool) -> EscalationOutcome:
    """Call after each run of `login`'s sync, once the processor saved the Google tab's failure count."""
    try:
        return _after_user_run(studio, login, ok)
    except Exception as exc:  # noqa: BLE001 - escalation is a side channel; it must never break a run
        _event("ERROR", f"admin escalation for {login} failed: {exc.__class__.__name__}: {exc}", login)
        return EscalationOutcome(login, "none", detail=f"escalation failed: {exc}")


def _after_user_run(studio: Studio, login: str, ok: bool) -> EscalationOutcome:
    prefs = studio.users.google_prefs(login)
    if ok:
        if prefs.escalated and _set_flag(studio, login, expected=True, value=False):
            _event(
                "INFO",
                f"{login}'s Google sync recovered; admins will be emailed again if it fails again",
                login,
            )
            return EscalationOutcome(login, "cleared")
        return EscalationOutcome(login, "none")
    company = studio.prefs.get()
    if not company.escalate_to_admins:
        return EscalationOutcome(login, "off")
    if prefs.escalated or prefs.consecutive_failures < company.escalate_after:
        return EscalationOutcome(login, "none")
    recipients = admin_recipients(studio)
    if not recipients:
        detail = "no admin has an email address (an admin's Google tab > Email Warnings and Errors to Me)"
        _event("WARNING", f"cannot email admins about {login}'s failing sync: {detail}", login)
        return EscalationOutcome(login, "no_recipients", detail=detail)
    # Claim first (atomically), send second: two processes finishing runs at once still send one email.
    if not _set_flag(studio, login, expected=False, value=True):
        return EscalationOutcome(login, "none")
    subject, body = compose(studio, prefs, company.escalate_after)
    sent, failed = _send_each(studio, recipients, subject, body)
    for address, found in failed:
        _event(
            "ERROR",
            f"could not email admin {address} about {login}'s failing sync: {found.message}",
            login,
            cause=found.cause,
            fix=found.fix,
        )
    if not sent:  # nobody was told: release the claim so the next failing run tries again
        _set_flag(studio, login, expected=True, value=False)
        return EscalationOutcome(login, "send_failed", recipients, failed[0][1].one_line())
    _event("WARNING", f"emailed admins ({', '.join(sent)}) about {login}'s failing sync", login)
    return EscalationOutcome(login, "sent", sent)


def compose(studio: Studio, prefs: GooglePrefs, after: int) -> tuple[str, str]:
    """Subject and plain-text body of the admin email."""
    user = studio.users.find(prefs.login)
    name = f"{user.name} ({prefs.login})" if user else prefs.login
    cause = prefs.last_error_cause or "unknown"
    explained = explain_cause(cause).for_login(prefs.login)
    fix = fill_login(prefs.last_error_fix or explained.fix, prefs.login)
    error = prefs.last_error or explained.message
    n = prefs.consecutive_failures
    subject = f"studiosync: Google sync of {name} has failed {n} times in a row"
    lines = [
        f"The Google sync of {name} has failed {n} runs in a row (you are told after {after}).",
        "",
        f"Google account:  {prefs.account_email or '(none)'}",
        f"Calendar:        {prefs.calendar_summary or prefs.calendar_id or '(none)'}",
        f"Last good sync:  {prefs.last_sync or 'never'}",
        f"Last attempt:    {prefs.last_attempt or '?'}",
        "",
        f"Error:  {error}",
        *([] if explained.message in error else [f"Cause:  {explained.message}"]),
        f"Fix:    {fix}",
        "",
        f"More detail: studiosync doctor {prefs.login}",
        "",
        "This email is sent once; you will not hear again until the sync has recovered and then fails again.",
        "To stop these emails: Company Preferences > Email sync failures to admins "
        "(CLI: studiosync prefs escalation --disable).",
    ]
    return subject, "\n".join(lines) + "\n"


def _set_flag(studio: Studio, login: str, *, expected: bool, value: bool) -> bool:
    """Compare-and-set GooglePrefs.escalated in one transaction (only that field: the processor may be
    writing the rest of the Google tab). False when the flag was not `expected` (someone else won)."""
    with studio.store.transaction(layout.STUDIO) as tx:
        table = tx.table(layout.STUDIO, GOOGLE)
        row = table.get(doc_id=login)
        if row is None or bool(row.get("escalated")) != expected:
            return False
        doc = dict(row)
        doc["escalated"] = value
        table.put(login, doc)
    return True


def _send_each(
    studio: Studio, recipients: list[str], subject: str, body: str
) -> tuple[list[str], list[tuple[str, Explanation]]]:
    """One email per admin (with the company's SMTP settings, as the users' own warnings): one refused
    address must not keep the other admins from hearing about it."""
    from studiosync.core.studio.notify import deliver

    sent: list[str] = []
    failed: list[tuple[str, Explanation]] = []
    for address in recipients:
        try:
            deliver(studio, address, subject, body)
            sent.append(address)
        except Exception as exc:  # noqa: BLE001 - reported per address
            failed.append((address, explain_exception(exc, context="smtp")))
    return sent, failed


def _event(level: str, message: str, login: str, **fields: str) -> None:
    from studiosync.core.logs import event, log_context

    with log_context(user=login):
        event(level, message, **fields)
