"""studiosync appointments add|list|edit|delete."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from studiosync.core.studio.studio import Studio

FIELDS = {"id", "user", "title", "start", "end", "status", "origin", "google_event_id"}


def _json(result):
    assert result.code == 0, result.err
    assert result.err == ""
    return json.loads(result.out)


@pytest.fixture
def users(cli) -> None:
    assert cli("users", "add", "ann", "--name", "Ann").code == 0
    assert cli("users", "add", "room", "--name", "Room 1", "--kind", "resource").code == 0


def _add(cli, *argv: str) -> str:
    r = cli("appointments", "add", *argv)
    assert r.code == 0, r.err
    assert r.err == ""
    appt_id = r.out.strip()
    assert r.out == appt_id + "\n" and len(appt_id) == 32  # only the id, for scripts
    return appt_id


def test_add_and_list(cli, users) -> None:
    assert _json(cli("appointments", "list", "--json")) == []
    a = _add(
        cli, "ann", "--title", "Family shoot", "--start", "2027-01-05T10:00", "--end", "2027-01-05T11:30"
    )
    b = _add(
        cli,
        "room",
        "--title",
        "Room booked",
        "--start",
        "2027-01-04T08:00Z",
        "--end",
        "2027-01-04T09:00Z",
        "--status",
        "tentative",
        "--notes",
        "bring lights",
    )
    c = _add(cli, "ann", "--title", "Holiday", "--start", "2027-01-06", "--end", "2027-01-08")
    docs = _json(cli("appointments", "list", "--json"))
    assert [d["id"] for d in docs] == [b, a, c]  # by start time
    for d in docs:
        assert set(d) >= FIELDS
        assert d["origin"] == "studio" and d["google_event_id"] is None
    by_id = {d["id"]: d for d in docs}
    expected = {
        "user": "ann",
        "title": "Family shoot",
        "status": "confirmed",
        "start": "2027-01-05T10:00:00+00:00",
        "end": "2027-01-05T11:30:00+00:00",
    }
    assert {k: by_id[a][k] for k in expected} == expected
    assert (by_id[b]["user"], by_id[b]["status"], by_id[b]["notes"]) == ("room", "tentative", "bring lights")
    assert (by_id[c]["start"], by_id[c]["end"], by_id[c]["all_day"]) == ("2027-01-06", "2027-01-08", True)
    assert [d["id"] for d in _json(cli("appointments", "list", "ann", "--json"))] == [a, c]
    assert [d["id"] for d in _json(cli("appointments", "list", "room", "--json"))] == [b]
    table = cli("appointments", "list", "ann")
    assert table.code == 0 and table.out.splitlines()[0].split()[:3] == ["ID", "USER", "START"]
    assert len(table.out.splitlines()) == 3


def test_times_are_read_in_the_studio_time_zone(cli, users) -> None:
    assert cli("prefs", "timezone", "America/New_York").code == 0
    a = _add(cli, "ann", "--title", "Winter", "--start", "2027-01-05T10:00", "--end", "2027-01-05T11:00")
    b = _add(cli, "ann", "--title", "Summer", "--start", "2027-07-05T10:00", "--end", "2027-07-05T11:00")
    c = _add(
        cli,
        "ann",
        "--title",
        "Given offset",
        "--start",
        "2027-07-05T10:00+02:00",
        "--end",
        "2027-07-05T11:00+02:00",
    )
    docs = {d["id"]: d for d in _json(cli("appointments", "list", "--json"))}
    assert docs[a]["start"] == "2027-01-05T10:00:00-05:00"
    assert docs[b]["start"] == "2027-07-05T10:00:00-04:00"  # DST
    assert docs[c]["start"] == "2027-07-05T04:00:00-04:00"  # the same instant, shown in the studio zone


def test_edit(cli, users, home: Path) -> None:
    a = _add(cli, "ann", "--title", "Shoot", "--start", "2027-01-05T10:00", "--end", "2027-01-05T11:30")
    r = cli("appointments", "edit", a, "--title", "Portrait shoot", "--status", "tentative")
    assert (r.code, r.out, r.err) == (0, f"updated {a}\n", "")
    assert cli("appointments", "edit", a, "--start", "2027-01-06T14:00").code == 0  # moving keeps the length
    doc = _json(cli("appointments", "list", "--json"))[0]
    assert (doc["title"], doc["status"]) == ("Portrait shoot", "tentative")
    assert (doc["start"], doc["end"]) == ("2027-01-06T14:00:00+00:00", "2027-01-06T15:30:00+00:00")
    assert cli("appointments", "edit", a, "--end", "2027-01-06T18:00", "--notes", "long one").code == 0
    doc = _json(cli("appointments", "list", "--json"))[0]
    assert (doc["start"], doc["end"], doc["notes"]) == (
        "2027-01-06T14:00:00+00:00",
        "2027-01-06T18:00:00+00:00",
        "long one",
    )
    assert doc["revision"] == 4 and doc["synced"] is False
    assert (
        cli("appointments", "edit", a, "--start", "2027-02-01", "--end", "2027-02-02").code == 0
    )  # to all-day
    doc = _json(cli("appointments", "list", "--json"))[0]
    assert (doc["start"], doc["end"], doc["all_day"]) == ("2027-02-01", "2027-02-02", True)
    trace = Studio.open(home).appointments.get(a).trace
    assert [t["action"] for t in trace] == ["created"] + ["changed"] * 4


def test_delete(cli, users) -> None:
    a = _add(cli, "ann", "--title", "Shoot", "--start", "2027-01-05T10:00", "--end", "2027-01-05T11:30")
    b = _add(cli, "ann", "--title", "Other", "--start", "2027-01-05T12:00", "--end", "2027-01-05T13:00")
    r = cli("appointments", "delete", a)
    assert (r.code, r.out) == (0, f"deleted {a}\n")
    assert [d["id"] for d in _json(cli("appointments", "list", "--json"))] == [b]
    assert cli("appointments", "delete", a).code == 2  # gone
    assert cli("appointments", "edit", a, "--title", "x").code == 2


def test_a_google_linked_deletion_stays_as_a_hidden_tombstone(cli, users, home: Path) -> None:
    a = _add(cli, "ann", "--title", "Linked", "--start", "2027-01-05T10:00", "--end", "2027-01-05T11:30")
    studio = Studio.open(home)
    appt = studio.appointments.get(a)
    appt.google_event_id = "evt123"
    studio.appointments.save_many("ann", [appt], clear_pending=True)
    assert cli("appointments", "delete", a).code == 0
    assert _json(cli("appointments", "list", "--json")) == []
    tomb = studio.appointments.find(a, include_deleted=True)
    assert tomb is not None and tomb.deleted and tomb.dirty
    assert a in studio.appointments.pending_ids("ann")
    assert cli("appointments", "edit", a, "--title", "x").code == 2


# Keys `appointments show --json` printed before it carried the sync story; scripts read them.
SHOW_KEYS = {
    "all_day",
    "created",
    "deleted",
    "end",
    "google_etag",
    "google_event_id",
    "id",
    "notes",
    "origin",
    "revision",
    "start",
    "status",
    "sync_error",
    "synced",
    "title",
    "trace",
    "updated",
    "user",
}


def test_show_answers_why_it_is_not_in_google(cli, world) -> None:
    world.add_user("ann")
    a = _add(cli, "ann", "--title", "Shoot", "--start", "2027-01-05T10:00", "--end", "2027-01-05T11:30")
    assert cli("sync", "ann").code == 0
    doc = _json(cli("appointments", "show", a, "--json"))
    assert set(doc) >= SHOW_KEYS | {"sync_state", "last_error", "user_sync", "dirty"}
    assert doc["sync_state"] == "in sync with Google" and doc["last_error"] is None
    event_id = doc["google_event_id"]
    assert event_id and doc["synced"] is True

    world.emu.revoke_grant("ann@example.com")
    assert cli("appointments", "edit", a, "--title", "Portrait shoot").code == 0
    assert cli("sync", "ann").code == 1
    doc = _json(cli("appointments", "show", a, "--json"))
    assert set(doc) >= SHOW_KEYS
    assert "not in Google" in doc["sync_state"] and "last sync failed" in doc["sync_state"]
    last = doc["last_error"]
    assert last["cause"] == "grant_revoked" and last["source"] == "run" and last["message"]
    assert "studiosync google auth ann" in last["fix"]
    assert doc["user_sync"]["status"] == "failing" and doc["user_sync"]["last_error_cause"] == "grant_revoked"
    assert doc["google_event_id"] == event_id and doc["synced"] is False and doc["title"] == "Portrait shoot"
    assert [t["action"] for t in doc["trace"]][:1] == ["created"] and "changed" in [
        t["action"] for t in doc["trace"]
    ]
    text = cli("appointments", "show", a)
    assert text.code == 0
    assert "not in Google" in text.out and "grant_revoked" in text.out
    assert "studiosync google auth ann" in text.out and "history:" in text.out


def test_show_says_sync_is_off(cli, world) -> None:
    world.add_user("ann")
    world.studio.google.update("ann", enabled=False)
    a = _add(cli, "ann", "--title", "Shoot", "--start", "2027-01-05T10:00", "--end", "2027-01-05T11:30")
    doc = _json(cli("appointments", "show", a, "--json"))
    assert "sync is off" in doc["sync_state"] and "waiting" not in doc["sync_state"]
    assert "Google sync is off" in cli("appointments", "show", a).out
    assert cli("appointments", "show", "0" * 32).code == 2
