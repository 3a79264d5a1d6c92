"""How the console shows what Google says about an appointment: its kind ("Out of office"), whether it
blocks time ("free"), and why it is read-only. The rules and words are core.studio.event_kinds' (the CLI
says the same); this module only turns them into table cells and dialog lines."""

from __future__ import annotations

from studiosync.core.model.appointments import Appointment
from studiosync.core.studio import event_kinds
from studiosync.core.text import escape_line
from studiosync.tui.safe_text import Text


def title_cell(appt: Appointment) -> Text:
    """The title, after the kind of Google event it is (when it is not an ordinary one)."""
    cell = Text()
    kind = event_kinds.label(appt)
    if kind:
        cell.append(f"{kind}: ", style="cyan")
    # An untitled Google event reads "(No title)", as in Google; a title is one line, escaped (core.text).
    cell.append(escape_line(appt.display_title))
    if event_kinds.read_only_reason(appt) is not None:
        cell.append(" (read-only)", style="dim")
    return cell


def status_cell(appt: Appointment) -> Text:
    """confirmed / tentative, and "free" for an event that does not block time on Google."""
    cell = Text(appt.status, style="italic yellow" if appt.status == "tentative" else "")
    if not appt.busy:
        cell.append(", free", style="dim")
    return cell


def dialog_title(appt: Appointment) -> str:
    kind = event_kinds.label(appt)
    what = "Appointment (read-only)" if event_kinds.read_only_reason(appt) else "Edit appointment"
    return f"{what} — {kind}" if kind else what


def read_only_line(appt: Appointment) -> str | None:
    """The reason, as the CLI gives it, for the editor's note; None when the appointment may change."""
    why = event_kinds.read_only_reason(appt)
    return None if why is None else f"Read-only: {why}."


def free_line(appt: Appointment) -> str | None:
    return None if appt.busy else "Shown as free on Google: it does not block this time."
