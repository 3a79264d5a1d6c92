"""The ordered diagnosis (core.diagnosis) as a table: a user's state -> the findings, the real cause first."""

from __future__ import annotations

from dataclasses import replace

import pytest
from studiosync.core.diagnosis import Facts, diagnose, first_problem

# A user that syncs cleanly: authenticated, primary calendar, warnings emailed, a run recorded.
GOOD = Facts(
    login="ann",
    enabled=True,
    authenticated=True,
    account_email="ann@example.com",
    calendar_id="ann@example.com",
    calendar_summary="Ann",
    ran=True,
    warn_email="ann@example.com",
)
HELD = {
    "message": "Google reports 12 of 40 events deleted; nothing was deleted in the studio",
    "fix": "decide",
    "since": "2026-12-01T09:00:00",
}


def err(cause: str, message: str = "it failed", fix: str = "") -> dict[str, str]:
    return {"error": message, "error_cause": cause, "error_fix": fix}


CASES: list[tuple[str, Facts, list[str]]] = [
    ("clean", GOOD, ["ok"]),
    ("a resource", Facts(login="room", staff=False, enabled=True), ["resource"]),
    # Issue 13's case: Remove My Google Account with Enable still checked (the account AND the calendar go).
    (
        "account removed, enable on",
        replace(GOOD, authenticated=False, account_email=None, calendar_id=None, **err("no_calendar")),
        ["not_authenticated", "no_calendar"],
    ),
    (
        "no account, no calendar, sync off",
        Facts(login="bob"),
        ["not_authenticated", "no_calendar", "sync_off"],
    ),
    (
        "token store unreadable",
        replace(GOOD, authenticated=False, token_problem="file corrupt"),
        ["token_unreadable"],
    ),
    ("grant revoked", replace(GOOD, **err("grant_revoked")), ["grant_revoked"]),
    (
        "revoked AND held: the account first",
        replace(GOOD, held=HELD, **err("grant_revoked")),
        ["grant_revoked", "deletions_held"],
    ),
    ("scope missing", replace(GOOD, **err("insufficient_scope")), ["insufficient_scope"]),
    ("account shared", replace(GOOD, shared_with=("bob",)), ["account_shared"]),
    ("no calendar", replace(GOOD, calendar_id=None), ["no_calendar"]),
    ("calendar gone", replace(GOOD, **err("calendar_gone")), ["calendar_gone"]),
    ("calendar read-only", replace(GOOD, **err("calendar_read_only")), ["calendar_read_only"]),
    ("sync off, all set up", replace(GOOD, enabled=False), ["sync_off"]),
    ("sync off hides an old error", replace(GOOD, enabled=False, **err("network")), ["sync_off"]),
    ("held alone", replace(GOOD, held=HELD), ["deletions_held"]),
    (
        "held, and the run failed for another reason",
        replace(GOOD, held=HELD, **err("network")),
        ["deletions_held", "network"],
    ),
    ("held, told by the run's cause only", replace(GOOD, **err("deletions_held")), ["deletions_held"]),
    ("last run failed", replace(GOOD, **err("quota")), ["quota"]),
    ("an error without a cause id", replace(GOOD, error="boom"), ["unknown"]),
    ("a stale set-up error is judged now", replace(GOOD, **err("not_authenticated")), ["ok"]),
    (
        "contacts group gone",
        replace(GOOD, contacts=True, client_group_exists=False),
        ["client_group_missing"],
    ),
    ("warnings", replace(GOOD, warnings=("zones differ", "x")), ["run_warnings"]),
    (
        "warnings are not read on a failed run",
        replace(GOOD, warnings=("zones",), **err("network")),
        ["network"],
    ),
    ("no warning email", replace(GOOD, warn_email=None), ["no_warn_email"]),
    ("bad warning email", replace(GOOD, warn_email_valid=False), ["no_warn_email"]),
    ("never synced", replace(GOOD, ran=False), ["never_synced"]),
    ("populate studio waits", replace(GOOD, populate_studio=True, two_way=False), ["populate_waits"]),
    (
        "secondary calendar",
        replace(GOOD, calendar_id="team@group.calendar.google.com"),
        ["calendar_not_primary"],
    ),
    ("populate pending", replace(GOOD, populate_google=True), ["populate_pending"]),
    ("'primary' is the primary", replace(GOOD, calendar_id="primary"), ["ok"]),
    (
        "everything at once, in order",
        replace(
            GOOD,
            calendar_id="team@group.calendar.google.com",
            held=HELD,
            warn_email=None,
            contacts=True,
            client_group_exists=False,
            populate_google=True,
            **err("network"),
        ),
        [
            "deletions_held",
            "network",
            "client_group_missing",
            "no_warn_email",
            "calendar_not_primary",
            "populate_pending",
        ],
    ),
]


@pytest.mark.parametrize(("state", "facts", "codes"), CASES, ids=[c[0] for c in CASES])
def test_diagnosis_table(state: str, facts: Facts, codes: list[str]) -> None:
    assert [f.code for f in diagnose(facts)] == codes


def test_severities_and_texts() -> None:
    removed = diagnose(replace(GOOD, authenticated=False, account_email=None, calendar_id=None))
    assert removed[0].severity == "error" and removed[0].check == "account_authenticated"
    assert "no Google account is authenticated" in removed[0].message
    assert "studiosync google auth ann" in removed[0].fix  # LOGIN filled in
    off = diagnose(Facts(login="bob"))
    assert {f.severity for f in off} == {"off"} and off[0].message.startswith("Google sync is not set up")
    revoked = diagnose(replace(GOOD, **err("grant_revoked", fix="")))[0]
    assert "Remove My Google Account" in revoked.fix and "ann" in revoked.fix
    network = diagnose(replace(GOOD, **err("network", "Cannot reach Google")))[0]
    assert network.transient and network.check == "last_run"
    assert diagnose(replace(GOOD, calendar_id="x@group.calendar.google.com"))[0].severity == "note"
    assert first_problem(diagnose(replace(GOOD, calendar_id="x@group.calendar.google.com"))) is None
    assert first_problem(diagnose(replace(GOOD, warnings=("w",)))).code == "run_warnings"
    assert diagnose(replace(GOOD, warnings=("a", "b", "c")))[0].message.endswith("a (and 2 more warnings)")
