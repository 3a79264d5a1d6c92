"""The URLs an admin types into Company Preferences, checked: the Google API root (a proxy's or the
emulator's instead of Google's) and the browser console's public address.

Pure: each check returns the URL normalised or raises InputError with the fix; nothing here stores,
fetches or resolves anything.
"""

from __future__ import annotations

from urllib.parse import urlparse

from studiosync.core.errors import InputError

# Path segments that belong to a Google API, never to its root. The client library appends
# "calendar/v3/...", "batch/calendar/v3" and "v1/people/..." to the root itself, so a root that already
# contains one of them doubles the path (/calendar/v3/calendar/v3/...): every call then 404s, which reads
# as "the Google item no longer exists". A root never ends in a bare API version either. Any other path
# is a proxy's prefix (https://proxy.example/google/) and stays allowed.
_ANYWHERE: tuple[tuple[str, ...], ...] = (("batch", "calendar", "v3"), ("calendar", "v3"))
_AT_END: tuple[tuple[str, ...], ...] = (
    ("batch",),
    ("people", "v1"),
    ("v1", "people"),
    ("v1",),
    ("v3",),
)


def check_api_endpoint(url: str) -> str:
    """The API root, normalised to end in one "/". Refuses a URL that already names a Google service:
    a bare root (https://www.googleapis.com/, http://127.0.0.1:PORT/) or a proxy prefix is wanted."""
    url = _check_http_url(url.strip(), "API URL").rstrip("/") + "/"
    split = split_service_path(url)
    if split is not None:
        root, service = split
        google = "https://www.googleapis.com/"
        also = "" if root == google else f" or, for Google itself, {google}"
        raise InputError(
            f"API URL {url!r} contains the Google service path /{service}/, which studiosync adds itself",
            fix=f"give the API root only, such as {root}{also}",
        )
    return url


def check_public_url(url: str) -> str:
    """The browser console's public address (https://host[:port][/prefix]), without a trailing "/"."""
    text = (url or "").strip()
    parsed = urlparse(text)
    try:
        port = parsed.port
    except ValueError:
        port = 0
    if parsed.scheme not in ("http", "https") or not parsed.hostname or port == 0:
        raise InputError(
            f"public URL {text!r} is not an http(s) address",
            fix="the address people open, such as https://studio.example.com",
        )
    if parsed.query or parsed.fragment or parsed.params or "@" in parsed.netloc:
        raise InputError(
            f"public URL {text!r} must be a plain address, without ?query, #fragment or user@",
            fix="the address people open, such as https://studio.example.com",
        )
    return text.rstrip("/")


def split_service_path(url: str) -> tuple[str, str] | None:
    """(the root it should have been, the Google service path) when `url` wrongly contains one."""
    parsed = urlparse(url)
    segments = [s for s in parsed.path.split("/") if s]
    lowered = [s.lower() for s in segments]
    for i in range(len(lowered)):
        # "calendar/v3" anywhere (.../calendar/v3/users/me/...); the others only at the very end.
        for tail in (*_ANYWHERE, *_AT_END):
            if tuple(lowered[i : i + len(tail)]) != tail:
                continue
            if tail in _ANYWHERE or i + len(tail) == len(lowered):
                prefix = "".join(f"{s}/" for s in segments[:i])
                return f"{parsed.scheme}://{parsed.netloc}/{prefix}", "/".join(segments[i:])
    return None


def _check_http_url(url: str, what: str) -> str:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise InputError(f"{what} {url!r} is not an http(s) URL")
    try:
        parsed.port  # noqa: B018 - raises on a port outside 0-65535 or one that is not a number
    except ValueError:
        raise InputError(f"{what} {url!r} has an invalid port (1-65535)") from None
    if parsed.port == 0:
        raise InputError(f"{what} {url!r} has an invalid port (1-65535)")
    # A root is joined with API paths: a query, fragment or login in it would end up inside every request.
    if parsed.query or parsed.fragment or parsed.params or "@" in parsed.netloc:
        raise InputError(
            f"{what} {url!r} must be a plain root URL, without ?query, #fragment or user@",
            fix="for example http://127.0.0.1:8765/ or https://www.googleapis.com/",
        )
    return url
