"""`studiosync status` (text and --json) and the doctor's per-user verdicts name the same first cause
(core.diagnosis), through the real installed entry point."""

from __future__ import annotations

import json

import pytest

from tests.helpers.causes import EXPECTED, WRONG_FIX, build_causes
from tests.sync.helpers import SyncWorld


@pytest.fixture
def causes(world: SyncWorld) -> SyncWorld:
    return build_causes(world)


def test_status_json_and_text_name_the_first_cause(causes: SyncWorld, run_studiosync) -> None:
    done = run_studiosync("status", "--json")
    assert done.returncode == 0, done.stderr
    users = {u["login"]: u for u in json.loads(done.stdout)["users"]}
    for login, (code, message) in EXPECTED.items():
        assert users[login]["cause"] == code and users[login]["cause_message"].startswith(message), login
        assert users[login]["diagnosis"][0]["code"] == code
    assert users["ann"]["status"] == "enabled" and users["ann"]["cause_fix"].endswith(
        "studiosync google auth ann)"
    )
    assert users["eve"]["cause"] == "ok" and users["eve"]["status"] == "authenticated"
    assert users["fay"]["status"] == "held" and users["fay"]["held"]["deletions"] == 11
    text = run_studiosync("status").stdout
    rows = {line.split()[0]: line for line in text.splitlines()[1:]}
    for login, (_, message) in EXPECTED.items():
        assert message[:40] in rows[login], login
    assert WRONG_FIX not in rows["ann"]


def test_doctor_verdicts_name_the_first_cause(causes: SyncWorld, run_studiosync) -> None:
    done = run_studiosync("doctor", "--json", "--timeout", "1")
    verdicts = {v["login"]: v for v in json.loads(done.stdout)["verdicts"]}
    assert done.returncode == 1  # ann, bob and cat cannot sync
    for login, (_, message) in EXPECTED.items():
        assert verdicts[login]["line"].startswith(message), login
    assert verdicts["ann"]["check"] == "account_authenticated" and verdicts["ann"]["status"] == "fail"
    assert (
        verdicts["bob"]["check"] == "account_authenticated"
        and "Remove My Google Account" in verdicts["bob"]["fix"]
    )
    assert verdicts["cat"]["check"] == "calendar_selected"
    assert verdicts["dan"]["status"] == "off" and verdicts["eve"]["status"] == "ok"
    assert verdicts["fay"]["check"] == "held_deletions" and "--allow-deletions" in verdicts["fay"]["fix"]
