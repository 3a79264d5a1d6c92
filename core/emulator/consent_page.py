"""The HTML of the emulator's sign-in pages: the account chooser + consent form, and the error page.

Plain HTML forms, no JavaScript: a browser on any machine, a text browser or `curl` can complete them. The
form posts back to the authorization address itself (same query string), so a script that has the address
needs only `curl -d account=EMAIL -d decision=allow URL`. Everything shown is escaped: account names,
client ids and scopes come from outside. Rendering only: never reads or changes the emulator's state.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from .wire import Response

# What Google's consent screen says for each scope (other scopes are shown as they are).
SCOPE_WORDS = {
    "https://www.googleapis.com/auth/calendar": (
        "See, edit, share, and permanently delete all the calendars you can access using Google Calendar"
    ),
    "https://www.googleapis.com/auth/calendar.readonly": (
        "See and download any calendar you can access using your Google Calendar"
    ),
    "https://www.googleapis.com/auth/calendar.events": "View and edit events on all your calendars",
    "https://www.googleapis.com/auth/calendar.events.readonly": "View events on all your calendars",
    "https://www.googleapis.com/auth/contacts": "See, edit, download, and permanently delete your contacts",
    "https://www.googleapis.com/auth/contacts.readonly": "See and download your contacts",
    "openid": "Associate you with your personal info on Google",
    "email": "See your primary Google Account email address",
    "profile": "See your personal info, including any personal info you've made publicly available",
}
OTHER = "other"  # the chooser's "Use another account" choice

_STYLE = (
    "body{font-family:sans-serif;max-width:40em;margin:2em auto;padding:0 1em;color:#202124}"
    "fieldset{border:1px solid #dadce0;border-radius:8px;margin:1em 0;padding:.5em 1em}"
    "label{display:block;margin:.4em 0}.err{color:#d93025;font-weight:bold}"
    ".buttons{display:flex;flex-direction:row-reverse;justify-content:flex-start;gap:1em}"
    "button{font-size:1em;padding:.4em 1.5em}small{color:#5f6368}"
)


@dataclass(frozen=True)
class ChooserAccount:
    """An account the sign-in page's chooser offers: its address and display name."""

    email: str
    name: str


def scope_words(scope: str) -> str:
    return SCOPE_WORDS.get(scope, scope)


def consent_page(
    *,
    action: str,
    client_id: str,
    accounts: Sequence[ChooserAccount],
    chosen: str | None,
    other_email: str,
    scopes: Sequence[str],
    ticked: Sequence[str] | None = None,
    problem: str | None = None,
    status: int = 200,
) -> Response:
    """The account chooser and consent form. `chosen`: the preselected account (login_hint), or OTHER."""
    e = html.escape
    ticked = list(scopes) if ticked is None else list(ticked)
    rows = []
    for account in accounts:
        checked = " checked" if account.email == chosen else ""
        rows.append(
            f'<label><input type="radio" name="account" value="{e(account.email)}"{checked}> '
            f"{e(account.name)} &lt;{e(account.email)}&gt;</label>"
        )
    other_checked = " checked" if chosen == OTHER or not accounts else ""
    rows.append(
        f'<label><input type="radio" name="account" value="{OTHER}"{other_checked}> Use another account: '
        f'<input type="email" name="email" value="{e(other_email)}" placeholder="name@example.com" '
        'autocomplete="email"></label>'
    )
    grants = "".join(
        f'<label><input type="checkbox" name="grant" value="{e(s)}"{" checked" if s in ticked else ""}> '
        f"{e(scope_words(s))}<br><small>{e(s)}</small></label>"
        for s in scopes
    )
    error = f'<p class="err" role="alert">{e(problem)}</p>' if problem else ""
    body = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Sign in - Google Accounts (emulator)</title><style>{_STYLE}</style></head><body>"
        "<h1>Sign in with Google</h1>"
        f"<p><b>{e(client_id)}</b> wants to access your Google Account.</p>{error}"
        f'<form method="post" action="{e(action)}">'
        "<fieldset><legend>Choose an account</legend>" + "".join(rows) + "</fieldset>"
        '<fieldset><legend>This app will be able to:</legend><input type="hidden" name="scopes_shown" value="1">'
        f"{grants}</fieldset>"
        "<p><small>Make sure you trust this app: you may be sharing sensitive info with it. This is the "
        "studiosync Google emulator; no password is asked, and an address it does not know becomes a new "
        "account.</small></p>"
        # Allow comes first in the form (Enter in the email field submits it); CSS shows Cancel on its left.
        '<div class="buttons"><button type="submit" name="decision" value="allow">Allow</button>'
        '<button type="submit" name="decision" value="cancel">Cancel</button></div>'
        "</form></body></html>"
    ).encode()
    return Response(status, body, _html_headers())


def error_page(title: str, detail: str, status: int = 400) -> Response:
    """Google's 'Access blocked' page: shown instead of redirecting when the redirect cannot be trusted."""
    body = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Error</title>'
        f"<style>{_STYLE}</style></head><body>"
        f"<h1>Access blocked: {html.escape(title)}</h1><p>{html.escape(detail)}</p></body></html>"
    ).encode()
    return Response(status, body, _html_headers())


def _html_headers() -> dict[str, str]:
    return {
        "Content-Type": "text/html; charset=utf-8",
        "Cache-Control": "no-store",
        "X-Frame-Options": "DENY",  # like Google: the consent page is never framed
    }
