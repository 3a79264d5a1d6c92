"""Playing the person at the browser during a Google sign-in against the emulator (which consents at once)."""

from __future__ import annotations

import urllib.error
import urllib.request


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def consent_redirect(url: str, timeout: float = 10.0) -> str:
    """Open the authorization URL up to Google's 302 without following it: the address a user would
    paste back over SSH (http://localhost:PORT/?state=...&code=...)."""
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(url, timeout=timeout).close()
    except urllib.error.HTTPError as exc:
        if exc.code == 302:
            return exc.headers["Location"]
        raise
    raise AssertionError(f"no redirect from {url}")


def browse(url: str, timeout: float = 10.0) -> tuple[int, str, str]:
    """Open the authorization URL and follow the redirect to the loopback listener, as a browser would.

    Returns (status, final URL, body) of the listener's page.
    """
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status, resp.geturl(), resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.geturl(), exc.read().decode("utf-8", "replace")
