"""The doctor's view of Google sign-in through the browser console (`studiosync web`).

A "web" OAuth client only works with redirect URIs registered at Google, so signing in with one needs
the console's public URL and `<public URL>/oauth2callback` among the client's redirect URIs. A Desktop
("installed") client needs neither: the browser console then uses the paste box. Reads stored settings
only; never calls Google.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from studiosync.core.google.oauth import ClientConfig
    from studiosync.core.studio.studio import Studio

CALLBACK_PATH = "/oauth2callback"  # the route `studiosync web` serves (tui.web.context.CALLBACK_PATH)


def callback_url(public_url: str) -> str:
    return public_url.rstrip("/") + CALLBACK_PATH


def web_client_problem(studio: Studio, config: ClientConfig) -> tuple[str, str] | None:
    """(detail, fix) when a "web" client cannot complete a sign-in; None when it can."""
    public = studio.prefs.get().web.public_url
    registered = _redirect_uris(config)
    if not public:
        return (
            f"OAuth client {config.client_id[:24]} is a 'web' client: Google sends sign-ins only to its "
            "registered redirect URIs, and no public URL of the browser console is set.",
            "Serve the console with `studiosync web --public-url https://HOST` (behind TLS) and register "
            "https://HOST/oauth2callback as a redirect URI, or load a Desktop app client instead",
        )
    wanted = callback_url(public)
    if wanted not in registered:
        listed = ", ".join(registered) if registered else "none"
        return (
            f"OAuth client {config.client_id[:24]} ('web') does not list {wanted} among its redirect URIs "
            f"(registered: {listed}): Google would refuse the sign-in with redirect_uri_mismatch.",
            f"Google Cloud console > APIs & Services > Credentials > this client: add {wanted} to Authorized "
            "redirect URIs, download the JSON again and load it (studiosync prefs google --client-secrets FILE)",
        )
    parts = urlsplit(wanted)
    if parts.scheme != "https" and (parts.hostname or "") not in ("localhost", "127.0.0.1", "::1"):
        return (
            f"The browser console's public URL {public} is not https: Google accepts plain http redirect "
            "URIs only for localhost, and passwords would cross the network unencrypted.",
            "Put `studiosync web` behind a TLS reverse proxy (README) and set "
            "`studiosync prefs web --public-url https://HOST`",
        )
    return None


def _redirect_uris(config: ClientConfig) -> list[str]:
    section = config.raw.get(config.kind) or {}
    uris = section.get("redirect_uris") if isinstance(section, dict) else None
    return [u.rstrip("/") if u.endswith(CALLBACK_PATH + "/") else u for u in uris or [] if isinstance(u, str)]
