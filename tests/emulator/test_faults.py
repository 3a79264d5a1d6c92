"""Injected faults as googleapiclient / httplib2 / google-auth experience them."""

from __future__ import annotations

import time
from typing import Any

import pytest
from google.auth.exceptions import RefreshError
from google.auth.transport.requests import Request as AuthRequest
from googleapiclient.errors import HttpError
from studiosync.core.emulator import ControlError, GoogleEmulator

from .helpers import ANN, BOB, login, reason, service


def _fast(req: Any, sleeps: list[float]) -> Any:
    """Record googleapiclient's retry back-off instead of sleeping through it."""
    req._sleep = sleeps.append
    return req


def test_429_with_retry_after(emu: GoogleEmulator, cal: Any) -> None:
    emu.inject_fault("429", count=1, retry_after=7)
    with pytest.raises(HttpError) as err:
        cal.calendarList().list().execute()
    assert err.value.status_code == 429 and err.value.resp["retry-after"] == "7"
    assert reason(err.value) == "rateLimitExceeded"
    emu.inject_fault("429", count=2)
    sleeps: list[float] = []
    assert _fast(cal.calendarList().list(), sleeps).execute(num_retries=3)["items"]
    assert len(sleeps) == 2


@pytest.mark.parametrize(
    ("kind", "why"), [("403_rate", "rateLimitExceeded"), ("403_user_rate", "userRateLimitExceeded")]
)
def test_403_rate_limits_are_retried_by_the_client(
    emu: GoogleEmulator, cal: Any, kind: str, why: str
) -> None:
    emu.inject_fault(kind, count=1)
    with pytest.raises(HttpError) as err:
        cal.events().list(calendarId="primary").execute()
    assert err.value.status_code == 403 and reason(err.value) == why
    emu.inject_fault(kind, count=2)
    sleeps: list[float] = []
    assert (
        _fast(cal.events().list(calendarId="primary"), sleeps).execute(num_retries=2)["kind"]
        == "calendar#events"
    )
    assert len(sleeps) == 2


def test_403_quota_is_not_retried(emu: GoogleEmulator, cal: Any) -> None:
    emu.inject_fault("403_quota", count=5)
    emu.reset_counts()
    sleeps: list[float] = []
    with pytest.raises(HttpError) as err:
        _fast(cal.events().list(calendarId="primary"), sleeps).execute(num_retries=3)
    assert err.value.status_code == 403 and reason(err.value) == "quotaExceeded"
    assert "usageLimits" in str(err.value)
    assert sleeps == [] and emu.request_counts(ANN)["calendar"] == 1


@pytest.mark.parametrize("kind", ["500", "503"])
def test_server_errors(emu: GoogleEmulator, cal: Any, kind: str) -> None:
    emu.inject_fault(kind, count=1)
    with pytest.raises(HttpError) as err:
        cal.calendarList().list().execute()
    assert err.value.status_code == int(kind) and reason(err.value) == "backendError"
    emu.inject_fault(kind, count=1)
    assert _fast(cal.calendarList().list(), []).execute(num_retries=1)["items"]


def test_dropped_connections(emu: GoogleEmulator, cal: Any) -> None:
    cal.calendarList().list().execute()
    emu.reset_counts()
    # httplib2 silently re-sends once on a connection that died without a status line...
    emu.inject_fault("drop", count=1)
    assert cal.calendarList().list().execute()["items"]
    assert emu.request_counts(ANN)["calendar"] == 2
    # ...so two drops in a row surface as a ConnectionError, which execute(num_retries) retries.
    emu.inject_fault("drop", count=2)
    with pytest.raises(ConnectionError):
        cal.calendarList().list().execute()
    emu.inject_fault("drop", count=2)
    assert _fast(cal.calendarList().list(), []).execute(num_retries=1)["items"]


def test_dropped_batch_sub_call_drops_the_whole_batch(emu: GoogleEmulator, cal: Any) -> None:
    emu.inject_fault("drop", count=2, in_batch=True)
    batch = cal.new_batch_http_request()
    batch.add(cal.calendarList().list())
    with pytest.raises(ConnectionError):
        batch.execute()


def test_latency(emu: GoogleEmulator, cal: Any) -> None:
    emu.inject_fault("latency", count=1, seconds=0.3)
    started = time.monotonic()
    cal.calendarList().list().execute()
    assert time.monotonic() - started >= 0.3  # a lower bound only: a loaded machine is never faster
    assert emu.state.faults.pending() == []  # count=1: used up, so the next call is not delayed


def test_account_and_path_filters(emu: GoogleEmulator, cal: Any) -> None:
    emu.inject_fault("500", count=1, account=BOB)
    cal.calendarList().list().execute()  # Ann is unaffected
    assert len(emu.faults()) == 1
    emu.clear_faults()
    emu.inject_fault("500", count=1, path="/events")
    cal.calendarList().list().execute()
    with pytest.raises(HttpError):
        cal.events().list(calendarId="primary").execute()
    assert emu.faults() == []


def test_faults_on_oauth_endpoints_need_a_path(emu: GoogleEmulator) -> None:
    creds = login(emu)
    emu.inject_fault("429", count=1)  # no path: the token endpoint is spared
    creds.refresh(AuthRequest())
    emu.clear_faults()
    emu.inject_fault("403_rate", count=1, path="/token")
    with pytest.raises(RefreshError):
        creds.refresh(AuthRequest())


def test_request_counts(emu: GoogleEmulator, cal: Any, ppl: Any) -> None:
    emu.reset_counts()
    cal.calendarList().list().execute()
    cal.events().list(calendarId="primary").execute()
    ppl.people().connections().list(resourceName="people/me", personFields="names").execute()
    assert emu.request_counts(ANN) == {"calendar": 2, "people": 1, "batch": 0, "oauth": 0}
    assert emu.request_counts(BOB) == {"calendar": 0, "people": 0, "batch": 0, "oauth": 0}
    bob = service(emu, "calendar", login(emu, login_hint=BOB))
    bob.calendarList().list().execute()
    assert emu.request_counts(BOB) == {"calendar": 1, "people": 0, "batch": 0, "oauth": 2}
    assert emu.request_counts()["calendar"] == 3
    emu.reset_counts(ANN)
    assert emu.request_counts(ANN)["calendar"] == 0 and emu.request_counts(BOB)["calendar"] == 1


def test_bad_fault_arguments(emu: GoogleEmulator) -> None:
    with pytest.raises(ControlError):
        emu.inject_fault("418")
    with pytest.raises(ControlError):
        emu.inject_fault("latency")
