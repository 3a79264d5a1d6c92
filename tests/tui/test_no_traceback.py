"""Issue 13 point 1: no traceback ever reaches a person -- not on screen, not in the log pane.

Every dialog and form is driven with the bad inputs the issue lists (and a failing backend); after each
step the screen and the log pane must hold no traceback, and every failure is one line.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from studiosync.core.errors import InputError
from studiosync.tui.backend import Backend
from studiosync.tui.screens.appointment_edit import AppointmentEditScreen
from studiosync.tui.screens.job_edit import JobEditScreen
from studiosync.tui.screens.name_prompt import NamePrompt
from studiosync.tui.screens.user_edit import UserEditScreen
from studiosync.tui.widgets.field import Field
from studiosync.tui.widgets.log_detail import describe_record
from studiosync.tui.widgets.log_pane import render_record

from tests.tui.screen_text import notices, screen_text, settle

TRACE_WORDS = ("Traceback", 'File "', "most recent call last")


def assert_clean(app) -> None:  # type: ignore[no-untyped-def]
    text = screen_text(app)
    for word in TRACE_WORDS:
        assert word not in text, text
    for message in notices(app):
        assert "\n" not in message and "Traceback" not in message, message


async def typed(pilot, field: Field, value: str) -> None:  # type: ignore[no-untyped-def]
    field.value = value
    await pilot.pause()


async def test_new_group_that_exists_stays_in_the_dialog_with_the_name(make_app, monkeypatch) -> None:
    """Google tab -> ctrl+n -> a name core refuses: the dialog stays, the name stays, one line says why."""

    def refuse(self: Backend, name: str) -> None:
        raise InputError(f"a client group named {name!r} already exists")

    monkeypatch.setattr(Backend, "add_group", refuse)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_google_tab("ann")
        await settle(pilot, rounds=3)
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert isinstance(app.screen, NamePrompt)
        await typed(pilot, app.screen.query_one("#name", Field), "Portraits")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, NamePrompt)  # still open
        assert app.screen.query_one("#name", Field).value == "Portraits"  # nothing typed is lost
        assert "already exists" in screen_text(app)
        assert_clean(app)
        # The names the tab knows are refused as you type, before anything is sent.
        await typed(pilot, app.screen.query_one("#name", Field), "weddings")
        assert "that name is already used" in screen_text(app)


async def test_every_dialog_with_bad_input_says_why_without_a_traceback(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        # Appointment: End `garbage`, then `2026-12-20 25:00`, then before the start.
        app.open_appointments("ann")
        await settle(pilot, rounds=3)
        await pilot.press("e")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, AppointmentEditScreen)
        end = dialog.query_one("#ap-end", Field)
        for bad in ("garbage", "2026-12-20 25:00"):
            await typed(pilot, end, bad)
            # The field's own reason, in core's words (the same line the CLI prints).
            assert f"end '{bad}' is not an ISO 8601 date or time" in screen_text(app), bad
            assert end.has_class("-invalid")
        await typed(pilot, dialog.query_one("#ap-start", Field), "2026-12-20 10:00")
        await typed(pilot, end, "2026-12-20 09:00")
        assert "end" in str(dialog.query_one("#ap-end-why").render()).lower()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert any(n.startswith("Cannot save yet — End:") for n in notices(app)), notices(app)
        assert_clean(app)
        await pilot.press("escape")  # unsaved edits: asks first
        await pilot.pause()
        await pilot.press("ctrl+d")  # discard
        await settle(pilot)
        # User: a bad login and two different passwords.
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, UserEditScreen)
        await typed(pilot, app.screen.query_one("#user-login", Field), "1 bad")
        await typed(pilot, app.screen.query_one("#user-password", Field), "one")
        await typed(pilot, app.screen.query_one("#user-password2", Field), "two")
        text = screen_text(app)
        assert "starts with a letter" in text and "the two passwords differ" in text
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert_clean(app)
        await pilot.press("escape", "ctrl+d")
        await settle(pilot)
        # Job: a schedule that is not one.
        await pilot.press("f8")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, JobEditScreen)
        await typed(pilot, app.screen.query_one("#job-schedule", Field), "every blue moon")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert any("Schedule:" in n for n in notices(app))
        assert_clean(app)


async def test_company_prefs_test_to_says_why_and_ctrl_t_explains(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f7")
        await settle(pilot, rounds=3)
        to = app.screen.query_one("#p-test-to", Field)
        await typed(pilot, to, "bad@")
        assert "an email address" in str(app.screen.query_one("#p-test-to-why").render())
        to.focus()
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert any("Test to: 'bad@' is not an email address" in n for n in notices(app)), notices(app)
        assert_clean(app)


async def test_a_bug_in_a_dialog_worker_is_one_line_and_no_traceback_in_the_log_pane(
    make_app, monkeypatch, tui_studio
) -> None:
    def boom(self: Backend, *args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire\nTraceback (most recent call last): ...")

    monkeypatch.setattr(Backend, "add_user", boom)
    from studiosync.core import logs

    logs.configure(tui_studio.datadir.logs, process="console")  # INFO: the default level
    try:
        app = make_app()
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            await pilot.press("f3")
            await settle(pilot)
            await pilot.press("a")
            await settle(pilot)
            await typed(pilot, app.screen.query_one("#user-login", Field), "newbie")
            await typed(pilot, app.screen.query_one("#user-name", Field), "New Bie")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, UserEditScreen)  # stays open with what was typed
            assert "internal error (RuntimeError: disk on fire)" in screen_text(app)
            assert_clean(app)
        records = logs.read_logs(tui_studio.datadir.logs)
        mine = [r for r in records if "disk on fire" in r.message]
        assert mine and all(r.level != "DEBUG" for r in mine)
        for record in records:  # what the log pane would draw, line and details panel
            shown = (
                render_record(record, app.backend.tz()).plain
                + describe_record(record, app.backend.tz()).plain
            )
            assert "Traceback" not in shown
    finally:
        logs.shutdown()


def test_a_bug_shows_a_crash_id_and_its_stack_goes_only_to_the_crash_file(tmp_path: Path) -> None:
    from studiosync.core import logs
    from studiosync.tui.failures import log_failure

    logs.configure(tmp_path, process="console")
    try:
        try:
            raise ValueError("broken")
        except ValueError as exc:
            line = log_failure(exc, "test")
    finally:
        logs.shutdown()
    match = re.fullmatch(
        r"internal error \(ValueError: broken\) — please report it \(crash id ([0-9a-f]{8})\)", line
    )
    assert match, line
    records = [r for r in logs.read_logs(tmp_path) if r.fields.get("crash_id") == match[1]]
    assert len(records) == 1 and records[0].level == "ERROR", records
    assert "Traceback" not in records[0].message and "Traceback" not in json.dumps(records[0].fields)
    crash = logs.crash_file(tmp_path, match[1])
    assert crash is not None and "Traceback (most recent call last)" in crash.read_text()
