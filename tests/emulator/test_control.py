"""The control interface over HTTP, seeding, the standalone runner, and a 1,000-event batch load."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from googleapiclient.errors import HttpError
from studiosync.core.emulator import GoogleEmulator

from .helpers import call, login, service, timed

Q = urllib.parse.quote


def _json(emu: GoogleEmulator, method: str, path: str, body: Any = None) -> Any:
    status, _, raw = call(emu, method, path, body if body is not None else ({} if method != "GET" else None))
    assert status == 200, raw
    return json.loads(raw)


def test_http_control_round_trip(emu: GoogleEmulator) -> None:
    carl = "carl@example.com"
    assert (
        _json(emu, "POST", "/_emulator/accounts", {"email": carl, "name": "Carl", "timezone": "Asia/Tokyo"})[
            "email"
        ]
        == carl
    )
    cid = _json(
        emu, "POST", f"/_emulator/accounts/{Q(carl)}/calendars", {"summary": "Side", "access_role": "writer"}
    )["id"]
    ev = _json(
        emu,
        "POST",
        f"/_emulator/accounts/{Q(carl)}/calendars/{Q(cid)}/events",
        {"summary": "s", **timed("2026-09-01", 9)},
    )
    path = f"/_emulator/accounts/{Q(carl)}/calendars/{Q(cid)}/events/{ev['id']}"
    assert _json(emu, "PATCH", path, {"summary": "t"})["sequence"] == 1
    assert _json(emu, "GET", path)["summary"] == "t"
    _json(emu, "DELETE", path)
    assert _json(emu, "GET", f"/_emulator/accounts/{Q(carl)}/calendars/{Q(cid)}/events") == []
    assert (
        len(_json(emu, "GET", f"/_emulator/accounts/{Q(carl)}/calendars/{Q(cid)}/events?include_cancelled=1"))
        == 1
    )
    person = _json(emu, "POST", f"/_emulator/accounts/{Q(carl)}/contacts", {"names": [{"givenName": "Z"}]})
    _json(
        emu,
        "PATCH",
        f"/_emulator/accounts/{Q(carl)}/contacts/{person['resourceName']}",
        {"names": [{"givenName": "Y"}]},
    )
    assert _json(emu, "GET", f"/_emulator/accounts/{Q(carl)}/contacts")[0]["names"][0]["givenName"] == "Y"
    _json(emu, "DELETE", f"/_emulator/accounts/{Q(carl)}/contacts/{person['resourceName']}")
    assert _json(emu, "GET", f"/_emulator/accounts/{Q(carl)}/contacts") == []
    secrets = _json(emu, "POST", "/_emulator/clients", {"client_id": "c2", "client_secret": "s2"})
    assert secrets["installed"]["token_uri"] == emu.url + "/token"
    _json(emu, "POST", "/_emulator/consent", {"email": carl})
    creds = login(emu, client_id="c2")
    assert service(emu, "calendar", creds).calendars().get(calendarId="primary").execute()["id"] == carl
    assert _json(emu, "POST", "/_emulator/faults", {"kind": "503", "count": 1, "account": carl})["id"]
    assert len(_json(emu, "GET", "/_emulator/faults")) == 1
    _json(emu, "DELETE", "/_emulator/faults")
    assert _json(emu, "GET", f"/_emulator/counts?email={Q(carl)}")["oauth"] == 2
    _json(emu, "DELETE", "/_emulator/counts")
    assert _json(emu, "GET", "/_emulator/counts") == {"calendar": 0, "people": 0, "batch": 0, "oauth": 0}
    _json(emu, "POST", "/_emulator/sync-tokens/invalidate", {"email": carl})
    assert _json(emu, "POST", "/_emulator/tokens/expire", {"email": carl})["expired"] >= 1
    info = _json(emu, "POST", f"/_emulator/accounts/{Q(carl)}/authorize", {"client_id": "c2"})
    assert info["refresh_token"] and info["token_uri"].startswith(emu.url)
    assert _json(emu, "POST", f"/_emulator/accounts/{Q(carl)}/revoke")["revoked"] == 2
    _json(emu, "DELETE", f"/_emulator/calendars/{Q(cid)}")
    assert [c["id"] for c in _json(emu, "GET", f"/_emulator/accounts/{Q(carl)}/calendars")] == [carl]
    status, _, raw = call(emu, "POST", "/_emulator/accounts/nobody%40x.com/contacts", {"names": []})
    assert status == 400 and b"unknown account" in raw


def test_seed(tmp_path: Path) -> None:
    seed = {
        "token_ttl": 120,
        "clients": [{"client_id": "seeded", "client_secret": "s"}],
        "accounts": [
            {
                "email": "dee@example.com",
                "timezone": "Europe/Berlin",
                "events": [{"summary": "p", **timed("2026-09-02", 9, tz="+02:00")}],
                "calendars": [
                    {
                        "summary": "Read only",
                        "access_role": "reader",
                        "events": [{"summary": "r", **timed("2026-09-02", 9)}],
                    }
                ],
                "contacts": [{"names": [{"givenName": "Eve"}]}],
            }
        ],
        "consent_account": "dee@example.com",
    }
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(seed))
    with GoogleEmulator(seed=path) as emu:
        assert emu.token_ttl == 120
        cals = emu.calendars("dee@example.com")
        assert [(c["summary"], c["accessRole"]) for c in cals] == [
            ("dee@example.com", "owner"),
            ("Read only", "reader"),
        ]
        assert [e["summary"] for e in emu.events("dee@example.com", cals[1]["id"])] == ["r"]
        assert emu.contacts("dee@example.com")[0]["names"][0]["displayName"] == "Eve"
        assert emu.client_secrets("seeded")["installed"]["client_id"] == "seeded"


def test_module_runs_standalone() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "studiosync.core.emulator", "--port", "0", "--demo"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert "listening on http://127.0.0.1:" in line, line
        url = line.split("listening on ")[1].split()[0]
        with urllib.request.urlopen(url + "/_emulator/accounts", timeout=5) as resp:
            assert json.loads(resp.read())[0]["email"] == "demo@example.com"
    finally:
        proc.terminate()
        proc.wait(timeout=5)


def test_1000_events_in_20_batches_then_idle_syncs_are_empty(emu: GoogleEmulator, cal: Any) -> None:
    # How fast: bench/sync.py (speed is measured in benchmarks, never asserted in tests).
    for b in range(20):
        batch = cal.new_batch_http_request()
        for i in range(50):
            n = b * 50 + i
            batch.add(
                cal.events().insert(
                    calendarId="primary",
                    body={"id": f"perf{n:06d}", "summary": f"#{n}", **timed("2026-10-01", 8 + n % 10)},
                )
            )
        batch.execute()
    full = cal.events().list(calendarId="primary", maxResults=2500).execute()
    assert len(full["items"]) == 1000
    token = full["nextSyncToken"]
    for _ in range(200):
        assert cal.events().list(calendarId="primary", syncToken=token).execute()["items"] == []


def test_concurrent_clients(emu: GoogleEmulator) -> None:
    token = emu.authorize("ann@example.com", "client-1")["token"]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    failures: list[object] = []

    def worker(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=10)
        try:
            for i in range(10):
                body = json.dumps({"summary": f"{n}-{i}", **timed("2026-11-02", 9)})
                conn.request("POST", "/calendar/v3/calendars/primary/events", body, headers)
                resp = conn.getresponse()
                resp.read()
                if resp.status != 200:
                    failures.append(resp.status)
                conn.request("GET", "/calendar/v3/calendars/primary/events?maxResults=5", headers=headers)
                conn.getresponse().read()
        except Exception as exc:  # collected and asserted below
            failures.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert failures == []
    summaries = [e["summary"] for e in emu.events("ann@example.com", "primary")]
    assert len(summaries) == len(set(summaries)) == 80
    assert emu.request_counts("ann@example.com")["calendar"] == 160


def test_keep_alive_and_connection_close(emu: GoogleEmulator) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=5)
    try:
        for _ in range(3):  # one connection, several requests
            conn.request("GET", "/_emulator/accounts")
            resp = conn.getresponse()
            assert resp.status == 200 and resp.getheader("Content-Length") and resp.read()
            assert resp.getheader("Connection") is None
        conn.request("GET", "/_emulator/accounts", headers={"Connection": "close"})
        resp = conn.getresponse()
        assert resp.getheader("Connection") == "close" and resp.read()
        assert resp.will_close
    finally:
        conn.close()


def test_unknown_endpoints_are_json_404(emu: GoogleEmulator, cal: Any) -> None:
    status, _, raw = call(emu, "GET", "/calendar/v3/nope")
    assert status in (401, 404)
    with pytest.raises(HttpError) as err:
        cal.events().move(calendarId="primary", eventId="abcde", destination="x").execute()
    assert err.value.status_code in (404, 405)
