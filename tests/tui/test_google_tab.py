"""The Google tab: filled from the store, validated as you type, saved through GoogleAccounts, and the
account button (authenticate / remove) in both states."""

from __future__ import annotations

import pytest
from studiosync.tui.screens.confirm import ConfirmScreen
from studiosync.tui.screens.google_tab import AUTHENTICATE, REMOVE, GoogleView
from studiosync.tui.widgets.field import Field
from textual.widgets import Button, Checkbox, Select

from tests.tui.conftest import ANN
from tests.tui.screen_text import screen_text, settle, type_into


@pytest.fixture(autouse=True)
def _no_revoke_over_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    import studiosync.core.google.oauth

    monkeypatch.setattr(studiosync.core.google.oauth, "revoke", lambda token, client, **kw: None)


async def open_tab(app, pilot, login: str) -> GoogleView:
    await settle(pilot)
    app.open_google_tab(login)
    await settle(pilot, rounds=3)
    return app.screen.query_one(GoogleView)


async def test_tab_shows_the_stored_settings_and_only_writable_calendars(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_tab(app, pilot, "ann")
        assert view.query_one("#g-enabled", Checkbox).value is True
        assert str(view.query_one("#g-auth", Button).label) == REMOVE
        assert "Authenticated as ann@example.com" in screen_text(app)
        calendar = view.query_one("#g-calendar", Select)
        assert calendar.value == ANN
        labels = [str(label) for label, _ in calendar._options]  # noqa: SLF001
        assert any("Studio bookings" in label for label in labels)
        assert not any("UK holidays" in label for label in labels)  # read-only: never offered
        assert view.query_one("#g-warn-email", Field).value == ANN
        assert view.query_one("#g-save", Button).disabled is False


async def test_validation_as_you_type_keeps_save_disabled_until_valid(make_app, tui_studio) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_tab(app, pilot, "ann")
        save = view.query_one("#g-save", Button)
        email = view.query_one("#g-warn-email", Field)
        await type_into(pilot, email, "ann@ex", "a")
        await pilot.pause()
        assert save.disabled
        assert "is not an email address" in screen_text(app)
        await type_into(pilot, email, "ann@example.or", "g")
        await pilot.pause()
        assert not save.disabled
        # Email Warnings and Errors to Me is required while sync is enabled.
        view.query_one("#g-warn", Checkbox).value = False
        await pilot.pause()
        assert save.disabled
        view.query_one("#g-warn", Checkbox).value = True
        # Contacts need an existing client group.
        view.query_one("#g-group", Select).clear()
        await pilot.pause()
        assert save.disabled
        assert "needs an existing Client Group" in " ".join(
            str(n.render()) for n in view.query("#g-group-why")
        )
        view.query_one("#g-contacts", Checkbox).value = False
        await pilot.pause()
        assert not save.disabled
        await pilot.press("ctrl+s")
        await settle(pilot)
        prefs = tui_studio.users.google_prefs("ann")
        assert prefs.warn_email == "ann@example.org"
        assert prefs.contacts is False
        assert prefs.calendar_id == ANN  # unchanged calendar is not re-sent


async def test_new_group_shortcut_creates_and_selects_the_group(make_app, tui_studio) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_tab(app, pilot, "ann")
        view.query_one("#g-warn-email", Field).focus()
        await pilot.press("ctrl+n")
        await pilot.pause()
        app.screen.query_one("#name", Field).value = "Phone contact"
        app.screen.query_one("#name", Field).cursor_position = len(app.screen.query_one("#name", Field).value)
        await pilot.press("s", "enter")
        await settle(pilot, rounds=3)
        group = tui_studio.groups.find("Phone contacts")
        assert group is not None
        assert view.query_one("#g-group", Select).value == group.id
        assert view.query_one("#g-contacts", Checkbox).value is True


async def test_remove_my_google_account_asks_first_with_cancel_focused(make_app, tui_studio) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_tab(app, pilot, "ann")
        view.query_one("#g-auth", Button).press()
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert app.focused.id == "no"
        await pilot.press("enter")  # Enter on the focused safe button: nothing happens
        await settle(pilot)
        assert tui_studio.google.is_authenticated("ann")
        view.query_one("#g-auth", Button).press()
        await pilot.pause()
        await pilot.click("#yes")
        await settle(pilot, rounds=3)
        assert not tui_studio.google.is_authenticated("ann")
        assert tui_studio.users.google_prefs("ann").account_email is None
        assert str(view.query_one("#g-auth", Button).label) == AUTHENTICATE
        assert "Not authenticated" in screen_text(app)
        # Sync still checked but no account: the tab explains why it cannot be saved like that.
        assert view.query_one("#g-save", Button).disabled


async def test_resources_cannot_sync(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_section("users")
        await settle(pilot)
        table = app.screen.query_one("#users-table")
        table.move_cursor(row=table.get_row_index("studio-a"))
        await pilot.press("g")
        await settle(pilot)
        assert app.screen.current == "users"  # stayed: a room has no Google tab
        assert "cannot sync" in screen_text(app)


async def test_new_group_keeps_what_was_typed_on_the_tab(make_app, tui_studio) -> None:
    """Creating a group refreshes only the group picker: an unsaved calendar and boxes stay as set."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_tab(app, pilot, "ann")
        calendar = view.query_one("#g-calendar", Select)
        calendar.value = "bookings@group.calendar.google.com"
        view.query_one("#g-tentative", Checkbox).value = False  # stored: True
        view.query_one("#g-detailed", Checkbox).value = False  # stored: True
        await pilot.pause()
        await pilot.press("ctrl+n")
        await pilot.pause()
        app.screen.query_one("#name", Field).value = "Phone contacts"
        await pilot.press("enter")
        await settle(pilot, rounds=3)
        group = tui_studio.groups.find("Phone contacts")
        assert group is not None and view.query_one("#g-group", Select).value == group.id
        assert calendar.value == "bookings@group.calendar.google.com"
        assert view.query_one("#g-tentative", Checkbox).value is False
        assert view.query_one("#g-detailed", Checkbox).value is False
        # A fresh calendar list from Google (ctrl+r) keeps the unsaved pick too.
        await pilot.press("ctrl+r")
        await settle(pilot, rounds=3)
        assert calendar.value == "bookings@group.calendar.google.com"
        prefs = tui_studio.users.google_prefs("ann")
        assert prefs.tentative and prefs.calendar_id == ANN  # nothing saved behind the person's back


async def test_a_focused_checkbox_keeps_its_one_line_label(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_tab(app, pilot, "ann")
        box = view.query_one("#g-enabled", Checkbox)
        box.focus()
        await pilot.pause()
        assert app.focused is box
        assert box.region.height == 1  # no two-row focus border pushing the form down
        assert "Enable Google Sync" in screen_text(app)
        assert box.styles.border_top[0] in ("", "none")
