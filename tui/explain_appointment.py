"""Why isn't this appointment in Google? The plain-words reasons the trace dialog lists.

A pure function of the appointment, its owner and the owner's Google tab: no I/O, no Textual.
"""

from __future__ import annotations

from studiosync.core.model.appointments import Appointment
from studiosync.core.model.users import GooglePrefs, User


def explain_appointment(appt: Appointment, user: User, prefs: GooglePrefs, *, authenticated: bool) -> list[str]:
    reasons: list[str] = []
    if not user.can_sync:
        reasons.append(f"{user.name} is a resource; resources such as rooms cannot sync with Google.")
        return reasons
    if not prefs.enabled:
        reasons.append("Enable Google Sync is not checked on this user's Google tab.")
    if not authenticated:
        reasons.append("The Google account is not authenticated (Google tab: Authenticate My Google Account).")
    if not prefs.calendar_id:
        reasons.append("No Google calendar is selected on the Google tab.")
    if appt.sync_error:
        reasons.append(f"The last attempt failed: {appt.sync_error}")
    if appt.deleted:
        reasons.append("Deleted in the studio; the deletion reaches Google on the next sync run.")
    elif appt.google_event_id and not appt.dirty:
        reasons.append("It is in Google: linked to the event id shown above and up to date.")
    elif appt.dirty and not appt.sync_error:
        when = prefs.last_sync and f" (last successful sync {prefs.last_sync[:16].replace('T', ' ')} UTC)"
        reasons.append(f"Changed in the studio; waiting for the next sync run{when or ''}.")
    older = bool(appt.created and prefs.enabled_at and appt.created < prefs.enabled_at)
    if not appt.google_event_id and older and not prefs.populate_google:
        reasons.append(
            "It is older than the day sync was enabled: check the Populate box on the Google tab "
            "to send older appointments over."
        )
    if prefs.last_error:
        reasons.append(f"The user's last sync failed: {prefs.last_error}")
    return reasons
