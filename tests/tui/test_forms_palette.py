"""Issue 13 points 4, 6, 8, 10: unsaved edits, validation while loading, the palette from anywhere and in
dialogs, dialog key lines, Help scrolling, the collapsing sidebar, tables that fit, and `studiosync` alone."""

from __future__ import annotations

import pytest
from studiosync.tui.commands import ConsoleCommands
from studiosync.tui.screens.help import HelpScreen
from studiosync.tui.screens.unsaved import UnsavedScreen
from studiosync.tui.screens.user_edit import UserEditScreen
from studiosync.tui.sections import SECTIONS
from studiosync.tui.widgets.field import Field
from studiosync.tui.widgets.sidebar import Sidebar
from studiosync.tui.widgets.table import Column, fit_columns
from textual.widgets import Footer

from tests.tui.screen_text import notices, screen_text, settle


async def open_prefs(app, pilot):  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("f7")
    await settle(pilot, rounds=3)
    return app.screen.query_one("#p-tz", Field), app.screen.query_one("#p-port", Field)


async def test_leaving_prefs_with_unsaved_edits_asks_save_discard_stay(make_app, tui_studio) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        tz, port = await open_prefs(app, pilot)
        tz.value, port.value = "Europe/Paris", "2525"
        await pilot.pause()
        await pilot.press("f8")
        await pilot.pause()
        assert isinstance(app.screen, UnsavedScreen)
        assert app.screen.focused is not None and app.screen.focused.id == "stay"  # Enter loses nothing
        await pilot.press("enter")  # Stay
        await pilot.pause()
        assert app.main_screen().current == "prefs" and tz.value == "Europe/Paris"
        await pilot.press("f8")
        await pilot.pause()
        await pilot.press("ctrl+d")  # Discard
        await settle(pilot)
        assert app.main_screen().current == "control"
        await pilot.press("f7")
        await settle(pilot, rounds=3)
        assert tz.value == "Europe/London" and port.value == "587"  # the stored values, nothing saved
        assert tui_studio.prefs.timezone == "Europe/London"
        tz.value = "Europe/Paris"
        await pilot.pause()
        await pilot.press("f8")
        await pilot.pause()
        await pilot.press("ctrl+s")  # Save, then leave
        await settle(pilot, rounds=3)
        assert app.main_screen().current == "control"
        assert tui_studio.prefs.timezone == "Europe/Paris"


async def test_saving_an_invalid_part_on_leaving_says_why_and_stays(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        _tz, port = await open_prefs(app, pilot)
        port.value = "99999"
        await pilot.pause()
        await pilot.press("f8")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.main_screen().current == "prefs"
        assert any("Port: a port number 1-65535" in n for n in notices(app)), notices(app)


async def test_prefs_never_flash_invalid_while_loading(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f7")
        seen: list[str] = []
        for _ in range(6):  # every frame from the first one until the stored values are in
            await pilot.pause()
            fields = list(app.screen.query(Field))
            loading = not any(f.id == "p-tz" and f.value for f in fields)
            seen += [str(f.id) for f in fields if loading and f.has_class("-invalid")]
            if "not an IANA" in screen_text(app):
                seen.append("tz note")
        await settle(pilot)
        assert seen == []
        assert app.screen.query_one("#p-tz", Field).value == "Europe/London"


async def test_google_tab_user_switch_and_ctrl_s_on_an_invalid_tab(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.open_google_tab("ann")
        await settle(pilot, rounds=3)
        app.screen.query_one("#g-warn-email", Field).value = "nobody@"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert any("is not an email address" in n for n in notices(app)), notices(app)
        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(app.screen, UnsavedScreen)


async def test_palette_offers_every_section_from_anywhere_and_opens_it(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f10")
        await settle(pilot)
        provider = ConsoleCommands(app.screen)
        names = [e.name for e in provider._entries()]  # noqa: SLF001
        assert "users: add" in names and "jobs: run now" in names and "go: logs" in names
        entry = next(e for e in provider._entries() if e.name == "users: add")  # noqa: SLF001
        entry.run()
        await settle(pilot, rounds=3)
        assert isinstance(app.screen, UserEditScreen)
        assert app.main_screen().current == "users"
        # In a dialog the palette offers the dialog's keys, not the screen underneath.
        names = [e.name for e in ConsoleCommands(app.screen)._entries()]  # noqa: SLF001
        assert "user: save" in names and "user: cancel" in names
        assert not any(n.startswith(("users:", "jobs:")) for n in names)
        # And the dialog shows its keys.
        footer = app.screen.query_one(Footer)
        assert footer is not None and "Save" in screen_text(app) and "^s" in screen_text(app)


def test_every_palette_command_has_its_action_and_help_names_real_ones() -> None:
    for section in SECTIONS:
        view = section.load()
        for command in section.commands:
            assert command.name.startswith(command.name.split(":")[0] + ": ")
            assert callable(getattr(view, f"action_{command.action}", None)), command
    from studiosync.tui.screens.help import GLOBAL_KEYS

    names = {c.name for s in SECTIONS for c in s.commands}
    for quoted in ("users: add", "jobs: run now"):
        assert quoted in GLOBAL_KEYS and quoted in names


async def test_help_scrolls_with_page_down_at_once(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot, rounds=2)
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        scroll = app.screen.query_one("#help-scroll")
        await pilot.press("pagedown")
        await pilot.pause()
        assert scroll.scroll_y > 0


@pytest.mark.parametrize(("width", "collapsed"), [(80, True), (99, True), (100, False), (120, False)])
async def test_sidebar_collapses_to_its_keys_below_100_columns(make_app, width: int, collapsed: bool) -> None:
    app = make_app()
    async with app.run_test(size=(width, 24)) as pilot:
        await settle(pilot)
        sidebar = app.screen.query_one(Sidebar)
        assert sidebar.has_class("-collapsed") is collapsed
        assert ("Dashboard" in str(sidebar.get_option_at_index(0).prompt)) is not collapsed
        assert "Last error" in screen_text(app)  # the important column stays at every width


COLUMNS = [
    Column("user", "User", 1, 10),
    Column("google", "Google", 2, 7),
    Column("lag", "Lag", 4, 4),
    Column("synced", "Synced", 5, 12),
    Column("moved", "Moved", 6, 11),
    Column("error", "Last error", 3, 14, flex=True),
]
NATURAL = {"user": 17, "google": 10, "lag": 5, "synced": 12, "moved": 11, "error": 60}


@pytest.mark.parametrize(
    ("room", "shown"),
    [
        (120, ["user", "google", "lag", "synced", "moved", "error"]),
        (100, ["user", "google", "lag", "synced", "moved", "error"]),
        (75, ["user", "google", "lag", "error"]),
        (60, ["user", "google", "lag", "error"]),
        (40, ["user", "error"]),
    ],
)
def test_fit_columns_drops_the_least_important_first(room: int, shown: list[str]) -> None:
    widths = fit_columns(COLUMNS, NATURAL, room)
    assert list(widths) == shown
    assert sum(w + 2 for w in widths.values()) <= max(room, sum(c.min_width + 2 for c in COLUMNS[:1]) + 16)
    # The last error, the most important thing after who and their status, gets room before Lag or Synced.
    assert widths["error"] >= max(14, min(60, room // 3))


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], ["console"]),
        (["--home", "/x"], ["--home", "/x", "console"]),
        (["--home=/x"], ["--home=/x", "console"]),
        (["users", "list"], ["users", "list"]),
        (["--help"], ["--help"]),
        (["--home", "/x", "doctor"], ["--home", "/x", "doctor"]),
    ],
)
def test_studiosync_alone_opens_the_console(argv: list[str], expected: list[str]) -> None:
    from studiosync.tui.cli import with_default_command

    assert with_default_command(argv) == expected


def test_no_command_runs_the_console_and_help_lists_every_command(monkeypatch, capsys) -> None:
    from studiosync.tui import cli, run

    opened: list[object] = []
    monkeypatch.setattr(run, "run_console", lambda home, **kw: opened.append(home) or 0)
    assert cli.main(["--home", "/tmp/studio-x"]) == 0
    assert opened == ["/tmp/studio-x"]
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    out = capsys.readouterr().out
    for command in ("users", "google", "jobs", "logs", "doctor", "console", "demo"):
        assert f"    {command}" in out or f" {command} " in out


async def test_a_finished_runs_panel_says_when_and_clears_once_stale(make_app) -> None:
    from datetime import timedelta

    from studiosync.tui.widgets.sync_progress import SyncProgress

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        panel = app.screen.query_one(SyncProgress)
        now, tz = app.backend.now(), app.backend.tz()
        panel.start()
        panel.finish("2 user(s): 1 error, 1 ok", ok=False, at=now, tz=tz)
        await pilot.pause()
        assert "Finished 10:00 with errors: 2 user(s)" in screen_text(app)
        panel.clear_if_older(now + timedelta(minutes=4), 300)
        await pilot.pause()
        assert panel.display and "Finished 10:00" in screen_text(app)
        panel.clear_if_older(now + timedelta(minutes=5), 300)
        await pilot.pause()
        assert "Finished 10:00" not in screen_text(app)
        assert "Updated 10:00:00" in screen_text(app)  # the table's numbers carry their time
