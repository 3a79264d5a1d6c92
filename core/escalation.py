"""Email sync failures to admins, by the same rules as the users' own warning emails (core.alerts).

Company setting (Company Preferences; CLI `studiosync prefs escalation`): `escalate_to_admins` (default on)
and `escalate_after` N (default 3). Once a user's sync has failed N runs in a row
(GooglePrefs.consecutive_failures, kept by the processor), every admin gets ONE email naming the user, the
cause and the fix. Then, like an uptime monitor: a new email when the cause changes, a reminder every
`alert_remind_hours` (default 24 h) while it lasts, and one "works again" email when the user syncs
without an error again. Never one per run. The state is kept in the user's sync state file (core.alerts,
channel `admins`), recorded before each email is sent; GooglePrefs.escalated mirrors "admins were told of
a problem still open" (the processor's cue to look at a recovered user, and a `status --json` field).

Users have no email field, so an admin's address is their Google tab's "Email Warnings and Errors to Me"
address, else the Google account they linked. An admin who does not sync can still enter a warning
address on their Google tab (`studiosync google set ADMIN --warn-email ADDR`) without enabling sync.

The processor calls `after_user_run` for each user at the end of every run, with the first problem of the
user's diagnosis (core.diagnosis, so admins read the same first cause as the dashboard): cheap when
nothing changes (store reads only), and never raising -- a failing email must not turn a sync run into a
crash. Must never import the sync (it sits below it: the processor calls in with plain data).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from studiosync.core import clock
from studiosync.core.alerts import machine, record
from studiosync.core.explain import Explanation, explain_cause, explain_exception, fill_login
from studiosync.core.store import layout
from studiosync.core.studio.users import GOOGLE

if TYPE_CHECKING:
    from studiosync.core.model.users import GooglePrefs
    from studiosync.core.studio.studio import Studio

Action = Literal["none", "off", "sent", "no_recipients", "send_failed"]


@dataclass
class EscalationOutcome:
    """What `after_user_run` did about one user's run: emailed the admins (whom, which email), nothing, or why
    it could not."""

    login: str
    action: Action
    recipients: list[str] = field(default_factory=list)
    detail: str = ""
    kind: str | None = None  # the email sent: problem | changed | reminder | resolved


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


def after_user_run(
    studio: Studio, login: str, ok: bool, problem: dict[str, Any] | None = None
) -> EscalationOutcome:
    """Call after each run of `login`'s sync, once the processor saved the Google tab's failure count.
    `problem`: the first problem of the user's diagnosis (code, message, fix), else the Google tab's error."""
    try:
        return _after_user_run(studio, login, ok, problem)
    except Exception as exc:  # noqa: BLE001 - escalation is a side channel; it must never break a run
        _event("ERROR", f"admin escalation for {login} failed: {exc.__class__.__name__}: {exc}", login)
        return EscalationOutcome(login, "none", detail=f"escalation failed: {exc}")


def _after_user_run(
    studio: Studio, login: str, ok: bool, problem: dict[str, Any] | None
) -> EscalationOutcome:
    prefs = studio.users.google_prefs(login)
    company = studio.prefs.get()
    if not company.escalate_to_admins or not company.email.configured:
        return EscalationOutcome(login, "off")  # no email set up: the doctor's company_email check says so
    if not ok and prefs.consecutive_failures < company.escalate_after:
        return EscalationOutcome(login, "none")  # not (yet) a streak: admins hear nothing, nothing changes
    if ok and not prefs.escalated and not _told(studio, login):
        return EscalationOutcome(login, "none")
    recipients = admin_recipients(studio)
    if not recipients:
        if not ok:
            detail = "no admin has an email address (an admin's Google tab > Email Warnings and Errors to Me)"
            if prefs.consecutive_failures == company.escalate_after:  # said once a streak, not every run
                _event("WARNING", f"cannot email admins about {login}'s failing sync: {detail}", login)
            return EscalationOutcome(login, "no_recipients", detail=detail)
        return EscalationOutcome(login, "none")
    alert = None if ok else _problem(prefs, problem)
    now, remind = clock.now(), machine.remind_every(company.alert_remind_hours)

    def decide(doc: dict[str, Any]) -> tuple[dict[str, Any], machine.Decision]:
        decision = machine.decide(doc, alert, now, remind)
        return decision.state, decision

    # Record first, send second (core.alerts.machine says why): two processes finishing runs at once, or a
    # crash right after sending, still make one email.
    decision = record.change(studio.store, login, record.ADMINS, decide)
    if decision.kind is None or decision.claim is None:
        if ok and prefs.escalated and not decision.state.get("told"):
            _set_flag(studio, login, False)  # nothing open was told (a flag from before these rules)
        return EscalationOutcome(login, "none", detail=decision.why)
    current = decision.state.get("current") if decision.kind != "resolved" else None
    subject, body = compose(
        studio,
        prefs,
        decision.kind,
        current,
        decision.told_before,
        company.escalate_after,
        company.alert_remind_hours,
    )
    sent, failed = _send_each(studio, recipients, subject, body)
    for address, found in failed:
        _event(
            "ERROR",
            f"could not email admin {address} about {login}'s sync: {found.message}",
            login,
            cause=found.cause,
            fix=found.fix,
        )
    error = None if sent else failed[0][1].one_line()
    claim = decision.claim

    def settle(doc: dict[str, Any]) -> tuple[dict[str, Any] | None, None]:
        return machine.settle(doc, claim, to=sent, error=error), None

    record.change(studio.store, login, record.ADMINS, settle)
    if not sent:  # nobody was told: rolled back, so the next run tries again
        return EscalationOutcome(login, "send_failed", recipients, error or "", decision.kind)
    _set_flag(studio, login, decision.kind != "resolved")
    _event("WARNING", f"emailed admins ({', '.join(sent)}) about {login}'s sync: {decision.why}", login)
    return EscalationOutcome(login, "sent", sent, decision.why, decision.kind)


def _problem(prefs: GooglePrefs, given: dict[str, Any] | None) -> machine.Problem:
    """What admins are told about. The streak of N failures is its confirmation, so it never waits for a
    second run the way a user's transient problem does."""
    if given and given.get("code"):
        code = str(given["code"])
        return machine.Problem(code, code, str(given.get("message") or ""), str(given.get("fix") or ""))
    cause = prefs.last_error_cause or "unknown"
    explained = explain_cause(cause).for_login(prefs.login)
    fix = fill_login(prefs.last_error_fix or explained.fix, prefs.login)
    return machine.Problem(cause, cause, prefs.last_error or explained.message, fix)


def _told(studio: Studio, login: str) -> bool:
    return bool((record.load(studio.store, login).get(record.ADMINS) or {}).get("told"))


def compose(
    studio: Studio,
    prefs: GooglePrefs,
    kind: str,
    problem: dict[str, Any] | None,
    told_before: dict[str, Any] | None,
    after: int,
    remind_hours: int,
) -> tuple[str, str]:
    """Subject and plain-text body of the admins' email `kind` (problem | changed | reminder | resolved)."""
    user = studio.users.find(prefs.login)
    name = " ".join((user.name if user else prefs.login).split())[:60]  # core.mail escapes what is unsafe
    who = f"{name} ({prefs.login})"
    n = prefs.consecutive_failures
    about = problem or told_before or {}
    cause = about.get("cause") or "unknown"
    subject = {
        "problem": f"studiosync: Google sync of {who} has failed {n} times in a row",
        "changed": f"studiosync: Google sync of {who} still fails, now for another reason ({cause})",
        "reminder": f"studiosync: reminder: Google sync of {who} has failed {n} times in a row",
        "resolved": f"studiosync: Google sync of {who} works again",
    }[kind]
    if kind == "resolved":
        lines = [
            f"The Google sync of {who} works again: its last run had no error.",
            "",
            f"Resolved: {about.get('message') or cause} (cause: {cause}; since {about.get('since') or '?'})",
        ]
    else:
        lines = [
            {
                "problem": f"The Google sync of {who} has failed {n} runs in a row (you are told after {after}).",
                "changed": f"The Google sync of {who} still fails ({n} runs in a row), now for another reason.",
                "reminder": f"Reminder: the Google sync of {who} has failed {n} runs in a row, since "
                f"{about.get('since') or '?'}.",
            }[kind]
        ]
        if kind == "changed" and told_before:
            lines += [f"Before: {told_before.get('message')} (cause: {told_before.get('cause')})"]
        lines += [
            "",
            f"Google account:  {prefs.account_email or '(none)'}",
            f"Calendar:        {prefs.calendar_summary or prefs.calendar_id or '(none)'}",
            f"Last good sync:  {prefs.last_sync or 'never'}",
            f"Last attempt:    {prefs.last_attempt or '?'}",
            "",
            f"Error:  {about.get('message')}",
            f"Fix:    {about.get('fix') or '-'}",
            f"(cause: {cause})",
            "",
            f"More detail: studiosync doctor {prefs.login}",
        ]
    remind = f"a reminder every {remind_hours} h while it lasts" if remind_hours else "no reminders"
    lines += [
        "",
        f"You get one email when a user's sync starts failing ({after} runs in a row) or fails for another "
        f"reason, {remind}, and one when it works again.",
        "To stop these emails: Company Preferences > Email sync failures to admins "
        "(CLI: studiosync prefs escalation --disable).",
    ]
    return subject, "\n".join(lines) + "\n"


def _set_flag(studio: Studio, login: str, value: bool) -> None:
    """GooglePrefs.escalated mirrors the admins' channel (only that field: the processor may be writing the
    rest of the Google tab)."""
    with studio.store.transaction(layout.STUDIO) as tx:
        table = tx.table(layout.STUDIO, GOOGLE)
        row = table.get(doc_id=login)
        if row is None or bool(row.get("escalated")) == value:
            return
        doc = dict(row)
        doc["escalated"] = value
        table.put(login, doc)


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
