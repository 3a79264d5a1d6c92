"""Request counters per account and per project, injected quota faults and enforced per-minute quotas,
read over the control API's HTTP endpoints and felt through the real client library.

Sources: Calendar's errors page (403 usageLimits rateLimitExceeded "Rate Limit Exceeded", 403 usageLimits
quotaExceeded "Calendar usage limits exceeded.": bodies `{"error": {"errors": [...], "code", "message"}}`),
Calendar's usage-limits page (per minute per project, per minute per user per project, sliding window).
"""

from __future__ import annotations

import json
import time
import urllib.parse
from typing import Any

import pytest
from googleapiclient.errors import HttpError
from studiosync.core.emulator import GoogleEmulator

from .helpers import ANN, BOB, call, login, service

Q = urllib.parse.quote


def _json(emu: GoogleEmulator, method: str, path: str, body: Any = None) -> Any:
    status, _, raw = call(emu, method, path, body)
    assert status == 200, raw
    return json.loads(raw)


@pytest.mark.parametrize(
    ("kind", "reason", "message"),
    [
        ("rateLimitExceeded", "rateLimitExceeded", "Rate Limit Exceeded"),
        ("quotaExceeded", "quotaExceeded", "Calendar usage limits exceeded."),
    ],
)
def test_quota_fault_body_and_retry_after_exactly_as_documented(
    emu: GoogleEmulator, cal: Any, kind: str, reason: str, message: str
) -> None:
    _json(emu, "POST", "/_emulator/faults", {"kind": kind, "count": 2, "retry_after": 30, "account": ANN})
    for _ in range(2):
        with pytest.raises(HttpError) as err:
            cal.events().list(calendarId="primary").execute()
        assert err.value.status_code == 403 and err.value.resp["retry-after"] == "30"
        assert json.loads(err.value.content) == {
            "error": {
                "code": 403,
                "message": message,
                "errors": [{"domain": "usageLimits", "reason": reason, "message": message}],
            }
        }
    assert cal.events().list(calendarId="primary").execute()["kind"] == "calendar#events"


def test_quota_fault_for_a_time_span(emu: GoogleEmulator, cal: Any) -> None:
    emu.inject_fault("403_rate", count=None, seconds_active=0.3, retry_after=1)
    for _ in range(5):  # any number of requests inside the span
        with pytest.raises(HttpError):
            cal.calendarList().list().execute()
    assert emu.faults()[0]["remaining"] is None
    deadline = time.monotonic() + 5
    while emu.faults() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert emu.faults() == []
    assert cal.calendarList().list().execute()["items"]


def test_counters_per_account_and_per_project(emu: GoogleEmulator, cal: Any) -> None:
    emu.register_client("client-2", "secret-2")
    emu.set_consent_account(BOB)
    bob = service(emu, "calendar", login(emu, client_id="client-2"))
    emu.reset_counts()
    for _ in range(3):
        cal.events().list(calendarId="primary").execute()
    bob.calendarList().list().execute()
    ann = _json(emu, "GET", f"/control/requests?account={Q(ANN)}&window=60")
    assert ann["counts"]["calendar"] == 3 and ann["window"]["calendar"] == 3 and ann["window"]["total"] == 3
    assert ann["projects"] == {"client-1": {"calendar": 3}, "client-2": {"calendar": 1}}
    project = _json(emu, "GET", "/_emulator/requests?project=client-2")
    assert project["counts"]["calendar"] == 1
    assert _json(emu, "GET", "/_emulator/counts?project=client-1")["calendar"] == 3
    everyone = _json(emu, "GET", "/_emulator/requests")
    assert everyone["counts"]["total"] == 4 and set(everyone["accounts"]) == {ANN, BOB}
    _json(emu, "DELETE", f"/_emulator/requests?account={Q(ANN)}")
    assert _json(emu, "GET", f"/_emulator/requests?account={Q(ANN)}")["counts"]["total"] == 0


def test_batch_sub_calls_count_one_each(emu: GoogleEmulator, cal: Any) -> None:
    emu.reset_counts()
    batch = cal.new_batch_http_request()
    for _ in range(4):
        batch.add(cal.events().list(calendarId="primary"))
    batch.execute()
    report = emu.request_report(ANN)
    assert (
        report["counts"]["batch"] == 1
        and report["counts"]["calendar"] == 4
        and report["counts"]["total"] == 4
    )


def test_enforced_per_user_quota(emu: GoogleEmulator, cal: Any) -> None:
    limits = _json(emu, "POST", "/_emulator/quota", {"per_user_per_minute": 3, "retry_after": 20})
    assert limits == {"per_user_per_minute": 3, "per_project_per_minute": None, "retry_after": 20}
    emu.reset_counts()
    for _ in range(3):
        cal.calendarList().list().execute()
    with pytest.raises(HttpError) as err:
        cal.calendarList().list().execute()
    assert err.value.status_code == 403 and err.value.resp["retry-after"] == "20"
    assert json.loads(err.value.content)["error"]["errors"][0]["reason"] == "rateLimitExceeded"
    _json(emu, "POST", "/_emulator/quota", {})
    assert cal.calendarList().list().execute()["items"]
