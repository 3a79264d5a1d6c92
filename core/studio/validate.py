"""The input rules every service applies before it writes anything (so the CLI and the console share them).

Each check returns the value to store or raises a one-line InputError that says what is wrong and, where
it helps, what to type instead. Nothing here writes, logs or reads the store.

- single-line fields (titles, names, logins, SMTP settings, calendar ids...) refuse every character
  core.text calls unsafe (newline, CR, TAB, ESC, U+2028, bidi overrides...), and are capped in length;
- multi-line notes keep their line breaks and tabs, lose NUL (stored "as given, minus NUL") and are
  capped at 64 KiB of UTF-8; text that cannot be stored at all (lone surrogates) is refused;
- a host is a DNS name or an IP address; a password never travels in clear to another computer unless the
  admin says so (allow_plaintext);
- (small files we are given are read by core.inputfile, which never blocks or reads forever).
"""

from __future__ import annotations

import ipaddress
import re

from studiosync.core.errors import InputError
from studiosync.core.text import escape_char, escape_line, first_unsafe, strip_nul

NAME_MAX = 200  # people, clients, groups
TITLE_MAX = 500  # appointment titles (Google allows long summaries; 500 is already a paragraph)
LINE_MAX = 254  # other single-line settings: addresses, user names, calendar ids
NOTES_MAX_BYTES = 64 * 1024

_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")


def describe_char(char: str) -> str:
    """ESC (U+001B) style: what a person can look for in what they typed."""
    import unicodedata

    names = {"\n": "a line break", "\r": "a carriage return (CR)", "\t": "a tab", "\x1b": "ESC"}
    name = names.get(char) or unicodedata.name(char, "") or "a control character"
    return f"{name} ({escape_char(char)})" if char in names else f"{name} (U+{ord(char):04X})"


def single_line(value: object, what: str, *, max_len: int = LINE_MAX, required: bool = True) -> str:
    """A one-line text field: stripped, no unsafe characters, at most `max_len` characters."""
    if not isinstance(value, str):
        raise InputError(f"{what} must be text")
    bad = first_unsafe(value)
    if bad is not None:
        raise InputError(f"{what} contains {describe_char(bad)}; it must be one line of plain text")
    value = value.strip()
    if required and not value:
        raise InputError(f"{what} is empty")
    if len(value) > max_len:
        raise InputError(f"{what} is {len(value)} characters long; at most {max_len} are allowed")
    return value


def name(value: object, what: str = "the name") -> str:
    return single_line(value, what, max_len=NAME_MAX)


def notes(value: object, what: str = "the notes") -> str:
    """Multi-line free text: stored as given minus NUL; at most 64 KiB; must be encodable."""
    if not isinstance(value, str):
        raise InputError(f"{what} must be text")
    value = strip_nul(value)
    try:
        size = len(value.encode("utf-8"))
    except UnicodeEncodeError:
        raise InputError(f"{what} contain bytes that are not valid UTF-8 text") from None
    if size > NOTES_MAX_BYTES:
        raise InputError(f"{what} are {size:,} bytes long; at most {NOTES_MAX_BYTES:,} (64 KiB) are allowed")
    return value


# -- hosts ----------------------------------------------------------------------------------------------
def host(value: object, what: str = "SMTP host") -> str:
    """A DNS host name (letters, digits, '-', dots) or an IPv4/IPv6 address (IPv6 with or without [])."""
    text = single_line(value, f"the {what}", max_len=253)
    bare = text[1:-1] if text.startswith("[") and text.endswith("]") else text
    try:
        ipaddress.ip_address(bare)
        return bare
    except ValueError:
        pass
    labels = text.rstrip(".").split(".")
    if all(_LABEL.fullmatch(label) for label in labels) and not labels[-1].isdigit():
        return text
    raise InputError(
        f"invalid {what} {escape_line(text)!r}: not a host name or IP address (e.g. smtp.example.com)"
    )


def is_loopback(host_name: str) -> bool:
    """This computer: localhost, 127.0.0.0/8 or ::1 (a relay reached without crossing a network)."""
    bare = host_name.strip().strip("[]").rstrip(".").lower()
    if bare == "localhost" or bare.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(bare).is_loopback
    except ValueError:
        return False


def plaintext_password(security: str, host_name: str, has_password: bool, allow_plaintext: bool) -> None:
    """Refuse to send a password in clear to another computer unless the admin explicitly allows it."""
    if security == "none" and has_password and not allow_plaintext and not is_loopback(host_name):
        raise InputError(
            f"security none would send the SMTP password in clear text to {host_name}",
            fix="use --security starttls (port 587) or ssl (port 465); for a trusted relay on your own "
            "network add --allow-plaintext",
        )


# -- command lines --------------------------------------------------------------------------------------
