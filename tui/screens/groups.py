"""Client groups (Maintenance > Client > Client Groups): where contacts synced from Google land."""

from __future__ import annotations

from studiosync.tui.rows import GroupRow
from studiosync.tui.safe_text import Text
from studiosync.tui.screens.confirm import ConfirmScreen
from studiosync.tui.screens.name_prompt import NamePrompt
from studiosync.tui.screens.view import View
from studiosync.tui.widgets.table import Column, FitTable
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Static


def delete_refusal(row: GroupRow) -> str | None:
    """Why the group cannot be deleted (the same rules core enforces), or None."""
    name = row.group.name
    if row.used_by:
        return (
            f"{name} is used by the Google tab of {', '.join(row.used_by)}: choose another group there first."
        )
    if row.clients:
        return f"{name} still has {row.clients} client(s)."
    return None


class GroupsView(View):
    SECTION = "groups"
    TITLE = "Client groups"
    HELP = """\
## Client groups (Maintenance > Client > Client Groups)

A user who syncs Google contacts must choose an existing Client Group on their Google tab: contacts
brought in from Google become clients in that group. Create a group here (or with *New group* on the
Google tab). A group cannot be deleted while a user's Google tab uses it or while it still has clients:
the reason is shown.
"""
    BINDINGS = [
        Binding("a", "add", "Add", id="groups.add"),
        Binding("n", "rename", "Rename", id="groups.rename"),
        Binding("d", "delete", "Delete", id="groups.delete"),
        Binding("r", "reload", "Reload", id="groups.reload", show=False),
    ]

    class Loaded(Message):
        def __init__(self, rows: list[GroupRow]) -> None:
            super().__init__()
            self.rows = rows

    class Changed(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    rows: list[GroupRow] = []

    def compose(self) -> ComposeResult:
        yield FitTable(
            [
                Column("group", "Group", 1, min_width=12),
                Column("clients", "Clients", 3, min_width=7),
                Column("used", "Used by (Google tab)", 2, min_width=12, flex=True),
            ],
            id="groups-table",
            zebra_stripes=True,
        )
        yield Static(Text("a add · n rename · d delete", style="dim"), id="groups-hint")

    def focus_first(self) -> None:
        self.call_after_refresh(self.query_one("#groups-table", DataTable).focus)

    def reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="groups-load")
    def _load(self) -> None:
        self.post_message(self.Loaded(self.backend.group_rows()))

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        self.rows = event.rows
        self.query_one("#groups-table", FitTable).show_rows(
            [
                (
                    row.group.id,
                    {
                        "group": Text(row.group.name),
                        "clients": Text(str(row.clients)),
                        "used": Text(", ".join(row.used_by) or "—"),
                    },
                )
                for row in event.rows
            ]
        )
        if not event.rows:
            self.query_one("#groups-hint", Static).update(
                Text("No client groups yet: press a to add one.", style="dim")
            )
        self.loaded()

    def _selected(self) -> GroupRow | None:
        key = self.query_one("#groups-table", FitTable).cursor_key()
        return next((r for r in self.rows if r.group.id == key), None)

    def action_reload(self) -> None:
        self.reload()

    def action_add(self) -> None:
        taken = {r.group.name for r in self.rows}

        def named(name: str | None) -> None:
            if name:
                self._changed_by_dialog(f"Added client group {name}.")

        self.app.push_screen(
            NamePrompt(
                "New client group", "Name of the new client group:", taken=taken, save=self.backend.add_group
            ),
            named,
        )

    @on(DataTable.RowSelected, "#groups-table")
    def action_rename(self) -> None:
        row = self._selected()
        if row is None:
            return
        taken = {r.group.name for r in self.rows}

        def named(name: str | None) -> None:
            if name and name != row.group.name:
                self._changed_by_dialog(f"Renamed to {name}.")

        self.app.push_screen(
            NamePrompt(
                "Rename client group",
                f"New name for {row.group.name}:",
                row.group.name,
                taken=taken,
                save=lambda name: self.backend.rename_group(row.group.id, name),
            ),
            named,
        )

    def _changed_by_dialog(self, text: str) -> None:
        self.app.notify(text)
        self.reload()

    def action_delete(self) -> None:
        row = self._selected()
        if row is None:
            return
        # Refused before asking: a "Delete?" dialog that then fails would only waste a keystroke and scare.
        refusal = delete_refusal(row)
        if refusal:
            self.app.notify(refusal, title="Cannot delete", severity="error", timeout=8)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._delete(row.group.id, row.group.name)

        self.app.push_screen(
            ConfirmScreen(f"Delete client group {row.group.name}?", "The group is removed.", yes="Delete"),
            answered,
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="groups-change")
    def _delete(self, group_id: str, name: str) -> None:
        self.backend.remove_group(group_id)  # InputError while a Google tab uses it: shown as one line
        self.post_message(self.Changed(f"Deleted client group {name}."))

    @on(Changed)
    def _changed(self, event: Changed) -> None:
        self.app.notify(event.text)
        self.reload()
