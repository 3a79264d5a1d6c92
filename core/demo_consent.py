"""The demo's stand-in for the person at the browser: Allow on the built-in emulator's consent page.

The demo's emulator asks, like Google, on a real consent page. Over SSH the person's browser usually cannot
reach it (it listens on the server's loopback), so the demo console offers one button that does what the
person would: open the page, keep the account it preselects (the user's demo account, from login_hint)
and click Allow; the emulator then redirects to the sign-in's loopback listener. Demo only: never pointed
at anything but the loopback emulator, never used for real Google.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

from studiosync.core.errors import InputError, OperationError

DEMO_DOMAIN = "studio-demo.test"
TIMEOUT_S = 20.0  # the loopback page waits (up to 15 s) to say how the sign-in ended


def demo_account(login: str) -> str:
    """The Google account a demo user without one signs up with on the emulator's page."""
    return f"{login}@{DEMO_DOMAIN}"


def allow_on_consent_page(url: str, account: str | None = None) -> None:
    """GET the consent page at `url`, then POST Allow (as `account`, else the preselected one).

    The POST's redirect is followed to the loopback listener, which hands the code to the sign-in; how the
    sign-in ends is the session's to report. InputError when the page is not the emulator's consent page
    or needs an account chosen.
    """
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "http" or parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise InputError("the demo consents only on the built-in emulator (a loopback http address)")
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as page:
            if "text/html" not in (page.headers.get("Content-Type") or ""):
                raise InputError("the sign-in address did not show the emulator's consent page")
            page.read()
    except urllib.error.HTTPError as exc:
        raise InputError(f"the emulator refused the sign-in address (HTTP {exc.code})") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise OperationError(f"the demo's Google emulator did not answer ({_reason(exc)})") from exc
    form = {"decision": "allow"}
    if account:
        form["account"] = account
    request = urllib.request.Request(
        url,
        data=urllib.parse.urlencode(form).encode(),
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    try:
        # urllib follows the 302 (as a GET) to http://localhost:PORT/?code=..., our own listener.
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as landed:
            landed.read()
    except urllib.error.HTTPError as exc:
        if urllib.parse.urlsplit(exc.geturl() or "").path.startswith("/o/oauth2/"):
            raise InputError(
                "the consent page needs an account chosen: open the link in a browser (or use "
                "Show link), pick or type an account, and click Allow"
            ) from exc
        # The loopback listener answered with why the sign-in failed: the dialog shows it already.
    except (urllib.error.URLError, OSError) as exc:
        raise OperationError(f"the consent page did not answer ({_reason(exc)})") from exc


def _reason(exc: BaseException) -> str:
    inner = getattr(exc, "reason", None)
    return str(inner or exc) or exc.__class__.__name__
