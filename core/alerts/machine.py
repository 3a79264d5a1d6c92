"""When an alert email goes out: the state machine, as pure decisions over a plain state document.

Alerts follow state, never runs (the way uptime monitors send them). One channel per audience -- the
user's own warning emails, the admins' escalation -- each a small document:

    current    the problem the last run(s) met: key, cause, message, fix, since, runs (1, then 2 = confirmed)
    told       the problem the person was last told about (key, cause, since, at = when, kind), or absent:
               nothing open was told
    last       the last email attempt: at, kind, why, status (sending | sent | failed | unconfirmed), claim
    last_sent  the last email that went out: at, kind, why, to
    recent     when the state-change emails of the last hour went (the flapping guard)

Transitions, after each run (`decide`):

    no problem,   nothing told        -> nothing
    problem K,    nothing told        -> "problem" email (K starts)
    problem K,    told K              -> nothing; a "reminder" once `remind` has passed since it was told
    problem K2,   told K1             -> "changed" email (the cause changed)
    no problem,   told K              -> "resolved" email (syncs cleanly again)

A transient cause (a network blip, Google's 503s: it clears by itself) counts once it is met by two runs
in a row; one failed run between good ones tells nobody. More than FLAP_LIMIT state-change emails in an
hour would be a flood: further changes wait (recorded, not sent) until the hour allows one, which then
tells the state as it is by then.

Crash safety -- record, then send: `decide` returns the new state with `last.status = "sending"`; the caller
writes it (one store transaction) BEFORE sending, and `settle` records how the send ended. A process killed
right after sending has already recorded the change, so the email is never sent twice (a later run only
marks it "unconfirmed"); killed before sending, this one change is not emailed -- the standing problem's
reminder or the next change tells it. Send-then-record would do the opposite: at least once, a duplicate
after every crash, the very flood this exists to stop. A send that fails for sure (the SMTP server refused
or was unreachable) is rolled back, so the next run tries again.

The detailed-log channel (`decide_log`) is simpler: at most one email per LOG_EVERY; the runs in between are
summarized in the next one.

Pure: no store, no clock (`now` is passed in: callers read core.clock), no email. Times are ISO stamps.
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

Kind = Literal["problem", "changed", "reminder", "resolved"]
STATE_CHANGES: tuple[str, ...] = ("problem", "changed", "resolved")
CONFIRM_RUNS = 2  # a transient cause must be met by this many runs in a row
FLAP_LIMIT = 4  # state-change emails per channel in any FLAP_WINDOW
FLAP_WINDOW = timedelta(hours=1)
LOG_EVERY = timedelta(hours=1)  # detailed-log emails: at most one per user per hour
LOG_LINES_KEPT = 30  # runs listed in the next log email's summary (the rest are counted)


@dataclass(frozen=True)
class Problem:
    """What a channel alerts about. A change of `key` is a change of cause (a new email)."""

    key: str
    cause: str
    message: str
    fix: str = ""
    transient: bool = False
    severity: str = "error"  # core.diagnosis: "error" (failing) or "warn" (warnings)


@dataclass(frozen=True)
class Decision:
    """What `decide` makes of a run for one channel: the alert email to send now (if any), the channel's new
    state to write before sending, and why."""

    kind: Kind | None  # the email to send now, if any
    state: dict[str, Any]  # the channel's new state: write it before sending
    told_before: dict[str, Any] | None  # what the person had been told (a "changed"/"resolved" refers to it)
    why: str  # one line: why this email, or why none
    claim: str | None = None  # settle() takes it back to say how the send ended


def remind_every(hours: int | None) -> timedelta | None:
    """The company's reminder interval (CompanyPrefs.alert_remind_hours); 0 or None: no reminders."""
    return timedelta(hours=hours) if hours and hours > 0 else None


def stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def parse(text: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text)) if text else None
    except ValueError:
        return None


def decide(
    state: dict[str, Any], problem: Problem | None, now: datetime, remind: timedelta | None
) -> Decision:
    """After a run: the channel's new state and the email it calls for (None: stay quiet)."""
    st = copy.deepcopy(state)
    _forget_dead_claim(st)
    current = _advance(st.get("current"), problem, now)
    _put(st, "current", current)
    told = st.get("told")
    confirmed = current is not None and (not current.get("transient") or current["runs"] >= CONFIRM_RUNS)
    kind: Kind | None = None
    if current is None:
        kind = "resolved" if told else None
        why = _resolved_why(told) if told else "no problem"
    elif not confirmed:
        why = f"{current['cause']} is transient: told if the next run meets it too"
    elif not told:
        kind, why = "problem", f"problem started: {current['cause']}"
    elif told.get("key") != current["key"]:
        kind, why = "changed", f"cause changed: {told.get('cause')} -> {current['cause']}"
    elif remind and _due(told, remind, now):
        kind, why = "reminder", f"reminder: {current['cause']} since {current['since']}"
    else:
        why = f"{current['cause']} was told {told.get('at')}" + (
            f"; reminder due {stamp(parse(told['at']) + remind)}" if remind and parse(told.get("at")) else ""
        )
    if kind in STATE_CHANGES and _flapping(st, now):
        return Decision(None, st, told, f"held back: {FLAP_LIMIT} state changes emailed in the last hour")
    if kind is None:
        return Decision(None, st, told, why)
    claim = uuid.uuid4().hex[:12]
    st["last"] = {
        "at": stamp(now),
        "kind": kind,
        "cause": (current or told or {}).get("cause"),
        "why": why,
        "status": "sending",
        "claim": claim,
        "before": {"told": told, "recent": list(st.get("recent") or [])},
    }
    if kind == "resolved":
        st.pop("told", None)
    else:
        assert current is not None
        since = told["since"] if kind == "reminder" and told else current["since"]
        st["told"] = {**_public(current), "since": since, "at": stamp(now), "kind": kind}
    if kind in STATE_CHANGES:
        st["recent"] = [*_recent(st, now), stamp(now)]
    return Decision(kind, st, told, why, claim)


def settle(
    state: dict[str, Any], claim: str, *, to: list[str], error: str | None = None
) -> dict[str, Any] | None:
    """How the claimed send ended: sent (to whom), or failed (rolled back, so the next run tries again).
    None when the claim is no longer the channel's last attempt (nothing to write)."""
    st = copy.deepcopy(state)
    last = st.get("last") or {}
    if last.get("claim") != claim:
        return None
    before = last.pop("before", None)
    if error is None:
        last.update(status="sent", to=to)
        st["last_sent"] = {k: last.get(k) for k in ("at", "kind", "cause", "why")} | {"to": to}
        return st
    last.update(status="failed", error=error)
    if before is not None:  # still ours to undo (a later decision that found it "sending" keeps its state)
        _put(st, "told", before.get("told"))
        st["recent"] = list(before.get("recent") or [])
    return st


def next_reminder(state: dict[str, Any], remind: timedelta | None) -> str | None:
    told = state.get("told") or {}
    at = parse(told.get("at"))
    return stamp(at + remind) if at and remind and state.get("current") else None


# -- detailed logs ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class LogDecision:
    """What `decide_log` makes of a run's detailed log: send the email now (with the runs since the last one
    summarized), or keep its line for the next one."""

    send: bool
    state: dict[str, Any]
    summary: list[str]  # one line per earlier run not emailed (newest last)
    not_listed: int  # earlier runs beyond the listed ones
    quiet: int  # earlier runs that changed nothing and met no problem
    claim: str | None = None


def decide_log(state: dict[str, Any], line: str, *, quiet: bool, now: datetime) -> LogDecision:
    """This run's detailed log: email it now (with the runs since the last one summarized), or keep a line
    for the next one. At most one email per LOG_EVERY; runs that changed nothing and met no problem are
    only counted, never emailed on their own."""
    st = copy.deepcopy(state)
    if st.get("status") == "sending":  # a process stopped while sending: at most once, never again
        st["status"] = "unconfirmed"
        for key in ("before", "line", "was_quiet"):
            st.pop(key, None)
    last = parse(st.get("at"))
    nothing_to_tell = quiet and not st.get("pending") and not st.get("more")
    if (last is not None and now - last < LOG_EVERY) or nothing_to_tell:
        _remember_run(st, line, quiet)
        return LogDecision(False, st, [], 0, 0)
    claim = uuid.uuid4().hex[:12]
    before = {k: st.get(k) for k in ("at", "pending", "more", "quiet")}
    summary, more, quiet_runs = (
        list(st.get("pending") or []),
        int(st.get("more") or 0),
        int(st.get("quiet") or 0),
    )
    st = {
        "at": stamp(now),
        "claim": claim,
        "status": "sending",
        "before": before,
        "line": line,
        "was_quiet": quiet,
    }
    return LogDecision(True, st, summary, more, quiet_runs, claim)


def settle_log(state: dict[str, Any], claim: str, *, error: str | None = None) -> dict[str, Any] | None:
    st = copy.deepcopy(state)
    if st.get("claim") != claim:
        return None
    before = st.pop("before", {}) or {}
    line, was_quiet = st.pop("line", ""), bool(st.pop("was_quiet", False))
    if error is None:
        st["status"] = "sent"
        return st
    # Not sent: as if it had not been due -- the runs wait for the next attempt, this one with them.
    restored = {k: v for k, v in before.items() if v is not None}
    restored["status"], restored["error"] = "failed", error
    _remember_run(restored, line, was_quiet)
    return restored


def _remember_run(st: dict[str, Any], line: str, quiet: bool) -> None:
    if quiet:
        st["quiet"] = int(st.get("quiet") or 0) + 1
        return
    pending = list(st.get("pending") or [])
    pending.append(line)
    if len(pending) > LOG_LINES_KEPT:
        st["more"] = int(st.get("more") or 0) + len(pending) - LOG_LINES_KEPT
        pending = pending[-LOG_LINES_KEPT:]
    st["pending"] = pending


# -- helpers ----------------------------------------------------------------------------------------
def _advance(current: dict[str, Any] | None, problem: Problem | None, now: datetime) -> dict[str, Any] | None:
    if problem is None:
        return None
    if current and current.get("key") == problem.key:
        # Same problem: keep its first words and start; count runs only up to what confirming needs, so
        # a standing problem does not rewrite the state on every run.
        return {**current, "runs": min(int(current.get("runs") or 1) + 1, CONFIRM_RUNS)}
    return {
        "key": problem.key,
        "cause": problem.cause,
        "message": problem.message,
        "fix": problem.fix,
        "severity": problem.severity,
        "transient": problem.transient,
        "since": stamp(now),
        "runs": 1,
    }


def _public(current: dict[str, Any]) -> dict[str, Any]:
    return {k: current.get(k) for k in ("key", "cause", "message", "fix", "severity")}


def _due(told: dict[str, Any], remind: timedelta, now: datetime) -> bool:
    at = parse(told.get("at"))
    return at is None or now - at >= remind


def _recent(st: dict[str, Any], now: datetime) -> list[str]:
    return [t for t in st.get("recent") or [] if (at := parse(t)) is not None and now - at < FLAP_WINDOW]


def _flapping(st: dict[str, Any], now: datetime) -> bool:
    return len(_recent(st, now)) >= FLAP_LIMIT


def _forget_dead_claim(st: dict[str, Any]) -> None:
    """A claim still "sending" when the next decision is made belongs to a process that stopped between
    recording and hearing back: the email may or may not have gone. It is not sent again."""
    last = st.get("last")
    if last and last.get("status") == "sending":
        last["status"] = "unconfirmed"
        last.pop("before", None)


def _resolved_why(told: dict[str, Any]) -> str:
    return f"resolved: syncs cleanly again (was {told.get('cause')})"


def _put(st: dict[str, Any], key: str, value: Any) -> None:
    if value is None:
        st.pop(key, None)
    else:
        st[key] = value
