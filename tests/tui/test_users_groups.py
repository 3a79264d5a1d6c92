"""Users (filter, add, edit, remove) and client groups (add, rename, refused delete)."""

from __future__ import annotations

from studiosync.tui.screens.confirm import ConfirmScreen
from studiosync.tui.screens.name_prompt import NamePrompt
from studiosync.tui.screens.user_edit import UserEditScreen
from studiosync.tui.widgets.field import Field
from textual.widgets import DataTable

from tests.tui.screen_text import notices, screen_text, settle


async def test_users_list_shows_google_status_and_filters_as_you_type(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        text = screen_text(app)
        for expected in ("ann", "enabled", "failing", "not set up", "cannot sync", "5 min ago"):
            assert expected in text
        await pilot.press("slash", *"room")
        await pilot.pause()
        table = app.screen.query_one("#users-table", DataTable)
        assert table.row_count == 1
        assert "1 of 5 users" in screen_text(app)
        app.screen.query_one("#users-filter", Field).value = "fail"
        await pilot.pause()
        assert [str(k.value) for k in table.rows] == ["ben"]


async def test_add_edit_and_remove_a_user(make_app, tui_studio) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, UserEditScreen)
        save = app.screen.query_one("#save")
        assert save.disabled
        await pilot.press(*"Dan")  # uppercase: not a valid login
        await pilot.pause()
        assert save.disabled and "lowercase" in screen_text(app)
        app.screen.query_one("#user-login", Field).value = "dan"
        app.screen.query_one("#user-name", Field).value = "Dan Brown"
        app.screen.query_one("#user-password", Field).value = "password1"
        app.screen.query_one("#user-password2", Field).value = "password2"
        app.screen.query_one("#user-password2", Field).focus()  # typed there: the body scrolls to its note
        await pilot.pause()
        assert save.disabled and "the two passwords differ" in screen_text(app)
        app.screen.query_one("#user-password2", Field).value = "password1"
        await pilot.pause()
        assert not save.disabled
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert tui_studio.users.check_password("dan", "password1")
        table = app.screen.query_one("#users-table", DataTable)
        table.move_cursor(row=table.get_row_index("dan"))
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#user-name", Field).value = "Daniel Brown"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert tui_studio.users.get("dan").name == "Daniel Brown"
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert tui_studio.users.find("dan") is None
        assert "Removed dan." in notices(app)


async def test_groups_add_rename_and_delete_refused_while_used(make_app, tui_studio) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f6")
        await settle(pilot)
        assert "Google contacts" in screen_text(app) and "ann" in screen_text(app)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, NamePrompt)
        app.screen.query_one("#name", Field).value = "wedding"
        app.screen.query_one("#name", Field).cursor_position = len(app.screen.query_one("#name", Field).value)
        await pilot.press("s")  # taken (case-insensitive): OK stays disabled
        await pilot.pause()
        assert app.screen.query_one("#ok").disabled
        app.screen.query_one("#name", Field).value = "Portraits"
        await pilot.press("enter")
        await settle(pilot)
        assert tui_studio.groups.find("Portraits") is not None
        table = app.screen.query_one("#groups-table", DataTable)
        table.move_cursor(row=table.get_row_index(tui_studio.groups.get("Portraits").id))
        await pilot.press("n")
        await pilot.pause()
        app.screen.query_one("#name", Field).value = "Family portraits"
        await pilot.press("enter")
        await settle(pilot)
        assert tui_studio.groups.find("Family portraits") is not None
        # The group Ann's Google tab uses cannot go: refused at once, naming her, without a "Delete?" first.
        table.move_cursor(row=table.get_row_index(tui_studio.groups.get("Google contacts").id))
        await pilot.press("d")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        assert tui_studio.groups.find("Google contacts") is not None
        assert any("used by the Google tab of ann" in n for n in notices(app))
        # A group nobody uses is deleted after the usual confirmation.
        table.move_cursor(row=table.get_row_index(tui_studio.groups.get("Family portraits").id))
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert tui_studio.groups.find("Family portraits") is None


async def test_user_dialog_keeps_save_on_screen_at_80x24(make_app) -> None:
    """The form scrolls inside the dialog; Save and Cancel are docked below it, always visible."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("a")
        await pilot.pause()
        await pilot.press(*"Dan")  # invalid login: a validation note makes the form taller still
        app.screen.query_one("#user-password", Field).value = "password1"
        await pilot.pause()
        screen_region = app.screen.region
        for button in ("#save", "#cancel"):
            region = app.screen.query_one(button).region
            assert region.height > 0 and screen_region.contains_region(region), button
        assert "Save" in screen_text(app) and "Cancel" in screen_text(app)
        # The last field is reachable: focusing it scrolls the body, the buttons stay put.
        app.screen.query_one("#user-password2", Field).focus()
        await pilot.pause()
        assert screen_region.contains_region(app.screen.query_one("#user-password2").region)
        assert screen_region.contains_region(app.screen.query_one("#save").region)
