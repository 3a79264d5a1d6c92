"""One studio where every surface must name the same first cause: the users of issue 13 point 3.

- ann: Remove My Google Account with Enable Google Sync still checked (the account and the calendar go);
  the dashboard used to blame the calendar, the real cause is the account.
- bob: Google revoked the authorization (his last runs fail).
- cat: no calendar chosen.
- dan: everything set up, Enable Google Sync off.
- eve: syncs cleanly.
- fay: her 11 events were deleted on Google: the mass-deletion guard holds the deletions.
"""

from __future__ import annotations

from studiosync.core.sync.mapping import event_id_for

from tests.sync.helpers import SyncWorld, soon

EXPECTED: dict[str, tuple[str, str]] = {
    "ann": (
        "not_authenticated",
        "Enable Google Sync is checked, but no Google account is authenticated: nothing syncs.",
    ),
    "bob": (
        "grant_revoked",
        "Google no longer accepts this user's authorization (revoked, expired, or the password changed).",
    ),
    "cat": ("no_calendar", "No Google calendar is chosen: nothing syncs."),
    "dan": ("sync_off", "Enable Google Sync is not checked: the Google Sync Processor skips this user."),
    "fay": ("deletions_held", "Google reports 11 of 11 events deleted; nothing was deleted in the studio"),
}
WRONG_FIX = "No Google calendar is chosen"  # what the dashboard said for ann before


def build_causes(world: SyncWorld, smtp_port: int | None = None) -> SyncWorld:
    world.studio.users.add("pat", "Pat Owner", admin=True, password="secret-pw")
    if smtp_port is not None:
        world.studio.prefs.set_email(
            host="127.0.0.1", port=smtp_port, security="none", from_addr="studio@example.com"
        )
    for login in ("ann", "bob", "cat", "dan", "eve", "fay"):
        world.add_user(login, warn_email=f"{login}@example.com")
    held = [world.add_appt("fay", f"Session {i}", soon(2, hour=8 + i)) for i in range(11)]
    world.sync_ok()
    for appt in held:
        world.delete_event("fay", event_id_for(appt.id))
    world.studio.google.remove("ann")  # the console's Remove My Google Account; Enable stays checked
    world.emu.revoke_grant("bob@example.com")
    world.set_prefs("cat", calendar_id=None, calendar_summary=None)
    world.set_prefs("dan", enabled=False)
    world.sync()
    world.sync()
    return world
