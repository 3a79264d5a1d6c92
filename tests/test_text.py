"""core.text: which characters are unsafe, and how they are shown (tables of inputs and outputs)."""

from __future__ import annotations

import json
import unicodedata

import pytest
from studiosync.core.text import (
    escape_json_text,
    escape_line,
    escape_text,
    first_unsafe,
    is_unsafe,
    strip_nul,
)

HOSTILE = "\x1b]0;owned\x07\x1b[2J"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (HOSTILE, "\\x1b]0;owned\\x07\\x1b[2J"),
        ("a\x9bb", "a\\x9bb"),  # C1 CSI: an 8-bit terminal's ESC [
        ("a\u2028b\u2029c", "a\\u2028b\\u2029c"),
        ("abc\u202edef", "abc\\u202edef"),  # right-to-left override
        ("\u2066x\u2069", "\\u2066x\\u2069"),  # isolates
        ("a\nb\r\tc\x7f", "a\\nb\\r\\tc\\x7f"),
        ("\ufeffBOM", "\\ufeffBOM"),
        ("zero\u200bwidth", "zero\\u200bwidth"),
        ("tag\U000e0041", "tag\\U000e0041"),
        ("caf\udce9", "caf\\udce9"),  # an undecodable byte, as Python hands it over
        # Ordinary text is left alone, markup-looking text included: escaping is not markup's business.
        (
            "Müller [bold]x[/bold] 東京 مرحبا 👨\u200d👩\u200d👧",
            "Müller [bold]x[/bold] 東京 مرحبا 👨\u200d👩\u200d👧",
        ),
        ("ZWNJ: می\u200cخواهم", "ZWNJ: می\u200cخواهم"),
    ],
)
def test_escape_line(text: str, shown: str) -> None:
    assert escape_line(text) == shown
    assert first_unsafe(shown) is None  # what is shown is itself safe


def test_escape_text_keeps_line_breaks_and_tabs_only() -> None:
    assert (
        escape_text("one\r\ntwo\n\tthree\x1b[31m\rfour\u2028") == "one\ntwo\n\tthree\\x1b[31m\\rfour\\u2028"
    )


def test_every_control_format_and_separator_character_is_unsafe() -> None:
    """The fast pre-filter must never let an unsafe character through: check the whole code space."""
    missed = []
    for code in range(0x110000):
        char = chr(code)
        category = unicodedata.category(char)
        expected = category in ("Cc", "Cf", "Cs", "Zl", "Zp") and char not in "\u200c\u200d"
        assert is_unsafe(char) == expected, hex(code)
        if expected and escape_line(f"a{char}b") == f"a{char}b":
            missed.append(hex(code))
    assert missed == []


def test_json_text_stays_the_same_value_and_becomes_safe() -> None:
    doc = {"title": HOSTILE + "\x9b\u2028\u202e\U000e0041\udcff", "ok": "Müller\n"}
    raw = json.dumps(doc, ensure_ascii=False, indent=2)
    safe = escape_json_text(raw)
    assert first_unsafe(safe.replace("\n", " ")) is None
    assert json.loads(safe) == doc
    assert "Müller" in safe  # readable text is not \\u-escaped


def test_strip_nul_is_the_only_change_to_stored_text() -> None:
    assert strip_nul("a\x00b\x1b") == "ab\x1b"
    assert strip_nul("plain") == "plain"


def test_no_printable_character_is_unsafe() -> None:
    """The escaping fast path returns printable text untouched: that is only right if str.isprintable is
    False for every character is_unsafe flags (checked over all of Unicode)."""
    import sys

    from studiosync.core.text import is_unsafe

    assert [c for c in map(chr, range(sys.maxunicode + 1)) if c.isprintable() and is_unsafe(c)] == []
