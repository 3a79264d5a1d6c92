"""A change Google refuses for good is never retried: the run warns (naming the appointment, cause and
fix), the studio takes Google's version, and no request goes out for the event until either side changes
it again. Refusals come from the emulator's own Google rules (an invitation's guest, a Gmail event) or an
injected 400; the studio refuses these edits up front, so the tests make them the way an older version
(or a change the studio could not foresee) leaves them: straight into the book."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from studiosync.core.model.appointments import Appointment
from studiosync.core.studio.timeparse import stamp

from .helpers import SyncWorld, soon

VENUE = "events@venue.example"


def _unchecked_edit(world: SyncWorld, appt: Appointment, **changes: Any) -> Appointment:
    """A studio change that skipped the up-front rule (made by an older version): pending, not synced."""
    changed = replace(appt, **changes, revision=appt.revision + 1, updated=stamp(), trace=list(appt.trace))
    world.studio.appointments.save_many(appt.user, [changed], mark_pending=True)
    return changed


def _runs(world: SyncWorld, login: str, n: int) -> list[dict[str, int]]:
    """n syncs; per run: Calendar requests (batch sub-calls included), batch POSTs and Calendar writes."""
    out = []
    email = world.emails[login]
    for _ in range(n):
        world.emu.reset_counts(email)
        result = world.sync(login)
        report = world.emu.request_report(email)
        out.append(
            {
                "calendar": report["counts"]["calendar"],
                "batch": report["counts"]["batch"],
                "writes": report["writes"]["calendar"],
                "status": result.users[0].status,
            }
        )
    return out


def _invitation(world: SyncWorld, login: str) -> tuple[dict[str, Any], Appointment]:
    ev = world.emu.add_invitation(
        world.emails[login],
        organizer=VENUE,
        start=soon(3, 14).isoformat(),
        end=soon(3, 15).isoformat(),
        summary="Venue walkthrough",
        response="accepted",
    )
    world.sync_ok(login)
    (appt,) = [a for a in world.appts(login) if a.google_event_id == ev["id"]]
    return ev, appt


def test_a_refused_edit_is_sent_once_and_google_wins(world: SyncWorld) -> None:
    world.add_user("ann")
    world.sync_ok()
    ev, appt = _invitation(world, "ann")
    _unchecked_edit(world, appt, title="Our walkthrough", start=soon(3, 16), end=soon(3, 17))

    runs = _runs(world, "ann", 3)
    # run 1: the listing, the refused patch and the fetch of Google's version; then the listing only
    assert [r["writes"] for r in runs] == [1, 0, 0]
    assert [r["calendar"] for r in runs] == [3, 1, 1]
    assert runs[0]["status"] == "warning" and runs[1]["status"] == runs[2]["status"] == "ok"

    kept = world.studio.appointments.get(appt.id)
    assert (kept.title, kept.start, kept.end) == (appt.title, appt.start, appt.end)  # Google's version
    assert not kept.dirty and kept.sync_error is None
    assert any(t["action"] == "refused" for t in kept.trace)
    assert world.live_events("ann")[ev["id"]]["summary"] == "Venue walkthrough"  # untouched on Google
    assert not world.studio.appointments.pending_ids("ann")


def test_the_warning_names_the_appointment_cause_and_fix_not_a_read_only_calendar(world: SyncWorld) -> None:
    world.add_user("ann")
    _, appt = _invitation(world, "ann")
    _unchecked_edit(world, appt, notes="bring the ladder")
    user = world.sync("ann").users[0]
    assert user.status == "warning" and user.counts["refused"] == 1
    (warning,) = user.warnings
    assert appt.id in warning and "Venue walkthrough" in warning
    assert "Only the organizer of this invitation can change it" in warning and "Fix:" in warning
    assert "read-only" not in warning and "calendar" not in warning.split("Fix:")[0].lower()


def test_a_refused_gmail_deletion_brings_the_appointment_back(world: SyncWorld) -> None:
    world.add_user("ann")
    world.sync_ok()
    ev = world.emu.add_from_gmail(
        world.emails["ann"], summary="Flight", start=soon(4, 8).isoformat(), end=soon(4, 10).isoformat()
    )
    world.sync_ok()
    (appt,) = world.appts("ann")
    _unchecked_edit(world, appt, deleted=True)
    runs = _runs(world, "ann", 3)
    assert [r["writes"] for r in runs] == [1, 0, 0] and [r["calendar"] for r in runs] == [3, 1, 1]
    back = world.studio.appointments.get(appt.id)
    assert not back.deleted and back.title == "Flight" and back.google_event_id == ev["id"]


def test_a_refused_insert_keeps_the_studio_version_and_waits_for_a_change(world: SyncWorld) -> None:
    world.add_user("ann")
    world.sync_ok()
    appt = world.add_appt("ann", "Odd one", soon(2))
    world.emu.inject_fault("400", 1, account=world.emails["ann"], method="POST", in_batch=True)
    runs = _runs(world, "ann", 3)
    assert [r["writes"] for r in runs] == [1, 0, 0] and [r["calendar"] for r in runs] == [2, 1, 1]
    kept = world.studio.appointments.get(appt.id)
    assert kept.title == "Odd one" and kept.refused and kept.sync_error
    assert not world.live_events("ann")
    # A new change in the studio is a new change: it goes again (and now Google takes it).
    world.studio.appointments.edit(appt.id, title="Odd one, fixed")
    world.sync_ok()
    assert [e["summary"] for e in world.live_events("ann").values()] == ["Odd one, fixed"]
    assert not world.studio.appointments.get(appt.id).dirty


def test_google_s_version_is_fetched_next_run_when_it_could_not_be_this_run(world: SyncWorld) -> None:
    world.add_user("ann")
    ev, appt = _invitation(world, "ann")
    _unchecked_edit(world, appt, title="Ours")
    world.emu.inject_fault("503", 50, account=world.emails["ann"], method="GET", path=ev["id"], in_batch=True)
    first = world.sync("ann").users[0]
    world.emu.clear_faults()
    assert first.counts["refused"] == 1
    stuck = world.studio.appointments.get(appt.id)
    assert stuck.refused and stuck.title == "Ours"  # not sent again, not restored yet
    runs = _runs(world, "ann", 2)
    assert [r["writes"] for r in runs] == [0, 0] and [r["calendar"] for r in runs] == [2, 1]
    assert world.studio.appointments.get(appt.id).title == "Venue walkthrough"


def test_a_change_on_google_after_a_refusal_comes_over(world: SyncWorld) -> None:
    world.add_user("ann")
    ev, appt = _invitation(world, "ann")
    _unchecked_edit(world, appt, title="Ours")
    world.emu.inject_fault("503", 50, account=world.emails["ann"], method="GET", path=ev["id"], in_batch=True)
    world.sync("ann")
    world.emu.clear_faults()
    world.update_event("ann", ev["id"], summary="Walkthrough (moved)")  # the organizer changes it
    runs = _runs(world, "ann", 2)
    assert [r["writes"] for r in runs] == [0, 0] and [r["calendar"] for r in runs] == [1, 1]
    assert world.studio.appointments.get(appt.id).title == "Walkthrough (moved)"


def test_a_refused_batch_request_is_no_refusal_of_its_events(world: SyncWorld) -> None:
    """A 400 on the batch POST itself fails every call in it alike: nothing is marked refused, the changes
    stay pending and go next run."""
    world.add_user("ann")
    world.sync_ok()
    appt = world.add_appt("ann", "Shoot", soon(2))
    world.emu.inject_fault("400", 1, account=world.emails["ann"], path="/batch", in_batch=False)
    user = world.sync("ann").users[0]
    assert user.counts["refused"] == 0
    kept = world.studio.appointments.get(appt.id)
    assert not kept.refused and kept.dirty
    world.sync_ok()
    assert [e["summary"] for e in world.live_events("ann").values()] == ["Shoot"]
