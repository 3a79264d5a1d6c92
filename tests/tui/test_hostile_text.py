"""Hostile text on the console: what the terminal is sent holds no raw control character, and markup-like
text shows literally -- in the appointments table, the user picker, the edit form, the log pane, a toast.

`screen_text` renders the compositor's output as a terminal would receive it, so an ESC that reached it
would be in it; colours are off, so the only escape sequences are ones a widget let through.
"""

from __future__ import annotations

import ast
from pathlib import Path

from studiosync.core.text import first_unsafe
from textual.widgets import DataTable

from tests.tui.conftest import log_line
from tests.tui.screen_text import screen_text, settle, wait_until

HOSTILE = "\x1b]0;owned\x07\x1b[2J|\x9b|\u2028|\u202e|[bold]b[/bold] [/]"
TUI = Path(__file__).resolve().parents[2] / "tui"


def _clean(text: str) -> bool:
    return first_unsafe(text.replace("\n", "")) is None


def _plant(studio) -> str:  # noqa: ANN001 - a Studio
    """An appointment, a user name and a log line as a Google pull or an older version could store them."""
    (appt, *_) = studio.appointments.list("ann")
    appt.title = HOSTILE
    studio.appointments.save_many("ann", [appt])
    from studiosync.core.store import layout

    with studio.store.transaction(layout.STUDIO) as tx:
        users = tx.table(layout.STUDIO, "users")
        users.put("cara", {**dict(users.get(doc_id="cara")), "name": "Cara " + HOSTILE})
    with (Path(studio.datadir.logs) / "studiosync.log").open("a") as fh:
        fh.write(log_line(-1, "ERROR", "pulled " + HOSTILE, user="ann", title=HOSTILE) + "\n")
    return appt.id


async def test_appointments_users_and_edit_form(make_app, tui_studio) -> None:
    appt_id = _plant(tui_studio)
    app = make_app()
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        app.open_appointments("ann")
        await settle(pilot, rounds=3)
        text = screen_text(app)
        assert _clean(text), repr(text)
        assert "\\x1b]0;owned\\x07\\x1b[2J|\\x9b|\\u2028|\\u202e|[bold]b[/bold] [/]" in text  # markup literal
        table = app.screen.query_one("#a-table", DataTable)
        table.move_cursor(row=table.get_row_index(appt_id))
        await pilot.press("e")  # the edit form shows the stored title, its controls marked, never sent
        await settle(pilot)
        text = screen_text(app)
        assert _clean(text) and "[bold]b[/bold]" in text
        await pilot.press("escape")
        await settle(pilot)
        app.open_section("users")
        await settle(pilot, rounds=3)
        text = screen_text(app)
        assert _clean(text) and "Cara \\x1b]0;owned" in text


async def test_log_pane_and_toasts(make_app, tui_studio) -> None:
    _plant(tui_studio)
    app = make_app()
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        from studiosync.tui.widgets.log_pane import LogPane

        pane = app.screen.query_one(LogPane)
        await wait_until(pilot, lambda: any("pulled" in r.message for r in pane.records))
        await pilot.pause()
        text = screen_text(app)
        assert _clean(text) and "pulled \\x1b]0;owned" in text
        line = next(row for row in text.splitlines() if "pulled \\x1b" in row)
        assert "\\u2028" in line  # one record, one line
        app.notify("saved " + HOSTILE, title="T\x1b[2J")  # what every screen's toasts go through
        await settle(pilot)
        (toast,) = [n for n in app._notifications if n.message.startswith("saved")]  # noqa: SLF001
        assert _clean(toast.message) and _clean(toast.title) and toast.markup is False
        assert toast.message == "saved \\x1b]0;owned\\x07\\x1b[2J|\\x9b|\\u2028|\\u202e|[bold]b[/bold] [/]"


async def test_appointment_form_dst_gap_and_overlap(make_app) -> None:
    """The console's form refuses with core's words and says which of two equal wall times it took."""
    from studiosync.tui.screens.appointment_edit import AppointmentEditScreen
    from studiosync.tui.widgets.field import Field
    from studiosync.tui.widgets.note import Note

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.open_appointments("ann")
        await settle(pilot, rounds=3)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AppointmentEditScreen)
        form = app.screen
        form.query_one("#ap-title", Field).value = "Shoot"
        form.query_one("#ap-start", Field).value = "2027-03-28 01:30"  # London jumps 01:00 -> 02:00
        form.query_one("#ap-end", Field).value = "2027-03-28 03:00"
        await settle(pilot)
        why = str(form.query_one("#ap-start-why", Note).render())
        assert form.query_one("#save").disabled
        assert "does not exist in Europe/London" in why and "use 2027-03-28 00:30 or 2027-03-28 02:30" in why
        form.query_one("#ap-start", Field).value = "2027-10-31 01:30"  # happens twice
        form.query_one("#ap-end", Field).value = "2027-10-31 03:00"
        await settle(pilot)
        why = str(form.query_one("#ap-start-why", Note).render())
        assert not form.query_one("#save").disabled
        assert "happens twice in Europe/London" in why and "took the first, 2027-10-31T01:30+01:00" in why


def test_every_console_module_takes_text_from_safe_text() -> None:
    """rich.text.Text passes ESC through: the console uses tui.safe_text.Text, which escapes."""
    offenders = []
    for path in TUI.rglob("*.py"):
        if path.name == "safe_text.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "rich.text":
                offenders.append(str(path.relative_to(TUI)))
    assert offenders == []
