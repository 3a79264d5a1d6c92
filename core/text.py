"""Hostile text made harmless at the output edges: one rule for what is unsafe, and how it is shown.

Text from Google (event titles, contact names, server answers) and text typed by people is STORED as
given (only NUL is dropped: no JSON, file or C library keeps it faithfully). It is only escaped where it
leaves us for something that would interpret it: a terminal (CLI tables and text, the console), an
email header or body, a human log line. There every "unsafe" character becomes a visible escape such as
``\\x1b`` or ``\\u202e``, so an event titled ``ESC ]0;owned BEL ESC [2J`` can neither retitle nor clear
an admin's terminal, a bidi override cannot reorder what follows it, and U+2028 cannot fake a new line.

Unsafe = C0 and C1 controls (incl. ESC, BEL, CR, TAB, DEL), U+2028/U+2029, lone surrogates (from
undecodable bytes), and format characters (Unicode Cf: bidi embeddings/overrides/isolates U+202A-202E
and U+2066-2069, LRM/RLM, zero-width spaces, BOM...) -- except ZWJ/ZWNJ, which real names and emoji need.
The same rule decides which characters a single-line field refuses (core.studio.validate).

This module never changes stored data and never decides what is valid; it only renders.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

# Format characters that are part of ordinary writing: joiners in Indic/Persian scripts and emoji.
_KEEP_FORMAT = frozenset({"\u200c", "\u200d"})
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}

__all__ = [
    "escape_char",
    "escape_json_text",
    "escape_line",
    "escape_text",
    "first_unsafe",
    "is_unsafe",
    "strip_nul",
]


@lru_cache(maxsize=4096)
def is_unsafe(char: str) -> bool:
    """True for a character that must never reach a terminal, header or log line as itself."""
    if char in _KEEP_FORMAT:
        return False
    import unicodedata  # start-up: only text with a candidate character gets here

    return unicodedata.category(char) in ("Cc", "Cf", "Cs", "Zl", "Zp")


def escape_char(char: str) -> str:
    """The visible stand-in: \\n \\r \\t, else \\xHH, \\uHHHH or \\UHHHHHHHH (as Python writes them)."""
    if char in _SHORT:
        return _SHORT[char]
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


# Fast path: most text is plain. The class lists what is_unsafe can ever flag (Cc, the Cf blocks,
# U+2028/9, surrogates) so only strings with a candidate go through the per-character check. Compiled on
# first use: a command whose output is all printable never pays for it (start-up).
@cache
def _candidates() -> re.Pattern[str]:
    return re.compile(
        "[\x00-\x1f\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
        "\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff"
        "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
        "\U000e0001-\U000e007f]"
    )


def first_unsafe(text: str) -> str | None:
    """The first unsafe character of `text`, or None."""
    if text.isprintable():
        return None
    for match in _candidates().finditer(text):
        if is_unsafe(match.group()):
            return match.group()
    return None


def _escape(text: str, keep: str) -> str:
    # Every unsafe character is non-printable for str.isprintable (Cc, Cf, Cs, Zl, Zp all are).
    if text.isprintable() or not _candidates().search(text):
        return text
    return _candidates().sub(
        lambda m: m.group() if m.group() in keep or not is_unsafe(m.group()) else escape_char(m.group()),
        text,
    )


def escape_line(text: object) -> str:
    """For one line of output (a table cell, a header, a log line): every unsafe character escaped,
    newlines included."""
    return _escape(text if isinstance(text, str) else str(text), "")


def escape_text(text: object) -> str:
    """For multi-line plain text (an email body, a details panel): line breaks stay (CRLF and lone CR
    become LF), every other unsafe character is escaped. Tabs stay too: they only move the cursor right."""
    value = text if isinstance(text, str) else str(text)
    if "\r" in value:
        value = value.replace("\r\n", "\n")
    return _escape(value, "\n\t")


def escape_json_text(document: str) -> str:
    """A JSON text with the unsafe characters json.dumps(ensure_ascii=False) leaves raw (C1, DEL, U+2028,
    bidi controls, lone surrogates) written as \\uXXXX escapes: the same JSON value, safe on a terminal.

    Valid only on the output of a JSON encoder: there such characters can only occur inside strings
    (the encoder escapes C0 controls itself; the newlines and tabs left are its own indentation).
    """
    return _candidates().sub(_json_escape, document)


def _json_escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in "\n\r\t" or not is_unsafe(char):
        return char
    code = ord(char)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000  # outside the BMP JSON spells a character as its UTF-16 surrogate pair
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def strip_nul(text: str) -> str:
    """What is stored: the text as given, minus NUL (which no C string, file name or terminal keeps)."""
    return text.replace("\x00", "") if "\x00" in text else text
