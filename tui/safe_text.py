"""Untrusted text on the console's screen: Rich's Text with core.text's escaping built in.

Event titles, contact and calendar names, server answers and log messages reach almost every widget.
Rich's `Text` already keeps them from being read as markup ("[bold]" shows as typed), but it passes ESC,
C1 controls, bidi overrides and U+2028 straight to the terminal. This `Text` escapes them (line breaks
and tabs stay: multi-line panels use them) the moment a string goes in -- through the constructor,
`append` or `assemble` -- so a screen cannot forget. Every tui module takes `Text` from here, never from
rich.text (tests/test_architecture.py). For one-line places (a table cell, a log line) use `line()`,
which escapes line breaks too. `plain_choices()` does the same for Select options, which Textual would
otherwise parse as markup (a calendar named "[/]" would crash the screen).

This module never changes what is stored or sent: only what is drawn.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from rich.highlighter import Highlighter
from rich.text import Text as RichText
from studiosync.core.text import escape_line, escape_text, is_unsafe

V = TypeVar("V")
MARK = "\N{REPLACEMENT CHARACTER}"


class Text(RichText):
    """rich.text.Text whose strings are escaped (core.text.escape_text) on the way in."""

    __slots__ = ()

    def __init__(self, text: str = "", *args: Any, **kwargs: Any) -> None:
        super().__init__(escape_text(text) if text else text, *args, **kwargs)

    def append(self, text: str | RichText, style: Any = None) -> Text:  # type: ignore[override]
        if isinstance(text, str) and not isinstance(text, RichText):
            text = escape_text(text)
        super().append(text, style)
        return self

    # Copies stay escaping Text, so a later append to one is escaped too.
    def copy(self) -> Text:
        return _ours(super().copy())

    def blank_copy(self, plain: str = "") -> Text:
        return _ours(super().blank_copy(escape_text(plain)))

    def __add__(self, other: Any) -> Text:
        result = self.copy()
        if isinstance(other, str | RichText):
            result.append(other)
            return result
        return NotImplemented


def _ours(text: RichText) -> Text:
    text.__class__ = Text  # same slots and state: only the methods change
    return text  # type: ignore[return-value]


def line(text: object, style: str = "") -> Text:
    """One line of untrusted text: every unsafe character escaped, line breaks included."""
    return Text(escape_line(text), style=style)


def plain_choices(options: Iterable[tuple[str, V]]) -> list[tuple[Text, V]]:
    """Select options whose labels are shown as typed: never markup, never a control character."""
    return [(line(label), value) for label, value in options]


class ControlMarker(Highlighter):
    """For an Input showing a stored value: each unsafe character is drawn as U+FFFD, one for one, so the
    cursor still lines up; the value itself is untouched (the form's validation names the character)."""

    def __call__(self, text: str | RichText) -> RichText:
        plain = text.plain if isinstance(text, RichText) else text
        if not any(is_unsafe(c) for c in plain):
            return text if isinstance(text, RichText) else RichText(text)
        marked = "".join(MARK if is_unsafe(c) else c for c in plain)
        out = text.copy() if isinstance(text, RichText) else RichText(plain)
        out.plain = marked
        return out

    def highlight(self, text: RichText) -> None:  # the abstract hook: __call__ does the work
        pass
