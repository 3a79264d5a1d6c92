"""Logs: live tail (with rotation), filters, search, pause with "+N new lines", no markup, own lines only."""

from __future__ import annotations

from pathlib import Path

from studiosync.tui.widgets.field import Field
from studiosync.tui.widgets.log_pane import LogPane
from textual.widgets import Select

from tests.tui.conftest import log_line
from tests.tui.screen_text import screen_text, settle, wait_until


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


def detail_text(app) -> str:
    """The details panel's whole text (it scrolls past 8 rows, so the screen may show only its top)."""
    return str(app.screen.query_one("#log-detail-text").render())


async def test_selecting_an_error_line_shows_it_in_full_with_cause_and_fix(make_app) -> None:
    from studiosync.core.explain import explain_cause

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_logs(app, pilot)
        detail = app.screen.query_one("#log-detail")
        assert not detail.display  # nothing selected: no panel
        assert "[not markup]" not in screen_text(app)  # the line is cut at the pane's edge
        await pilot.press("up", "up", "up")  # newest line first, then upwards: ben's ERROR line
        await pilot.pause()
        assert pane.selected is not None and pane.selected.level == "ERROR"
        assert not pane.following  # a selected line pins the view
        assert detail.display
        text = detail_text(app)
        assert "ben: invalid_grant: Token has been revoked. [not markup]" in text  # whole, untruncated
        assert "ERROR" in text and "user ben" in text and "job google-sync" in text
        assert "run run00001aaaa" in text
        revoked = explain_cause("grant_revoked")
        assert f"Cause: {revoked.message}" in text
        assert "Fix: Open the user's Google tab, click Remove My Google Account" in text
        assert "[not" in screen_text(app) and "line selected" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert pane.selected is None and not detail.display
        assert pane.following  # the view never moved from the bottom: following again


async def test_click_selects_headers_are_skipped_and_markup_is_literal(make_app, tui_studio) -> None:
    app = make_app()
    log = Path(tui_studio.datadir.logs) / "studiosync.log"
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_logs(app, pilot)
        # Row 1 of the pane is the run header: a click there selects the run's first line.
        await pilot.click(LogPane, offset=(10, 2))
        await pilot.pause()
        assert pane.selected is not None and pane.selected.message == "Google Sync Processor started"
        await pilot.press("up")  # over the header, to the line before the run
        await pilot.pause()
        assert pane.selected.message == "console started"
        await pilot.press("up")  # already the first line: stays
        assert pane.selected.message == "console started"
        message = "mail to [bold]ann[/bold] failed: " + "x" * 150 + " [red]THE END[/red]"
        append(log, log_line(1, "ERROR", message, user="ann", cause="smtp_auth", attempt=2))
        await wait_until(pilot, lambda: pane.unseen == 1)  # counted, the view stays on the selection
        await pilot.pause()
        assert "line selected  +1 new lines" in screen_text(app)
        await pilot.press("end")  # follows again and drops the selection
        await pilot.pause()
        assert pane.following and pane.selected is None
        assert not app.screen.query_one("#log-detail").display
        await pilot.press("up")  # the newest line: the mail failure
        await pilot.pause()
        text = detail_text(app)
        assert message in text  # every character, markup included, as typed
        assert "cause: smtp_auth" in text and "attempt: 2" in text
        assert "Fix: Re-enter the username and password in Company Preferences > Email" in text
        assert "[bold]ann[/bold]" in screen_text(app)


async def test_selection_survives_filters_while_visible(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_logs(app, pilot)
        await pilot.press("up", "up", "up")
        await pilot.pause()
        error = pane.selected
        assert error is not None and error.level == "ERROR"
        app.screen.query_one("#log-level", Select).value = "WARNING"
        await pilot.pause()
        assert pane.selected is error  # still shown: still selected
        await pilot.press("down")  # the WARNING line below it (the INFO lines are filtered out)
        await pilot.pause()
        assert pane.selected.level == "WARNING"
        app.screen.query_one("#log-level", Select).value = "ERROR"
        await pilot.pause()
        assert pane.selected is None and pane.following  # filtered away: selection gone, following
        assert not app.screen.query_one("#log-detail").display


async def test_line_map_stays_aligned_through_multiline_messages_and_trimming(make_app) -> None:
    from studiosync.core.logs import LogRecordView

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_logs(app, pilot)
        pane.max_lines = 15  # RichLog trims its first lines past this
        records = [
            LogRecordView(None, "INFO", None, "job", f"run{i // 3}", None, f"line {i}\nsecond part of {i}")
            for i in range(12)
        ]
        pane.add(records)
        await pilot.pause()
        assert len(pane._refs) == len(pane.lines) == 15  # noqa: SLF001
        for ref, strip in zip(pane._refs, pane.lines, strict=True):  # noqa: SLF001
            text = strip.text
            if ref is None:
                assert "── job · run" in text
            else:
                assert f"line {ref.message.split()[1]}" in text or f"of {ref.message.split()[1]}" in text
        await pilot.press("up")  # the newest record, both of its lines
        await pilot.pause()
        assert pane.selected is records[-1]
        await pilot.press("up")  # one record up, not one line
        await pilot.pause()
        assert pane.selected is records[-2]
        await pilot.press("home")  # the first record still drawn (the oldest were trimmed)
        await pilot.pause()
        first = next(ref for ref in pane._refs if ref is not None)  # noqa: SLF001
        assert pane.selected is first
        pane.add([LogRecordView(None, "INFO", None, None, None, None, f"more {i}") for i in range(20)])
        await pilot.pause()
        assert pane.selected is None  # its lines were trimmed away
        assert not app.screen.query_one("#log-detail").display
