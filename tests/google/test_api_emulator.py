"""Retries and batches against the emulator: real HTTP, injected faults, attempts asserted."""

from __future__ import annotations

import socket

import pytest
from googleapiclient.errors import HttpError
from studiosync.core.emulator import GoogleEmulator
from studiosync.core.google.api import (
    BatchRunner,
    CallStats,
    build_calendar,
    build_people,
    execute,
    request_counter,
    run_batch,
)
from studiosync.core.google.errors import QuotaExceeded, classify

from tests.google.conftest import ANN
from tests.google.helpers import FakeTime


@pytest.fixture
def cal(emu: GoogleEmulator, creds):
    service = build_calendar(creds, emu.url)
    execute(service.calendars().get(calendarId="primary"))  # mint the first access token
    emu.reset_counts()
    return service


def primary_get(cal):
    return cal.calendars().get(calendarId="primary")


def event(n: int) -> dict:
    return {
        "id": f"appt{n:04d}",
        "summary": f"Shoot {n}",
        "start": {"dateTime": "2026-12-01T10:00:00-05:00"},
        "end": {"dateTime": "2026-12-01T11:00:00-05:00"},
    }


def inserts(cal, cal_id: str, numbers) -> list:
    return [(n, cal.events().insert(calendarId=cal_id, body=event(n))) for n in numbers]


# -- execute ------------------------------------------------------------------------------------------
def test_root_switch_moves_every_request_to_the_emulator(emu: GoogleEmulator, cal) -> None:
    assert cal._baseUrl == emu.url + "/calendar/v3/"
    assert cal.new_batch_http_request()._batch_uri == emu.url + "/batch/calendar/v3"


def test_429_with_retry_after_is_honoured(emu: GoogleEmulator, cal) -> None:
    emu.inject_fault("429", count=2, retry_after=1)
    t, stats = FakeTime(), CallStats()
    assert execute(primary_get(cal), policy=t.policy(), stats=stats)["id"] == ANN
    assert stats.attempts == 3 and stats.reasons == ["429", "429"]
    assert t.sleeps == [1.0, 1.0]
    assert emu.request_counts(ANN)["calendar"] == 3


@pytest.mark.parametrize("kind", ["503", "500", "403_rate", "403_user_rate"])
def test_transient_errors_are_retried(emu: GoogleEmulator, cal, kind: str) -> None:
    emu.inject_fault(kind, count=2)
    t, stats = FakeTime(), CallStats()
    assert execute(primary_get(cal), policy=t.policy(), stats=stats)["id"] == ANN
    assert stats.attempts == 3
    assert emu.request_counts(ANN)["calendar"] == 3


def test_dropped_connections_are_retried(emu: GoogleEmulator, cal) -> None:
    # httplib2 silently re-sends once on a connection that died before the status line (it assumes a
    # stale keep-alive socket), so two drops make one failed attempt of ours, the third drop another.
    emu.inject_fault("drop", count=3)
    t, stats = FakeTime(), CallStats()
    assert execute(primary_get(cal), policy=t.policy(), stats=stats)["id"] == ANN
    assert stats.attempts == 2 and stats.reasons == ["transport"]


def test_quota_is_not_retried(emu: GoogleEmulator, cal) -> None:
    emu.inject_fault("403_quota", count=1)
    t, stats = FakeTime(), CallStats()
    with pytest.raises(QuotaExceeded) as info:
        execute(primary_get(cal), policy=t.policy(), stats=stats)
    assert stats.attempts == 1 and t.sleeps == []
    assert info.value.problem.cause == "quota"
    assert emu.request_counts(ANN)["calendar"] == 1


def test_attempts_are_bounded(emu: GoogleEmulator, cal) -> None:
    emu.inject_fault("503", count=10)
    t, stats = FakeTime(), CallStats()
    with pytest.raises(HttpError) as info:
        execute(primary_get(cal), policy=t.policy(max_attempts=4), stats=stats)
    assert stats.attempts == 4
    assert emu.request_counts(ANN)["calendar"] == 4
    assert classify(info.value).cause == "google_outage"


def test_rate_limit_exhausted_is_rate_limited(emu: GoogleEmulator, cal) -> None:
    emu.inject_fault("429", count=10)
    with pytest.raises(HttpError) as info:
        execute(primary_get(cal), policy=FakeTime().policy(max_attempts=2))
    assert classify(info.value).cause == "rate_limited"


def test_network_down_is_network(creds) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cal = build_calendar(creds, f"http://127.0.0.1:{port}", timeout=2)
    t, stats = FakeTime(), CallStats()
    with pytest.raises(Exception) as info:  # the token refresh is the first thing to hit the dead root
        execute(primary_get(cal), policy=t.policy(max_attempts=3), stats=stats)
    assert classify(info.value).cause == "network"


def test_counts_per_service(emu: GoogleEmulator, creds) -> None:
    from studiosync.core.google.api import RequestCounter

    counter = RequestCounter()
    cal = build_calendar(creds, emu.url, counter=counter)
    people = build_people(creds, emu.url, counter=counter)
    execute(cal.calendarList().list())
    execute(people.people().connections().list(resourceName="people/me", personFields="names"))
    run_batch(cal, [(1, cal.calendars().get(calendarId="primary"))])
    assert counter.snapshot() == {"calendar": 1, "people": 1, "batch": 1}
    assert request_counter(cal) is counter


# -- classification through the real API --------------------------------------------------------------
def test_missing_calendar_is_calendar_gone(emu: GoogleEmulator, cal) -> None:
    cal_id = emu.add_calendar(ANN, "Studio")
    emu.delete_calendar(cal_id)
    with pytest.raises(HttpError) as info:
        execute(cal.events().list(calendarId=cal_id))
    assert classify(info.value).cause == "calendar_gone"
    with pytest.raises(HttpError) as info:
        execute(cal.events().get(calendarId=ANN, eventId="nosuchevent"))
    assert classify(info.value).cause == "not_found"


def test_read_only_calendar(emu: GoogleEmulator, cal) -> None:
    emu.add_account("boss@example.com")
    shared = emu.add_calendar("boss@example.com", "Boss")
    emu.add_calendar(ANN, "Boss", calendar_id=shared, access_role="reader")
    with pytest.raises(HttpError) as info:
        execute(cal.events().insert(calendarId=shared, body=event(1)))
    assert classify(info.value).cause == "calendar_read_only"


def test_expired_sync_token(emu: GoogleEmulator, cal) -> None:
    first = execute(cal.events().list(calendarId=ANN))
    emu.invalidate_sync_tokens(ANN)
    with pytest.raises(HttpError) as info:
        execute(cal.events().list(calendarId=ANN, syncToken=first["nextSyncToken"]))
    assert classify(info.value).cause == "sync_token_expired"


def test_expired_people_sync_token(emu: GoogleEmulator, creds) -> None:
    people = build_people(creds, emu.url)
    first = execute(
        people.people()
        .connections()
        .list(resourceName="people/me", personFields="names", requestSyncToken=True)
    )
    emu.invalidate_sync_tokens(ANN)
    with pytest.raises(HttpError) as info:
        execute(
            people.people()
            .connections()
            .list(
                resourceName="people/me",
                personFields="names",
                requestSyncToken=True,
                syncToken=first["nextSyncToken"],
            )
        )
    assert classify(info.value).cause == "sync_token_expired"


def test_duplicate_insert_is_conflict(emu: GoogleEmulator, cal) -> None:
    execute(cal.events().insert(calendarId=ANN, body=event(1)))
    with pytest.raises(HttpError) as info:
        execute(cal.events().insert(calendarId=ANN, body=event(1)))
    assert classify(info.value).cause == "conflict"


# -- batches ------------------------------------------------------------------------------------------
def test_120_calls_make_3_batch_requests(emu: GoogleEmulator, cal) -> None:
    studio = emu.add_calendar(ANN, "Studio")
    results, stats = run_batch(cal, inserts(cal, studio, range(120)), FakeTime().policy())
    assert sorted(results) == list(range(120))
    assert all(isinstance(r, dict) and r["id"] == f"appt{n:04d}" for n, r in results.items())
    assert stats.http_requests == 3 and stats.rounds == 1 and stats.sub_retries == 0
    assert emu.request_counts(ANN)["batch"] == 3
    assert len(emu.events(ANN, studio)) == 120


def test_a_failed_sub_call_is_retried_alone(emu: GoogleEmulator, cal) -> None:
    studio = emu.add_calendar(ANN, "Studio")
    emu.inject_fault("503", count=1, in_batch=True)
    t = FakeTime()
    results, stats = run_batch(cal, inserts(cal, studio, range(120)), t.policy())
    assert all(isinstance(r, dict) for r in results.values())
    assert stats.http_requests == 4 and stats.rounds == 2 and stats.sub_retries == 1
    assert emu.request_counts(ANN)["batch"] == 4  # 3 chunks, then a batch of the single failed call
    assert len(t.sleeps) == 1
    assert len(emu.events(ANN, studio)) == 120


def test_sub_call_retry_after_is_honoured(emu: GoogleEmulator, cal) -> None:
    emu.inject_fault("429", count=3, retry_after=2, in_batch=True)
    t = FakeTime()
    results, stats = run_batch(cal, inserts(cal, ANN, range(10)), t.policy())
    assert all(isinstance(r, dict) for r in results.values())
    assert stats.sub_retries == 3 and stats.http_requests == 2
    assert t.sleeps == [2.0]


def test_a_failed_batch_request_resends_the_chunk(emu: GoogleEmulator, cal) -> None:
    emu.inject_fault("503", count=1, path="/batch")
    t = FakeTime()
    results, stats = run_batch(cal, inserts(cal, ANN, range(20)), t.policy())
    assert all(isinstance(r, dict) for r in results.values())
    assert stats.outer_retries == 1 and stats.http_requests == 2
    assert emu.request_counts(ANN)["batch"] == 2


def test_a_dropped_batch_request_resends_the_chunk(emu: GoogleEmulator, cal) -> None:
    emu.inject_fault("drop", count=2, path="/batch")  # two: httplib2 re-sends once by itself
    results, stats = run_batch(cal, inserts(cal, ANN, range(5)), FakeTime().policy())
    assert all(isinstance(r, dict) for r in results.values())
    assert stats.outer_retries == 1


def test_non_retryable_sub_errors_are_returned(emu: GoogleEmulator, cal) -> None:
    execute(cal.events().insert(calendarId=ANN, body=event(1)))
    calls = inserts(cal, ANN, [1, 2]) + [("missing", cal.events().get(calendarId=ANN, eventId="nosuchevent"))]
    results, stats = run_batch(cal, calls, FakeTime().policy())
    assert isinstance(results[2], dict)
    assert isinstance(results[1], HttpError) and classify(results[1]).cause == "conflict"
    assert isinstance(results["missing"], HttpError) and classify(results["missing"]).cause == "not_found"
    assert stats.sub_retries == 0


def test_quota_sub_errors_come_back_as_quota_exceeded(emu: GoogleEmulator, cal) -> None:
    emu.inject_fault("403_quota", count=1, in_batch=True)
    results, stats = run_batch(cal, inserts(cal, ANN, range(3)), FakeTime().policy())
    failed = [r for r in results.values() if isinstance(r, Exception)]
    assert len(failed) == 1 and isinstance(failed[0], QuotaExceeded)
    assert stats.sub_retries == 0


def test_persistent_sub_failures_are_bounded(emu: GoogleEmulator, cal) -> None:
    emu.inject_fault("503", count=100, in_batch=True)
    runner = BatchRunner(cal, policy=FakeTime().policy(max_attempts=3))
    results = runner.run(inserts(cal, ANN, range(2)))
    assert all(isinstance(r, HttpError) and r.resp.status == 503 for r in results.values())
    assert runner.stats.rounds == 3 and runner.stats.http_requests == 3


def test_expired_access_token_inside_a_batch_is_refreshed(emu: GoogleEmulator, cal) -> None:
    emu.expire_access_tokens(ANN)
    results, stats = run_batch(cal, inserts(cal, ANN, range(3)), FakeTime().policy())
    assert all(isinstance(r, dict) for r in results.values())
    # Two refreshes: the outer POST is refused (401) and refreshed by AuthorizedHttp, but each part was
    # serialised with the stale token, so googleapiclient refreshes again and re-sends the 401 parts.
    assert emu.request_counts(ANN)["oauth"] == 2
    assert stats.http_requests == 1 and emu.request_counts(ANN)["batch"] == 3


def test_a_batch_request_failing_for_good_is_not_retried_again_by_rounds(emu: GoogleEmulator, cal) -> None:
    emu.inject_fault("503", count=100, path="/batch")
    results, stats = run_batch(cal, inserts(cal, ANN, range(3)), FakeTime().policy(max_attempts=3))
    assert all(isinstance(r, HttpError) and r.resp.status == 503 for r in results.values())
    assert stats.http_requests == 3 and stats.rounds == 1 and stats.outer_retries == 2


def test_batch_retry_beyond_the_time_budget_returns_the_error(emu: GoogleEmulator, cal) -> None:
    emu.inject_fault("429", count=1, retry_after=600, in_batch=True)
    t = FakeTime()
    results, stats = run_batch(cal, inserts(cal, ANN, range(2)), t.policy(max_total_s=60))
    errors = [r for r in results.values() if isinstance(r, Exception)]
    assert len(errors) == 1 and classify(errors[0]).cause == "rate_limited"
    assert t.sleeps == [] and stats.http_requests == 1
