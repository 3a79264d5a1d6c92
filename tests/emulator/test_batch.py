"""Batch requests as googleapiclient's BatchHttpRequest writes and reads them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from googleapiclient.errors import HttpError
from studiosync.core.emulator import GoogleEmulator, batch

from .helpers import ANN, call, reason, timed


def _run(cal: Any, requests: list[Any]) -> list[tuple[str, Any, Any]]:
    results: list[tuple[str, Any, Any]] = []
    batch = cal.new_batch_http_request(callback=lambda rid, resp, exc: results.append((rid, resp, exc)))
    for req in requests:
        batch.add(req)
    batch.execute()
    return results


def _inserts(cal: Any, n: int, prefix: str = "b") -> list[Any]:
    return [
        cal.events().insert(
            calendarId="primary",
            body={"id": f"{prefix}{i:05d}", "summary": f"#{i}", **timed("2026-08-03", 8 + i % 10)},
        )
        for i in range(n)
    ]


def test_batch_of_50_works_and_is_counted(emu: GoogleEmulator, cal: Any) -> None:
    emu.reset_counts()
    results = _run(cal, _inserts(cal, 50))
    assert len(results) == 50 and all(exc is None for _, _, exc in results)
    assert [r[1]["summary"] for r in results] == [f"#{i}" for i in range(50)]
    assert len(emu.events(ANN, "primary")) == 50
    assert emu.request_counts(ANN) == {"calendar": 50, "people": 0, "batch": 1, "oauth": 0}


def test_batch_of_51_is_refused(cal: Any) -> None:
    with pytest.raises(HttpError) as err:
        _run(cal, _inserts(cal, 51))
    assert err.value.status_code == 400 and reason(err.value) == "batchSizeTooLarge"


def test_mixed_results_reach_each_callback(emu: GoogleEmulator, cal: Any) -> None:
    cal.events().insert(calendarId="primary", body={"id": "present01", **timed("2026-08-04", 9)}).execute()
    results = _run(
        cal,
        [
            cal.events().insert(calendarId="primary", body={"id": "present01", **timed("2026-08-04", 9)}),
            cal.events().delete(calendarId="primary", eventId="present01"),
            cal.events().get(calendarId="primary", eventId="missing01"),
            cal.events().list(calendarId="primary", showDeleted=True),
        ],
    )
    dup, deleted, missing, listed = results
    assert dup[2].status_code == 409 and reason(dup[2]) == "duplicate"
    assert deleted[2] is None
    assert missing[2].status_code == 404
    assert listed[1]["items"][0]["status"] == "cancelled"


def test_non_ascii_round_trips_in_and_out_of_batches(cal: Any) -> None:
    title = "Séance photo — Zoë ✨"
    results = _run(
        cal, [cal.events().insert(calendarId="primary", body={"summary": title, **timed("2026-08-06", 9)})]
    )
    assert results[0][1]["summary"] == title
    assert cal.events().list(calendarId="primary").execute()["items"][0]["summary"] == title


def test_sub_call_faults_reach_the_callback(emu: GoogleEmulator, cal: Any) -> None:
    emu.inject_fault("403_rate", count=2, in_batch=True)
    emu.inject_fault("503", count=1, in_batch=True, method="POST")
    results = _run(cal, _inserts(cal, 5))
    errors = [(exc.status_code, reason(exc)) for _, _, exc in results if exc is not None]
    assert errors == [(403, "rateLimitExceeded"), (403, "rateLimitExceeded"), (503, "backendError")]
    assert len(emu.events(ANN, "primary")) == 2
    # in_batch=True faults leave ordinary requests alone, and are used up now anyway.
    assert cal.events().list(calendarId="primary").execute()["items"]


def test_expired_tokens_inside_batches_are_refreshed(emu: GoogleEmulator, cal: Any, creds: Any) -> None:
    cal.calendarList().list().execute()
    before = creds.token
    emu.expire_access_tokens()
    results = _run(cal, _inserts(cal, 3))
    assert all(exc is None for _, _, exc in results) and creds.token != before


def test_outer_authorization_applies_to_parts(emu: GoogleEmulator, creds: Any) -> None:
    body = (
        "--XyZ\r\nContent-Type: application/http\r\nContent-ID: <a + 1>\r\n\r\n"
        "GET /calendar/v3/users/me/calendarList HTTP/1.1\r\n\r\n\r\n"
        "--XyZ\r\nContent-Type: application/http\r\nContent-ID: <a + 2>\r\n\r\n"
        "POST /calendar/v3/calendars/primary/events HTTP/1.1\r\nContent-Type: application/json\r\n\r\n"
        + json.dumps({"summary": "raw", **timed("2026-08-05", 9)})
        + "\r\n--XyZ--\r\n"
    ).encode()
    status, headers, raw = call(
        emu,
        "POST",
        "/batch/calendar/v3",
        body,
        {"Content-Type": "multipart/mixed; boundary=XyZ", "Authorization": f"Bearer {creds.token}"},
    )
    text = raw.decode()
    assert status == 200 and headers["Content-Type"].startswith("multipart/mixed; boundary=")
    assert "Content-ID: <response-a + 1>" in text and "Content-ID: <response-a + 2>" in text
    assert text.count("HTTP/1.1 200 OK") == 2
    status, _, _ = call(
        emu,
        "POST",
        "/batch/calendar/v3",
        body,
        {"Content-Type": "multipart/mixed; boundary=XyZ", "Authorization": "Bearer nope"},
    )
    assert status == 401


@pytest.mark.parametrize(("length", "body"), [("4", b'{"a"'), ("\u00b2", b'{"a": 1}'), ("x", b'{"a": 1}')])
def test_a_parts_content_length_cuts_its_body_only_when_it_is_a_number(length: str, body: bytes) -> None:
    # "²" is a digit to str.isdigit() but not to int(): it must not crash the parser (a 500).
    raw = (
        "--XyZ\r\nContent-Type: application/http\r\n\r\n"
        f"POST /calendar/v3/calendars/primary/events HTTP/1.1\r\nContent-Length: {length}\r\n\r\n"
        '{"a": 1}\r\n--XyZ--\r\n'
    ).encode()
    (part,) = batch.parse(raw, "multipart/mixed; boundary=XyZ")
    assert part.request.body == body
