"""Logs: live tail (with rotation), filters, search, pause with "+N new lines", no markup, own lines only."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Select

from tests.tui.conftest import log_line
from tests.tui.screen_text import screen_text, settle, wait_until
from tui.widgets.field import Field
from tui.widgets.log_pane import LogPane


def append(path: Path, *lines: str) -> None:
    with path.open("a") as fh:
        fh.write("".join(line + "\n" for line in lines))


async def open_logs(app, pilot) -> LogPane:
    await settle(pilot)
    await pilot.press("f9")
    await settle(pilot)
    pane = app.screen.query_one(LogPane)
    await wait_until(pilot, lambda: len(pane.records) >= 6)
    await pilot.pause()
    return pane


async def test_tail_filters_search_and_untrusted_text(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_logs(app, pilot)
        text = screen_text(app)
        assert "── google-sync · run run00001 ──" in text  # grouped by job run
        assert "[not markup]" in text  # shown as typed, never interpreted
        app.screen.query_one("#log-level", Select).value = "ERROR"
        await pilot.pause()
        assert len(pane.lines) == 2  # the run header + ben's error
        app.screen.query_one("#log-level", Select).clear()
        app.screen.query_one("#log-search", Field).value = "pushed"
        await pilot.pause()
        assert "ann: pushed 2, pulled 1" in screen_text(app)
        assert "console started" not in screen_text(app)


async def test_follows_new_lines_pause_counts_them_and_rotation_is_survived(make_app, tui_studio) -> None:
    app = make_app()
    log = Path(tui_studio.datadir.logs) / "studiosync.log"
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_logs(app, pilot)
        append(log, log_line(1, "INFO", "fresh line one"))
        await wait_until(pilot, lambda: "fresh line one" in screen_text(app))
        await pilot.press("p")
        append(log, log_line(2, "INFO", "while paused A"), log_line(2, "INFO", "while paused B"))
        await wait_until(pilot, lambda: pane.unseen == 2)
        await pilot.pause()
        assert "+2 new lines" in screen_text(app)
        assert "while paused A" not in screen_text(app)
        await pilot.press("p")
        await pilot.pause()
        assert "while paused B" in screen_text(app)
        # Rotation: the file is renamed and a new one started; the pane keeps following by name.
        log.rename(log.with_name("studiosync.log.1"))
        log.write_text(log_line(3, "INFO", "after rotation") + "\n")
        await wait_until(pilot, lambda: "after rotation" in screen_text(app))


async def test_non_admin_sees_only_their_own_lines(make_app) -> None:
    app = make_app(login="ann")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        pane = app.screen.query_one(LogPane)
        await wait_until(pilot, lambda: len(pane.records) >= 1)
        await pilot.pause()
        assert {r.user for r in pane.records} == {"ann"}
        assert "invalid_grant" not in screen_text(app)


async def test_back_to_back_batches_keep_following_and_scrolling_up_counts(make_app, tui_studio) -> None:
    """Regression: a second batch arriving before the pane's deferred scroll-to-end must not count as
    "the reader scrolled up" (seen in a real terminal: "scrolled up +9 new lines" with nobody scrolling)."""
    app = make_app()
    log = Path(tui_studio.datadir.logs) / "studiosync.log"
    async with app.run_test(size=(120, 30)) as pilot:
        pane = await open_logs(app, pilot)
        for burst in range(8):  # lines land in several batches, each before the previous one scrolled
            append(log, *(log_line(burst, "INFO", f"burst {burst} line {i}") for i in range(10)))
            await pilot.pause(0.12)
        await wait_until(pilot, lambda: "burst 7 line 9" in screen_text(app))
        assert pane.following and pane.unseen == 0
        assert "following" in screen_text(app)
        # The reader scrolls up: new lines are counted, the view stays put.
        pane.scroll_home(animate=False, immediate=True)
        await pilot.pause()
        assert not pane.following
        append(log, log_line(9, "INFO", "arrived while scrolled up"))
        await wait_until(pilot, lambda: pane.unseen == 1)
        await pilot.pause()
        assert "scrolled up  +1 new lines" in screen_text(app)
        assert "arrived while scrolled up" not in screen_text(app)
        await pilot.press("end")
        await pilot.pause()
        assert pane.following
        assert "arrived while scrolled up" in screen_text(app)
