"""The field-by-field merge as a table (core.sync.merge), and the base and patch bodies around it
(core.sync.synced): plain values in, plain values out, no network."""

from __future__ import annotations

import ast
import inspect
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from studiosync.core.model.appointments import Appointment, content_snapshot
from studiosync.core.sync import merge, synced
from studiosync.core.sync.mapping import EventData
from studiosync.core.sync.merge import FIELDS
from studiosync.core.sync.merge import merge as merge_fields

T0 = datetime(2030, 1, 7, 9, tzinfo=UTC)
SPAN = (T0, T0 + timedelta(hours=1))
MOVED = (T0 + timedelta(hours=2), T0 + timedelta(hours=3))
MOVED_AGAIN = (T0 + timedelta(hours=4), T0 + timedelta(hours=5))
BASE = {"title": "Shoot", "notes": "n", "time": SPAN, "status": "confirmed"}


def V(**changes: Any) -> dict[str, Any]:  # noqa: N802 - a table reads better with a short constructor
    return {**BASE, **changes}


S, G = merge.STUDIO, merge.GOOGLE
# (id, base, studio, google, studio later?, merged values, to Google, to the studio, {conflicting field: winner})
TABLE: list[tuple[str, dict | None, dict, dict, bool, dict, tuple, tuple, dict]] = [
    ("nothing changed", BASE, V(), V(), False, V(), (), (), {}),
    ("studio changed notes", BASE, V(notes="x"), V(), False, V(notes="x"), ("notes",), (), {}),
    ("Google moved the time", BASE, V(), V(time=MOVED), True, V(time=MOVED), (), ("time",), {}),
    # the two losses: now both edits survive, and neither is a conflict
    ("studio notes, Google time", BASE, V(notes="x"), V(time=MOVED), False, V(notes="x", time=MOVED), ("notes",), ("time",), {}),
    ("Google title, studio time", BASE, V(time=MOVED), V(title="Retitled"), True, V(title="Retitled", time=MOVED), ("time",), ("title",), {}),
    ("both made the same change", BASE, V(title="Same"), V(title="Same"), False, V(title="Same"), (), (), {}),
    ("same field both sides, studio later", BASE, V(title="S"), V(title="G"), True, V(title="S"), ("title",), (), {"title": S}),
    ("same field both sides, Google later", BASE, V(title="S"), V(title="G"), False, V(title="G"), (), ("title",), {"title": G}),
    ("a conflict and a merge at once", BASE, V(title="S", notes="x"), V(title="G", time=MOVED), False,
     V(title="G", notes="x", time=MOVED), ("notes",), ("title", "time"), {"title": G}),
    ("time moved on both sides", BASE, V(time=MOVED), V(time=MOVED_AGAIN), True, V(time=MOVED), ("time",), (), {"time": S}),
    ("studio status, Google notes", BASE, V(status="tentative"), V(notes="g"), False,
     V(status="tentative", notes="g"), ("status",), ("notes",), {}),
    ("studio undid its change, Google changed it", BASE, V(), V(title="G"), True, V(title="G"), (), ("title",), {}),
    ("timed -> all-day in the studio", BASE, V(time=(date(2030, 1, 7), date(2030, 1, 8))), V(), False,
     V(time=(date(2030, 1, 7), date(2030, 1, 8))), ("time",), (), {}),
    # no base (synced before bases were kept): every differing field counts as changed on both sides
    ("no base, studio later: the studio's record", None, V(title="S", notes="x"), V(title="G"), True,
     V(title="S", notes="x"), ("title", "notes"), (), {"title": S, "notes": S}),
    ("no base, Google later: Google's record", None, V(title="S"), V(title="G", time=MOVED), False,
     V(title="G", time=MOVED), (), ("title", "time"), {"title": G, "time": G}),
    ("no base, same on both sides", None, V(), V(), False, V(), (), (), {}),
    # a base without a field (a field mapped later): that field falls back to the policy, the rest merge
    ("base lacks notes", {k: v for k, v in BASE.items() if k != "notes"}, V(notes="x", title="S"), V(notes="y"), True,
     V(notes="x", title="S"), ("title", "notes"), (), {"notes": S}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("base", "studio", "google", "later", "values", "to_google", "to_studio", "conflicts"),
    [row[1:] for row in TABLE],
    ids=[row[0] for row in TABLE],
)
def test_merge(
    base: dict | None,
    studio: dict,
    google: dict,
    later: bool,
    values: dict,
    to_google: tuple,
    to_studio: tuple,
    conflicts: dict,
) -> None:
    result = merge_fields(base, studio, google, studio_later=later)
    assert result.values == values
    assert set(result.to_google) == set(to_google) and set(result.to_studio) == set(to_studio)
    assert {c.field: c.winner for c in result.conflicts} == conflicts
    for c in result.conflicts:  # both values, the base and the winner are recorded
        assert (c.studio, c.google) == (studio[c.field], google[c.field])
        assert c.base == (base or {}).get(c.field)
    # whatever the table says, the merged record is what both sides hold afterwards
    assert {f: values[f] for f in to_google} == {f: studio[f] for f in to_google}
    assert {f: values[f] for f in to_studio} == {f: google[f] for f in to_studio}


def test_a_field_changed_on_one_side_only_is_never_lost() -> None:
    """Every combination of one-sided edits over FIELDS, both orders of 'later': each edit survives."""
    alt = {"title": "T2", "notes": "n2", "time": MOVED, "status": "tentative"}
    for mask in range(3 ** len(FIELDS)):
        studio, google, n = V(), V(), mask
        for name in FIELDS:
            side, n = n % 3, n // 3
            if side == 1:
                studio[name] = alt[name]
            elif side == 2:
                google[name] = alt[name]
        for later in (True, False):
            result = merge_fields(BASE, studio, google, studio_later=later)
            assert not result.conflicts
            assert all(
                result.values[f] == alt[f] for f in FIELDS if studio[f] != BASE[f] or google[f] != BASE[f]
            )


def test_note_names_fields_and_sides() -> None:
    result = merge_fields(BASE, V(title="S", notes="x"), V(title="G", time=MOVED), studio_later=False)
    assert (
        result.note
        == "title changed on both sides: Google's kept (the later change); notes from the studio; time from Google"
    )


def test_merge_does_no_io() -> None:
    tree = ast.parse(inspect.getsource(merge))
    imported = {
        (node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported <= {"__future__", "collections", "dataclasses", "typing"}


# -- the base and the patch body (core.sync.synced) ------------------------------------------------------
NY = ZoneInfo("America/New_York")


def _appt(**kw: Any) -> Appointment:
    fields: dict[str, Any] = {"title": "Shoot", "start": SPAN[0], "end": SPAN[1], "notes": "n"}
    return Appointment("ann-0001", "ann", **{**fields, **kw})


def _base(**kw: Any) -> dict[str, Any]:
    return {**content_snapshot(_appt()), "start_tz": "America/New_York", "end_tz": "America/New_York", **kw}


PATCHES: list[tuple[str, dict | None, dict, dict]] = [
    ("nothing changed: empty body (no request)", _base(), {}, {}),
    ("title only", _base(), {"title": "New"}, {"summary": "New"}),
    ("notes only", _base(), {"notes": ""}, {"description": ""}),
    ("untitled stays untitled", _base(title=""), {"title": "", "notes": "x"}, {"description": "x"}),
    ("a time change keeps the event's own zone", _base(), {"start": MOVED[0], "end": MOVED[1]},
     {"start": {"dateTime": "2030-01-07T06:00:00-05:00", "timeZone": "America/New_York", "date": None},
      "end": {"dateTime": "2030-01-07T07:00:00-05:00", "timeZone": "America/New_York", "date": None}}),
    ("no zone known: the instant alone, Google keeps its zone", _base(start_tz=None, end_tz=None),
     {"start": MOVED[0], "end": MOVED[1]},
     {"start": {"dateTime": "2030-01-07T11:00:00+00:00", "date": None},
      "end": {"dateTime": "2030-01-07T12:00:00+00:00", "date": None}}),
    ("to all-day: dateTime and timeZone nulled", _base(), {"start": date(2030, 1, 7), "end": date(2030, 1, 8), "all_day": True},
     {"start": {"date": "2030-01-07", "dateTime": None, "timeZone": None},
      "end": {"date": "2030-01-08", "dateTime": None, "timeZone": None}}),
    ("status", _base(), {"status": "tentative"}, {"status": "tentative"}),
    ("no base: every field we own", None, {},
     {"summary": "Shoot", "description": "n", "status": "confirmed",
      "start": {"dateTime": "2030-01-07T09:00:00+00:00", "date": None},
      "end": {"dateTime": "2030-01-07T10:00:00+00:00", "date": None}}),
]  # fmt: skip


@pytest.mark.parametrize(("base", "change", "body"), [r[1:] for r in PATCHES], ids=[r[0] for r in PATCHES])
def test_patch_body_carries_only_what_changed(base: dict | None, change: dict, body: dict) -> None:
    appt = _appt(synced=base, **change)
    fields = synced.patch_fields(appt)
    assert synced.patch_body(appt, fields, with_status=True) == body
    assert set(synced.fields_in(body)) == set(fields) or not body


def test_status_is_left_out_where_it_is_not_ours() -> None:
    appt = _appt(synced=_base(), status="tentative", title="New")
    assert synced.patch_body(appt, synced.patch_fields(appt), with_status=False) == {"summary": "New"}


def test_base_round_trip_and_unreadable_base_falls_back() -> None:
    ev = EventData(
        id="ev1",
        etag="e",
        status="confirmed",
        title="",
        notes="d",
        start=SPAN[0],
        end=SPAN[1],
        start_tz="Asia/Tokyo",
    )
    base = synced.base_of_event(ev)
    assert base["start_tz"] == "Asia/Tokyo" and base["end_tz"] is None
    assert synced.base_values(base) == synced.event_values(ev)
    moved = {**base, "start": SPAN[0].astimezone(NY).isoformat()}  # same instant written in another zone
    assert synced.base_values(moved) == synced.event_values(ev)
    for broken in (None, {}, {"title": "t"}, {**base, "start": "soon"}, {**base, "start": 5}):
        assert synced.base_values(broken) is None


def test_base_after_push_takes_only_what_was_sent() -> None:
    appt = _appt(synced=_base(), title="New", status="tentative")
    after = synced.base_after_push(appt, ("title",), {"start": {"dateTime": "x", "timeZone": "Europe/Paris"}})
    assert after["title"] == "New" and after["status"] == "confirmed"  # status was not sent: Google's stays
    assert after["start_tz"] == "Europe/Paris" and after["end_tz"] == "America/New_York"
    fresh = synced.base_after_push(_appt(title="Inserted"), FIELDS, {"start": {}, "end": {}})
    assert fresh["title"] == "Inserted" and fresh["start_tz"] is None


def test_conflict_values_are_shown_small() -> None:
    assert synced.shown("time", SPAN) == {"start": SPAN[0].isoformat(), "end": SPAN[1].isoformat()}
    long = synced.shown("notes", "n" * 70_000)
    assert len(long) < 400 and long.endswith("(70000 characters)")
    assert synced.shown("title", "") == ""
