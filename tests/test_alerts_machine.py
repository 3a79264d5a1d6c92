"""The alert state machine (core.alerts.machine) as tables: which email a sequence of runs calls for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from studiosync.core.alerts.machine import (
    FLAP_LIMIT,
    Problem,
    decide,
    decide_log,
    next_reminder,
    settle,
    settle_log,
)

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
DAY = timedelta(hours=24)
A = Problem("grant_revoked", "grant_revoked", "revoked", "re-authenticate")
B = Problem("calendar_gone", "calendar_gone", "gone", "pick another")
NET = Problem("network", "network", "offline", "wait", transient=True)


def play(steps: list[tuple[float, Problem | None]], remind: timedelta | None = DAY) -> list[str | None]:
    """Run the machine over (minutes after T0, problem) steps, every email sent; the emails, in order."""
    state: dict[str, Any] = {}
    sent: list[str | None] = []
    for minutes, problem in steps:
        d = decide(state, problem, T0 + timedelta(minutes=minutes), remind)
        state = d.state
        if d.claim is not None:
            state = settle(state, d.claim, to=["a@x.org"]) or state
        sent.append(d.kind)
    return sent


TABLE: list[tuple[str, list[tuple[float, Problem | None]], list[str | None]]] = [
    ("clean runs tell nothing", [(0, None), (5, None)], [None, None]),
    ("a problem starts", [(0, A)], ["problem"]),
    ("it lasts: quiet", [(m, A) for m in range(0, 50 * 5, 5)], ["problem"] + [None] * 49),
    (
        "reminder after a day, then quiet again",
        [(0, A), (60 * 24 - 1, A), (60 * 24, A), (60 * 24 + 5, A)],
        ["problem", None, "reminder", None],
    ),
    ("the cause changes", [(0, A), (5, A), (10, B), (15, B)], ["problem", None, "changed", None]),
    ("resolved once", [(0, A), (5, None), (10, None)], ["problem", "resolved", None]),
    ("a new start after a resolution", [(0, A), (5, None), (10, A)], ["problem", "resolved", "problem"]),
    ("a transient blip tells nobody", [(0, NET), (5, None)], [None, None]),
    ("a transient problem that lasts", [(0, NET), (5, NET), (10, NET)], [None, "problem", None]),
    (
        "a change to a transient cause waits a run",
        [(0, A), (5, NET), (10, NET)],
        ["problem", None, "changed"],
    ),
    (
        "a change to a transient blip: resolved, not changed",
        [(0, A), (5, NET), (10, None)],
        ["problem", None, "resolved"],
    ),
]


@pytest.mark.parametrize(("case", "steps", "emails"), TABLE, ids=[t[0] for t in TABLE])
def test_transitions(case: str, steps: list[tuple[float, Problem | None]], emails: list[str | None]) -> None:
    assert play(steps) == emails


def test_no_reminders_when_the_interval_is_off() -> None:
    assert play([(0, A), (60 * 24 * 3, A)], remind=None) == ["problem", None]


def test_flapping_is_held_back_then_the_state_as_it_is_told() -> None:
    steps: list[tuple[float, Problem | None]] = [
        (m, A if (m // 5) % 2 == 0 else None) for m in range(0, 60, 5)
    ]
    emails = play([*steps, (70, A)])
    assert emails[:FLAP_LIMIT] == ["problem", "resolved", "problem", "resolved"]
    assert emails[FLAP_LIMIT:12] == [None] * (12 - FLAP_LIMIT)  # at most FLAP_LIMIT state changes an hour
    assert emails[12] == "problem"  # the hour allows one again: the state as it is now


def test_record_then_send_a_refused_send_is_rolled_back() -> None:
    d = decide({}, A, T0, DAY)
    assert d.kind == "problem" and d.state["last"]["status"] == "sending" and d.state["told"]["key"] == A.key
    failed = settle(d.state, d.claim or "", to=[], error="550 refused")
    assert failed is not None and "told" not in failed and failed["last"]["status"] == "failed"
    again = decide(failed, A, T0 + timedelta(minutes=5), DAY)
    assert again.kind == "problem"  # it never went: the next run tries again
    sent = settle(again.state, again.claim or "", to=["a@x.org"])
    assert sent is not None and sent["last_sent"]["why"] == "problem started: grant_revoked"
    assert settle(sent, "another-claim", to=["a@x.org"]) is None  # not the claim of the last attempt
    assert next_reminder(sent, DAY) == (T0 + timedelta(minutes=5) + DAY).isoformat(timespec="seconds")


def test_a_claim_left_sending_is_never_sent_again() -> None:
    d = decide({}, A, T0, DAY)  # recorded; the process died before it could settle
    later = decide(d.state, A, T0 + timedelta(minutes=5), DAY)
    assert later.kind is None and later.state["last"]["status"] == "unconfirmed"
    assert decide(later.state, None, T0 + timedelta(minutes=10), DAY).kind == "resolved"


def test_a_standing_problem_does_not_rewrite_its_state() -> None:
    d = decide({}, A, T0, DAY)
    state = settle(d.state, d.claim or "", to=["a@x.org"]) or {}
    state = decide(state, A, T0 + timedelta(minutes=5), DAY).state
    assert decide(state, A, T0 + timedelta(minutes=10), DAY).state == state


def test_detailed_logs_hourly_with_the_runs_between() -> None:
    state: dict[str, Any] = {}
    sent = []
    for minutes in range(0, 130, 10):
        d = decide_log(state, f"run {minutes}", quiet=False, now=T0 + timedelta(minutes=minutes))
        state = d.state
        if d.send:
            sent.append((minutes, d.summary))
            state = settle_log(state, d.claim or "") or state
    assert [m for m, _ in sent] == [0, 60, 120]
    assert sent[1][1] == [f"run {m}" for m in range(10, 60, 10)]


def test_a_detailed_log_that_could_not_go_waits_for_the_next_run() -> None:
    d = decide_log({}, "run 0", quiet=False, now=T0)
    failed = settle_log(d.state, d.claim or "", error="refused")
    assert failed is not None and failed["pending"] == ["run 0"] and "at" not in failed
    d = decide_log(failed, "run 5", quiet=True, now=T0 + timedelta(minutes=5))
    assert d.send and d.summary == ["run 0"]


def test_quiet_runs_alone_send_no_log() -> None:
    d = decide_log({}, "nothing", quiet=True, now=T0)
    assert not d.send and d.state["quiet"] == 1
