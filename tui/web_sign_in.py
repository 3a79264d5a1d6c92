"""Google sign-in from a browser session: what the sign-in dialog says and does differently there.

The dialog (tui/screens/google_auth.py) opens Google's page in a new browser tab (Textual's open_url
reaches the browser through textual-serve) and shows one line saying how the sign-in comes back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from studiosync.core.google.signin import AuthorizationSession


def comes_back_by_itself(session: AuthorizationSession) -> bool:
    """Google redirects to `studiosync web`'s callback (public URL + "web" client), not to localhost."""
    return not session.redirect_uri.startswith("http://localhost:")


def step_two(session: AuthorizationSession) -> str:
    if comes_back_by_itself(session):
        return (
            "2. Google's page opened in a new tab. Sign in and allow access there: that tab then says "
            '"sign-in received" and this dialog finishes by itself.'
        )
    return (
        "2. Google's page opened in a new tab. After you allow access, that tab shows an address starting "
        f"http://localhost:{session.port}/ (it says it cannot connect): copy the whole address from its "
        "address bar and paste it here:"
    )
