"""The per-user checks of the user and their Google account: the user is staff, sync is enabled, an
account is authenticated (its token refreshes now), no one else syncs it, a writable calendar is selected,
and what Populate will do; `per_user_checks` lists every per-user check in checklist order.

Each check is a plain decision over the facts gathered once (core.doctor.user_facts). Must never read the
store or call Google itself.
"""

from __future__ import annotations

from studiosync.core.doctor import user_options as uo
from studiosync.core.doctor.checks import make
from studiosync.core.doctor.report import Check
from studiosync.core.doctor.user_facts import SET, TAB, UserFacts, gather
from studiosync.core.explain import AUTHENTICATE_FIX, PICK_CALENDAR_FIX, explain_cause, explain_exception

__all__ = ["UserFacts", "gather", "per_user_checks"]


# -- the checks, in checklist order --------------------------------------------------------------------
def user_is_staff(f: UserFacts) -> Check:
    if f.user is None:
        return make(
            "user_is_staff",
            "fail",
            f"There is no user '{f.login}'.",
            "Maintenance > General > Users: add the user (CLI: studiosync users add LOGIN --name NAME); "
            "see who exists: studiosync users list",
            login=f.login,
        )
    if not f.user.can_sync:
        return make(
            "user_is_staff",
            "fail",
            f"'{f.login}' ({f.user.name}) is a resource; resources such as locations or rooms can NOT sync with Google.",
            "Set up Google sync for a staff user instead (see studiosync users list); resources stay in the "
            "studio only.",
        )
    return make(
        "user_is_staff", "pass", f"'{f.login}' ({f.user.name}) is a staff user and can sync with Google."
    )


def sync_enabled(f: UserFacts) -> Check:
    if f.prefs.enabled:
        since = f" (since {f.prefs.enabled_at[:10]})" if f.prefs.enabled_at else ""
        return make("sync_enabled", "pass", f"Enable Google Sync is checked{since}.")
    return make(
        "sync_enabled",
        "fail",
        "Enable Google Sync is not checked: the Google Sync Processor skips this user.",
        f"{TAB}: check Enable Google Sync (CLI: {SET} --enable)",
        login=f.login,
    )


def account_authenticated(f: UserFacts) -> Check:
    name = "account_authenticated"
    if f.token_error is not None:
        found = explain_exception(f.token_error).for_login(f.login)
        return make(
            name, "fail", f"The stored Google authorization cannot be read: {found.message}", found.fix
        )
    if f.token is None:
        return make(
            name,
            "fail",
            "No Google account is authenticated (the button says Authenticate My Google Account).",
            AUTHENTICATE_FIX,
            login=f.login,
        )
    who = f.account or "a Google account"
    if not f.live:
        return make(
            name, "pass", f"Authenticated as {who} (not tested live; run: studiosync doctor {f.login})."
        )
    if f.auth_problem is not None:
        p = f.auth_problem
        if p.transient:
            return make(
                name,
                "warn",
                f"Authenticated as {who}, but the authorization could not be tested: {p.message}",
                p.fix,
            )
        return make(
            name, "fail", f"Authenticated as {who}, but the authorization does not work: {p.message}", p.fix
        )
    return make(
        name, "pass", f"Authenticated as {who}; the authorization works (a token was refreshed just now)."
    )


def account_unique(f: UserFacts) -> Check:
    email = f.account
    if not email:
        return make(
            "account_unique", "pass", "No Google account is linked yet, so none is shared with another user."
        )
    shared = sorted(p.login for p in f.others if p.account_email and p.account_email.lower() == email.lower())
    if shared:
        who = ", ".join(shared)
        return make(
            "account_unique",
            "fail",
            f"Google account {email} is also linked to {who}; each user must sync to a different Google account.",
            f"On the Google tab of {shared[0]} (or LOGIN) click Remove My Google Account and authenticate that "
            f"user's own account (CLI: studiosync google remove {shared[0]}, then studiosync google auth {shared[0]}).",
            login=f.login,
        )
    return make("account_unique", "pass", f"Google account {email} is linked to {f.login} only.")


def calendar_selected(f: UserFacts) -> Check:
    name = "calendar_selected"
    if not f.prefs.calendar_id:
        return make(name, "fail", "No Google calendar is selected.", PICK_CALENDAR_FIX, login=f.login)
    label = f.calendar_label
    if not f.live:
        return make(
            name, "pass", f"Calendar {label} is selected (not tested live; run: studiosync doctor {f.login})."
        )
    if f.calendar_problem is not None:
        p = f.calendar_problem
        return make(
            name,
            "warn" if p.transient else "fail",
            f"Calendar {label} could not be checked: {p.message}",
            p.fix,
        )
    if f.calendars is None:
        return make(
            name,
            "warn",
            f"Calendar {label} is selected but cannot be checked until the Google authorization works.",
            "Fix 'Google account authenticated' first, then run the doctor again.",
        )
    cal = f.calendar
    if cal is None:
        gone = explain_cause("calendar_gone")
        return make(
            name,
            "fail",
            f"Calendar {label} is not among {f.account or 'the account'}'s calendars: {gone.message}",
            PICK_CALENDAR_FIX,
            login=f.login,
        )
    if not cal.writable:
        ro = explain_cause("calendar_read_only")
        return make(
            name, "fail", f"Calendar '{cal.summary}' is read-only ({cal.access_role}): {ro.message}", ro.fix
        )
    return make(name, "pass", f"Calendar '{cal.summary}' exists and is writable ({cal.access_role}).")


def populate(f: UserFacts) -> Check:
    p = f.prefs
    name = "populate"
    if p.populate_studio and not p.two_way:
        return make(
            name,
            "warn",
            "Populate (Google -> studio) is checked but waits for the two-way sync, so it never runs.",
            f"{TAB}: check Send New, Modified, and Deleted Google Appointments (CLI: {SET} --two-way), "
            f"or uncheck Populate (CLI: {SET} --no-populate-studio)",
            login=f.login,
        )
    plans = []
    if p.populate_google:
        plans.append(f"send the {f.unlinked} studio appointment(s) not yet in Google to Google")
    if p.populate_studio:
        plans.append("bring the existing events of the Google calendar into the studio")
    if plans:
        return make(
            name,
            "warn",
            f"Populate is pending: the next sync will {' and '.join(plans)}; the boxes uncheck themselves when done.",
            "Nothing to do if that is wanted; otherwise uncheck Populate on the Google tab "
            f"(CLI: {SET} --no-populate-google --no-populate-studio)",
            login=f.login,
        )
    older = (
        f" {f.older} studio appointment(s) from before sync was enabled are not in Google." if f.older else ""
    )
    return make(
        name,
        "pass",
        f"Populate is unchecked: only appointments changed since sync was enabled go over.{older}",
        f"To copy older appointments once: {TAB}: check Populate (CLI: {SET} --populate-google --populate-studio)",
        login=f.login,
    )


def per_user_checks(f: UserFacts, groups: dict[str, str]) -> list[Check]:
    """All per-user checks except the studio-wide ones interleaved by the caller."""
    first = user_is_staff(f)
    if first.failed:
        return [first]  # nothing else about a missing user or a resource means anything
    return [
        first,
        sync_enabled(f),
        account_authenticated(f),
        account_unique(f),
        calendar_selected(f),
        populate(f),
        uo.two_way(f),
        uo.tentative(f),
        uo.contacts_group(f, groups),
        uo.warn_email(f),
        uo.detailed_logs(f),
        uo.mobile(f),
        uo.last_run(f),
        uo.held_deletions(f),
    ]
