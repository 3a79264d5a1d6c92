"""The per-user checks of the Google tab's options and the user's runs: two-way, Download Tentative,
contacts' client group, the warning email, the detailed log email, what phones show, the last run, and
deletions held by the mass-deletion guard.

Each check is a plain decision over the facts gathered once (core.doctor.user_facts). Must never read the
store or call Google itself.
"""

from __future__ import annotations

from studiosync.core.doctor.checks import ago, make
from studiosync.core.doctor.report import Check
from studiosync.core.doctor.user_facts import SET, TAB, UserFacts
from studiosync.core.errors import StudioSyncError
from studiosync.core.explain import explain_cause


def two_way(f: UserFacts) -> Check:
    if f.prefs.two_way:
        return make(
            "two_way",
            "pass",
            "Two-way: new, modified and deleted Google appointments also come into the studio.",
            f"For studio -> Google only: {TAB}: uncheck Send New, Modified, and Deleted Google Appointments "
            f"(CLI: {SET} --no-two-way)",
            login=f.login,
        )
    return make(
        "two_way",
        "pass",
        "One-way: studio appointments go to Google, but appointments added or changed in Google are not brought back.",
        f"For a two-way sync: {TAB}: check Send New, Modified, and Deleted Google Appointments (CLI: {SET} --two-way)",
        login=f.login,
    )


def tentative(f: UserFacts) -> Check:
    if f.prefs.tentative:
        note = "" if f.prefs.two_way else " (takes effect only with the two-way sync)"
        return make(
            "tentative", "pass", f"Tentative, non-confirmed Google appointments are downloaded too{note}."
        )
    who = f.account or "the synced Google account"
    return make(
        "tentative",
        "pass",
        "Tentative (not yet accepted) Google appointments are not downloaded. Hint: check it if the phone is an "
        f"Android or HTC, or if {who} is not the primary Google account on the phone.",
        f"{TAB}: check Download Tentative, Non-Confirmed Appointments (CLI: {SET} --tentative)",
        login=f.login,
    )


def contacts_group(f: UserFacts, groups: dict[str, str]) -> Check:
    """`groups` = id -> name of the existing client groups."""
    name = "contacts_group"
    fix = (
        f"{TAB} > Client Group: pick an existing group (new one: Maintenance > Client > Client Groups, CLI: "
        f"studiosync groups add NAME; then {SET} --client-group NAME)"
    )
    p = f.prefs
    if not p.contacts:
        return make(
            name,
            "pass",
            "Google contacts are not synced (optional).",
            f"To import them: {TAB}: check Send New and Modified Google Contacts and pick a Client Group "
            f"(CLI: {SET} --contacts --client-group NAME)",
            login=f.login,
        )
    if not p.client_group:
        return make(name, "fail", "Contacts sync is on but no client group is selected.", fix, login=f.login)
    if p.client_group not in groups:
        return make(
            name,
            "fail",
            "Contacts sync is on but the selected client group no longer exists.",
            fix,
            login=f.login,
        )
    return make(name, "pass", f"Google contacts come into client group '{groups[p.client_group]}'.")


def warn_email(f: UserFacts) -> Check:
    from studiosync.core.mail import validate_email_address

    name = "warn_email"
    fix = (
        f"{TAB}: check Email Warnings and Errors to Me and enter an address (CLI: {SET} --warn-email ADDR)"
    )
    address = f.prefs.warn_email
    if not address:
        return make(
            name,
            "fail",
            "Email Warnings and Errors to Me is off (required: nobody would hear about sync failures).",
            fix,
            login=f.login,
        )
    try:
        validate_email_address(address)
    except StudioSyncError as exc:
        return make(name, "fail", f"The warning address is not valid: {exc.message}", fix, login=f.login)
    return make(name, "pass", f"Warnings and errors are emailed to {address}.")


def detailed_logs(f: UserFacts) -> Check:
    name = "detailed_logs"
    if not f.prefs.detailed_logs:
        return make(
            name,
            "pass",
            "Detailed sync logs are not emailed (optional; they help during the first days of syncing).",
            f"{TAB}: check Email Detailed Sync Logs to Me (CLI: {SET} --detailed-logs)",
            login=f.login,
        )
    if not f.prefs.warn_email:
        return make(
            name,
            "warn",
            "Email Detailed Sync Logs to Me is checked, but there is no address to send them to.",
            f"{TAB}: enter the address under Email Warnings and Errors to Me (CLI: {SET} --warn-email ADDR)",
            login=f.login,
        )
    return make(
        name,
        "pass",
        f"Detailed sync logs are emailed to {f.prefs.warn_email}; after a few days of good syncs they can be turned off.",
        f"{TAB}: uncheck Email Detailed Sync Logs to Me (CLI: {SET} --no-detailed-logs)",
        login=f.login,
    )


def mobile(f: UserFacts) -> Check:
    """Phones show an account's primary calendar by default; a secondary one must be switched on there.

    Live, the calendar listing the doctor already fetched says which is primary; otherwise (the studio-wide
    verdicts, or a failed listing) Google's rule stands in: the primary calendar's id is the account's
    address."""
    name = "mobile"
    who = f.account or "the Google account"
    add = (
        f"On the phone add {who} (Android: Settings > Accounts > Add account > Google; iPhone: Settings > "
        "Calendar > Accounts > Add Account > Google) with Calendar sync on"
    )
    calendar_id = f.prefs.calendar_id
    if not calendar_id:
        return make(name, "pass", "No calendar is selected yet (see Google calendar above).", add)
    cal = f.calendar
    if cal is not None:
        primary, summary = cal.primary, cal.summary
    else:
        primary = calendar_id == "primary" or bool(f.account and calendar_id.lower() == f.account.lower())
        summary = f.prefs.calendar_summary or calendar_id
    if primary:
        return make(
            name,
            "pass",
            f"Calendar '{summary}' is the primary calendar of {who}, which phones show by default: add the "
            "account on the phone with Calendar sync on.",
            add + "; the studio's appointments then show in the phone's calendar app.",
        )
    return make(
        name,
        "warn",
        f"Calendar '{summary}' is not the primary calendar of {who}: phones show only the primary calendar by default, so "
        "these appointments stay hidden on the phone until this calendar is switched on there.",
        f"Android: Google Calendar app > Settings > {who} > '{summary}' > Sync on; iPhone: Settings > Calendar > "
        f"Accounts > {who}: Calendars on, and tick '{summary}' at calendar.google.com/calendar/syncselect "
        f"(or sync to the primary calendar: {SET} --calendar ID)",
        login=f.login,
    )


def last_run(f: UserFacts) -> Check:
    name = "last_run"
    h = f.health
    if h is None:
        return make(name, "pass", "No sync history.")
    if h.status == "failing":
        explained = h.last_error_cause or "unknown"
        runs = f"{h.consecutive_failures} run(s) in a row" if h.consecutive_failures > 1 else "the last run"
        when = f" ({ago(h.attempt_age_s)})" if h.attempt_age_s is not None else ""
        return make(
            name,
            "fail",
            f"Sync failed in {runs}{when}: {h.last_error or explain_cause(explained).message}",
            h.last_error_fix or explain_cause(explained).fix,
            login=f.login,
        )
    if h.last_sync is None:
        if not f.prefs.enabled:
            return make(name, "pass", "No sync has run for this user (Google sync is off).")
        return make(
            name,
            "warn",
            "Google sync is enabled but no sync has run for this user yet.",
            "Utilities > Control Center: make sure the Google Sync Processor job is enabled and its computer is "
            "on (see the sync_job check); or sync now: studiosync sync LOGIN",
            login=f.login,
        )
    counts = f"; last run: {h.last_run_summary}" if h.last_run_summary else ""
    warnings = (
        f"; {len(h.last_run_warnings)} warning(s): {h.last_run_warnings[0]}" if h.last_run_warnings else ""
    )
    status = "warn" if h.last_run_warnings else "pass"
    return make(name, status, f"Last successful sync {ago(h.lag_s)}{counts}{warnings}.")


def held_deletions(f: UserFacts) -> Check:
    """The mass-deletion guard's hold: both sides are kept as they were until someone decides."""
    name = "held_deletions"
    held = f.health.held if f.health else None
    if not held:
        return make(name, "pass", "No deletions are held back.")
    return make(name, "fail", f"{held['message']} (held since {held['since']}).", held["fix"], login=f.login)
