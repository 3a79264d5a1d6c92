"""The console's release of held deletions (issue 11 point 1): the dashboard shows the held user, and `h`
applies the deletions only after a dialog whose focused button keeps them; `u` undoes them."""

from __future__ import annotations

from studiosync.core.sync.mapping import event_id_for
from studiosync.tui.app import StudioSyncApp
from studiosync.tui.screens.confirm import ConfirmScreen
from studiosync.tui.widgets.sync_progress import SyncProgress

from tests.sync.helpers import SyncWorld, soon
from tests.tui.screen_text import screen_text, settle, wait_until


def held_world(world: SyncWorld) -> list:
    world.studio.users.add("it", "IT desk", admin=True)
    world.add_user("ann")
    appts = [world.add_appt("ann", f"Session {i}", soon(2, hour=8 + i)) for i in range(11)]
    world.sync_ok()
    for a in appts:
        world.delete_event("ann", event_id_for(a.id))
    assert world.sync().users[0].cause == "deletions_held"
    return appts


async def _decide(pilot, app: StudioSyncApp, key: str, answer: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press(key)
    await settle(pilot)
    assert isinstance(app.screen, ConfirmScreen)
    assert app.focused is not None and app.focused.id == "no"  # the safe button has the focus
    await pilot.press(answer)
    await settle(pilot, rounds=3)


async def test_dashboard_applies_held_deletions_only_when_confirmed(world: SyncWorld) -> None:
    held_world(world)
    app = StudioSyncApp(world.studio, login="it", embedded_scheduler=False, blink_cursor=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "deletions held" in text
        assert "Google reports 11 of 11 events deleted; nothing was deleted in the studio" in text
        assert "h: apply the held deletions" in text
        await _decide(pilot, app, "h", "enter")  # Enter presses "Keep them"
        assert not isinstance(app.screen, ConfirmScreen) and len(world.appts("ann")) == 11
        await _decide(pilot, app, "h", "y")
        progress = app.screen.query_one(SyncProgress)
        await wait_until(pilot, lambda: progress.has_class("-done"))
        await settle(pilot)
        assert world.appts("ann") == []
        assert "deletions held" not in screen_text(app)


async def test_dashboard_undoes_held_deletions(world: SyncWorld) -> None:
    appts = held_world(world)
    app = StudioSyncApp(world.studio, login="it", embedded_scheduler=False, blink_cursor=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await _decide(pilot, app, "u", "y")
        progress = app.screen.query_one(SyncProgress)
        await wait_until(pilot, lambda: progress.has_class("-done"))
        await settle(pilot)
        assert set(world.live_events("ann")) == {event_id_for(a.id) for a in appts}
        assert len(world.appts("ann")) == 11
        assert "deletions held" not in screen_text(app)


async def test_company_prefs_mass_deletion_limits(make_app, tui_studio) -> None:
    from studiosync.tui.widgets.field import Field

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f7")
        await settle(pilot)
        q = app.screen.query_one
        assert (q("#p-del-count", Field).value, q("#p-del-percent", Field).value) == ("10", "25")
        q("#p-del-percent", Field).value = "101"
        await pilot.pause()
        assert q("#p-deletions-save").disabled  # over 100%: refused while typing
        q("#p-del-count", Field).value = "30"
        q("#p-del-percent", Field).value = "40"
        q("#p-del-percent", Field).focus()
        await pilot.press("ctrl+s")
        await settle(pilot)
        prefs = tui_studio.prefs.get()
        assert (prefs.deletion_max_count, prefs.deletion_max_percent) == (30, 40)
