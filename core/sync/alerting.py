"""After a user's run: what is wrong now (the diagnosis), and the emails that calls for.

- `run_problem`: the user's diagnosis after this run (core.diagnosis, from the run and the Google tab):
  its first error or warning -- the same first cause the dashboard, `status` and the doctor show.
- `after_run`: the warning email when the state changed (a problem starts, its cause changes, a reminder
  is due, it is resolved) and the detailed log at most once an hour (core.alerts decides both, and is
  told before anything is sent: record, then send). Returns what was emailed, for the run record.

Every time decision reads the one clock (core.clock). Never raises into the sync: a failure to decide,
record or send is logged and the run's outcome stays what it was. Never talks to Google.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Any

from studiosync.core import clock, logs
from studiosync.core.alerts import machine, record
from studiosync.core.diagnosis import Facts, Finding, diagnose, first_problem

if TYPE_CHECKING:
    from studiosync.core.model.users import GooglePrefs
    from studiosync.core.studio.studio import Studio
    from studiosync.core.sync.runs import UserRunResult

_DIGITS = re.compile(r"\d+")


def run_problem(prefs: GooglePrefs, result: UserRunResult) -> Finding | None:
    """The first error or warning of the user's diagnosis right after `result` (None: it synced cleanly)."""
    if result.status == "skipped":
        return None
    facts = Facts(
        login=prefs.login,
        enabled=True,  # it ran
        authenticated=result.cause != "not_authenticated",
        account_email=prefs.account_email,
        calendar_id=prefs.calendar_id,
        calendar_summary=prefs.calendar_summary,
        held=result.held,
        error=result.error,
        error_cause=result.cause,
        error_fix=result.fix,
        warnings=tuple(result.warnings),
        ran=True,
        warn_email=prefs.warn_email or "-",  # the address is not this diagnosis' business
        contacts=prefs.contacts,
        client_group_exists=result.cause != "client_group_missing",  # the run just looked
        # Populate problems are among the run's own warnings already.
    )
    found = first_problem(diagnose(facts))
    return None if found is None or found.check in ("mobile", "populate") else found


def problem_key(found: Finding, warnings: list[str]) -> str:
    """What makes two runs' problems the same one: the cause; for warnings, which warnings (their numbers
    masked: "3 of 40" and "4 of 40" are the same warning)."""
    if found.code != "run_warnings":
        return found.code
    text = "\n".join(sorted({_DIGITS.sub("#", w) for w in warnings}))
    return f"run_warnings:{hashlib.sha256(text.encode()).hexdigest()[:12]}"


def after_run(
    studio: Studio, prefs: GooglePrefs, result: UserRunResult, details: list[str]
) -> list[dict[str, Any]]:
    """The run's emails, as the Google tab asks; records each before sending it. Never raises."""
    address = prefs.warn_email
    if result.status == "skipped" or not address or not studio.prefs.get().email.configured:
        return []  # no email set up: nothing can be told (the doctor's company_email check says so)
    emailed: list[dict[str, Any]] = []
    try:
        remind_hours = studio.prefs.get().alert_remind_hours
        found = run_problem(prefs, result)
        emailed += _warning(studio, prefs, result, found, address, remind_hours)
        if prefs.detailed_logs:
            emailed += _detailed_log(studio, prefs, result, details, address)
    except Exception as exc:  # noqa: BLE001 - an email failure never fails (or repeats) the sync
        logs.event("WARNING", f"could not decide or record the sync emails: {_first_line(exc)}")
    return emailed


# -- the warning email ------------------------------------------------------------------------------
def _warning(
    studio: Studio,
    prefs: GooglePrefs,
    result: UserRunResult,
    found: Finding | None,
    address: str,
    remind_hours: int,
) -> list[dict[str, Any]]:
    from studiosync.core.sync.emails import compose_alert

    problem = None
    if found is not None:
        key = problem_key(found, result.warnings)
        problem = machine.Problem(key, found.code, found.message, found.fix, found.transient, found.severity)
    now, remind = clock.now(), machine.remind_every(remind_hours)

    def decide(doc: dict[str, Any]) -> tuple[dict[str, Any], machine.Decision]:
        decision = machine.decide(doc, problem, now, remind)
        return decision.state, decision

    decision = record.change(studio.store, prefs.login, record.USER, decide)
    if decision.kind is None or decision.claim is None:
        logs.event("DEBUG", f"no warning email: {decision.why}")
        return []
    current = decision.state.get("current") if decision.kind != "resolved" else None
    severity = (current or decision.told_before or {}).get("severity") or "error"
    subject, body = compose_alert(
        studio,
        prefs,
        result,
        decision.kind,
        current,
        decision.told_before,
        severity=severity,
        remind_hours=remind_hours,
    )
    error = _send(studio, address, subject, body, f"{decision.kind} warning")
    _settle(studio, prefs.login, record.USER, decision.claim, address, error)
    return [_emailed(decision.kind, address, decision.why, error, now)]


# -- the detailed log -------------------------------------------------------------------------------
def _detailed_log(
    studio: Studio, prefs: GooglePrefs, result: UserRunResult, details: list[str], address: str
) -> list[dict[str, Any]]:
    from studiosync.core.sync.emails import compose_log, run_line

    now = clock.now()
    line = run_line(studio, result)
    quiet = result.status == "ok" and not result.changed

    def decide(doc: dict[str, Any]) -> tuple[dict[str, Any], machine.LogDecision]:
        decision = machine.decide_log(doc, line, quiet=quiet, now=now)
        return decision.state, decision

    decision = record.change(studio.store, prefs.login, record.LOG, decide)
    if not decision.send or decision.claim is None:
        return []
    subject, body = compose_log(
        studio,
        prefs,
        result,
        details,
        earlier=decision.summary,
        not_listed=decision.not_listed,
        quiet=decision.quiet,
    )
    error = _send(studio, address, subject, body, "detailed log")
    claim = decision.claim

    def settle(doc: dict[str, Any]) -> tuple[dict[str, Any] | None, None]:
        return machine.settle_log(doc, claim, error=error), None

    record.change(studio.store, prefs.login, record.LOG, settle)
    why = f"detailed log ({len(decision.summary) + decision.not_listed + decision.quiet} earlier runs summarized)"
    return [_emailed("log", address, why, error, now)]


# -- sending ----------------------------------------------------------------------------------------
def _send(studio: Studio, to: str, subject: str, body: str, what: str) -> str | None:
    """Send one email; None when it went, else the one-line reason (logged)."""
    from studiosync.core.studio.notify import deliver

    try:
        answer = deliver(studio, to, subject, body)
    except Exception as exc:  # noqa: BLE001 - reported, never raised into the sync
        reason = _first_line(exc)
        logs.event(
            "WARNING", f"could not send the {what} email to {to}: {reason}", fix=getattr(exc, "fix", None)
        )
        return reason
    logs.event("INFO", f"sent the {what} email to {to}", smtp_answer=answer)
    return None


def _settle(studio: Studio, login: str, channel: str, claim: str, address: str, error: str | None) -> None:
    def settle(doc: dict[str, Any]) -> tuple[dict[str, Any] | None, None]:
        return machine.settle(doc, claim, to=[address], error=error), None

    record.change(studio.store, login, channel, settle)


def _emailed(kind: str, to: str, why: str, error: str | None, now: Any) -> dict[str, Any]:
    doc = {
        "kind": kind,
        "to": to,
        "why": why,
        "status": "sent" if error is None else "failed",
        "at": machine.stamp(now),
    }
    if error is not None:
        doc["error"] = error
    return doc


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
