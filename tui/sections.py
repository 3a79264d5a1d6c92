"""The console's sections and every section's palette commands, as plain data.

The sidebar order, each section's F-key, who may see it, the module that holds its view and the "area:
action" commands the palette offers for it. No Textual and no screen imports here: the main screen imports
a section's module only when the section is first shown (a quick first paint), and the palette offers
every section's commands from anywhere without loading a single view.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Command:
    """A palette entry named "area: action" (posting's convention); runs the view's `action_<action>`."""

    name: str
    action: str
    help: str


@dataclass(frozen=True)
class Section:
    """One section of the console: its sidebar title and F-key, whether only admins see it, where its view
    lives, and its palette commands."""

    id: str
    title: str
    key: str
    admin_only: bool
    module: str  # under studiosync.tui.screens
    view: str  # the View class in that module
    commands: tuple[Command, ...] = ()

    def load(self) -> type[Any]:
        """The section's View class (its module is imported the first time this is asked)."""
        module = importlib.import_module(f"studiosync.tui.screens.{self.module}")
        return getattr(module, self.view)


def _c(name: str, action: str, help: str) -> Command:
    return Command(name, action, help)


# The order is the sidebar's; keys never change with the role.
SECTIONS: tuple[Section, ...] = (
    Section(
        "dashboard",
        "Dashboard",
        "f2",
        True,
        "dashboard",
        "DashboardView",
        (
            _c("sync: run now", "sync", "sync every enabled user now, with progress"),
            _c("sync: stop", "stop_sync", "stop the running sync after the current user"),
            _c(
                "sync: apply held deletions",
                "apply_held",
                "the selected user's deletions held back by the mass-deletion guard: apply them",
            ),
            _c(
                "sync: undo held deletions",
                "undo_held",
                "the selected user's held deletions: re-create / bring back what was deleted",
            ),
        ),
    ),
    Section(
        "users",
        "Users",
        "f3",
        True,
        "users",
        "UsersView",
        (
            _c("users: add", "add", "add a user or resource"),
            _c("users: edit", "edit", "edit the highlighted user"),
            _c("users: remove", "remove", "remove the highlighted user"),
            _c("users: google tab", "google", "open the highlighted user's Google tab"),
            _c("users: filter", "filter", "type to filter the list"),
        ),
    ),
    Section(
        "google",
        "Google tab",
        "f4",
        False,
        "google_tab",
        "GoogleView",
        (
            _c("google: save", "save", "save this Google tab"),
            _c("google: authenticate / remove account", "auth", "the account button"),
            _c("google: reload calendars", "calendars", "read the calendar list from Google"),
            _c("google: new client group", "new_group", "create a group for Google contacts"),
        ),
    ),
    Section(
        "appointments",
        "Appointments",
        "f5",
        False,
        "appointments",
        "AppointmentsView",
        (
            _c("appointments: add", "add", "add an appointment for this user"),
            _c("appointments: edit", "edit", "edit the highlighted appointment"),
            _c("appointments: delete", "delete", "delete the highlighted appointment"),
            _c("appointments: trace", "trace", "why isn't this in Google?"),
        ),
    ),
    Section(
        "groups",
        "Client groups",
        "f6",
        True,
        "groups",
        "GroupsView",
        (
            _c("groups: add", "add", "add a client group"),
            _c("groups: rename", "rename", "rename the highlighted group"),
            _c("groups: delete", "delete", "delete the highlighted group"),
        ),
    ),
    Section(
        "prefs",
        "Company prefs",
        "f7",
        True,
        "company_prefs",
        "CompanyPrefsView",
        (
            _c("prefs: send test email", "test_email", "send a test email and show the answer"),
            _c("prefs: save", "save", "save every changed part of the company preferences"),
        ),
    ),
    Section(
        "control",
        "Control Center",
        "f8",
        True,
        "control_center",
        "ControlCenterView",
        (
            _c("jobs: run now", "run_now", "run the highlighted job now"),
            _c("jobs: edit", "edit", "schedule, computer, enabled"),
            _c("jobs: enable / disable", "toggle", "turn the highlighted job on or off"),
            _c("jobs: history", "history", "runs with per-user results"),
        ),
    ),
    Section(
        "logs",
        "Logs",
        "f9",
        False,
        "logs",
        "LogsView",
        (
            _c("logs: pause / resume", "pause", "stop or restart following"),
            _c("logs: search", "search", "search the log lines"),
            _c("logs: clear filters", "clear_filters", "show every line again"),
        ),
    ),
    Section(
        "doctor",
        "Doctor",
        "f10",
        True,
        "doctor",
        "DoctorView",
        (_c("doctor: run checks", "run", "run the troubleshooting checklist"),),
    ),
)

BY_ID = {s.id: s for s in SECTIONS}


def visible(admin: bool) -> list[Section]:
    """The sections a viewer may open: everything for an admin, the personal ones otherwise."""
    return [s for s in SECTIONS if admin or not s.admin_only]
