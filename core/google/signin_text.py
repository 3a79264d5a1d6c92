"""What a Google sign-in says to people: one line each, the cause first, then what to do.

Messages for addresses that cannot be a sign-in's redirect, for Google's refusals, for scopes left unticked.
Pure text: never touches the network, the session or the store.
"""

from __future__ import annotations

import urllib.parse

from studiosync.core.errors import OperationError, StudioSyncError

AGAIN = "open the link again, choose the account and click Allow"
SCOPE_WORDS = {"calendar": "Calendar", "contacts": "Contacts"}


class SignInRefused(OperationError):
    """Google (or the person, with Cancel) refused the sign-in: the redirect carries `error=`."""


def not_a_redirect(url: str, state: str) -> str | None:
    """Why `url` cannot be this sign-in's redirect address (None: it can)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return (
            "that is not the redirect URL: paste the whole address from the browser's address bar "
            "(http://localhost:PORT/?state=…&code=…)"
        )
    query = urllib.parse.parse_qs(parts.query)
    if "code" not in query and "error" not in query:
        return (
            "that URL has no code=... parameter: paste the address of the page Google redirected to, "
            "not the sign-in link"
        )
    if query.get("state", [""])[0] != state:
        return (
            "that URL belongs to another sign-in attempt (state does not match): open the link shown "
            "here and paste the address you land on"
        )
    return None


def refusal(error: str, description: str) -> SignInRefused:
    detail = f"{error}: {description}" if description else error
    if error == "access_denied":
        return SignInRefused(
            f"Google sign-in was refused ({detail}: Cancel was clicked, or the account may not grant access)",
            fix=AGAIN,
        )
    return SignInRefused(
        f"Google refused the sign-in ({detail})",
        fix=f"{AGAIN}; if it recurs, check the OAuth client in Google Cloud console (APIs & Services > Credentials)",
    )


def scope_name(scope: str) -> str:
    tail = scope.rsplit("/", 1)[-1]
    return SCOPE_WORDS.get(tail.split(".")[0], tail)


def one_line(exc: StudioSyncError) -> str:
    text = " ".join((exc.message or exc.__class__.__name__).split())
    return f"{text} — {' '.join(exc.fix.split())}" if exc.fix else text
