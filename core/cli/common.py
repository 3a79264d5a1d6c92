"""Shared pieces of the CLI: one-line argument errors, the lazily opened Studio, output helpers.

Must never import a service at module level: every command module imports this one, and `--help` or a
bad argument must not pay for opening a studio.

Everything the CLI prints goes through core.text: table cells and JSON documents are escaped here, and
main() wraps stdout/stderr in `EscapingStream` for the rest, so no text from Google or a person ever
reaches the terminal as a control sequence.
"""

from __future__ import annotations

import argparse
import os
import sys

from studiosync.core.errors import InputError
from studiosync.core.text import escape_json_text, escape_line, escape_text

# Start-up: `typing` is not needed to run `--help` (type checkers treat a module-level
# TYPE_CHECKING = False like typing.TYPE_CHECKING).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, NoReturn, TextIO

    from studiosync.core.studio.studio import Studio


def _columns() -> int:
    """The terminal's width as shutil.get_terminal_size() reads it: $COLUMNS, else stdout's size, else 80."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class _Formatter(argparse.HelpFormatter):
    """argparse's help formatter, sized without importing shutil (with bz2, lzma...: a few ms of start-up
    for every command, since argparse builds a formatter for each argument it adds)."""

    def __init__(
        self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width: int | None = None
    ) -> None:
        super().__init__(prog, indent_increment, max_help_position, _columns() - 2 if width is None else width)


class OneLineParser(argparse.ArgumentParser):
    """argparse prints usage plus the error; scripts want exactly one line and exit code 2."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        # argparse quotes the offending words: escape_line keeps a newline in one of them from
        # breaking the one line.
        print(f"{self.prog}: error: {escape_line(message)}", file=sys.stderr)
        sys.exit(2)


class CliContext:
    def __init__(self, home: str | None) -> None:
        self.home = home
        self._studio: Studio | None = None

    @property
    def studio(self) -> Studio:
        if self._studio is None:
            from studiosync.core.studio.studio import Studio  # not for --help or a bad argument

            self._studio = Studio.open(self.home)
        return self._studio

    def problems(self) -> list[Any]:
        """Corrupt records the command's listings skipped (empty when it never opened the studio)."""
        return list(self._studio.store.problems) if self._studio is not None else []

    def close(self) -> None:
        self._studio = None


def json_line(doc: Any, **options: Any) -> str:
    """One JSON document as text, with the characters a terminal would act on written as \\u escapes."""
    import json  # start-up: only commands that print JSON pay for it

    return escape_json_text(json.dumps(doc, ensure_ascii=False, default=str, **options))


def print_json(doc: Any) -> None:
    sys.stdout.write(json_line(doc, indent=2))
    sys.stdout.write("\n")


def print_table(rows: list[list[str]], headers: list[str]) -> None:
    if not rows:
        print("(none)")
        return
    rows = [[escape_line(cell) for cell in row] for row in rows]  # a newline in a title must not fake a row
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


class EscapingStream:
    """stdout/stderr for the CLI's human output: every write is escaped (core.text.escape_text), so a
    title, name or server answer printed anywhere can only show its control characters, never send them.
    Line breaks and tabs pass: they are the output's own layout (fields print with escape_line)."""

    def __init__(self, inner: TextIO) -> None:
        self._inner = inner

    def write(self, text: str) -> int:
        self._inner.write(escape_text(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class escaped_output:  # noqa: N801 - used like a function: `with escaped_output():`
    """Route sys.stdout and sys.stderr through EscapingStream for the duration of one command (a plain
    class, not contextlib: the CLI's start-up stays free of imports it does not need)."""

    def __enter__(self) -> None:
        self._saved = sys.stdout, sys.stderr
        out, err = self._saved
        sys.stdout = EscapingStream(out) if out is not None else None  # type: ignore[assignment]
        sys.stderr = EscapingStream(err) if err is not None else None  # type: ignore[assignment]

    def __exit__(self, *exc: object) -> None:
        sys.stdout, sys.stderr = self._saved

def utf8_arguments(argv: list[str]) -> None:
    """Refuse an argument that was not valid UTF-8 (Python hands such bytes over as lone surrogates)."""
    for position, arg in enumerate(argv, start=1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            try:  # the bytes as typed: caf\xe9
                shown = arg.encode("utf-8", "surrogateescape").decode("ascii", "backslashreplace")
            except UnicodeEncodeError:
                shown = arg
            raise InputError(
                f"argument {position} ({escape_line(shown)}) is not valid UTF-8 text; nothing was changed"
            ) from None



def read_secret_stdin(what: str) -> str:
    """Read a password from stdin (first line), so it never appears in `ps` or shell history."""
    if sys.stdin is None:
        raise InputError(f"--{what}-stdin given but standard input is closed")
    try:
        value = sys.stdin.readline().rstrip("\r\n")
    except UnicodeDecodeError:
        raise InputError(f"--{what}-stdin: standard input is not valid UTF-8 text") from None
    if not value:
        raise InputError(f"--{what}-stdin given but standard input was empty")
    return value


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON document")


_HOME_PARENT = OneLineParser(add_help=False)
_HOME_PARENT.add_argument("--home", metavar="DIR", default=argparse.SUPPRESS, help="data directory")


def add_command(sub: Any, name: str, help_text: str, handler: Any = None) -> argparse.ArgumentParser:
    """A (sub)command that also accepts --home after its name."""
    parser = sub.add_parser(name, help=help_text, description=help_text, parents=[_HOME_PARENT])
    if handler is not None:
        parser.set_defaults(handler=handler)
    return parser


def add_group(sub: Any, name: str, help_text: str) -> Any:
    parser = add_command(sub, name, help_text)
    return parser.add_subparsers(
        dest=f"{name}_command", metavar="ACTION", parser_class=OneLineParser, required=True
    )


def port_number(text: str) -> int:
    """argparse type: a TCP port, 1-65535."""
    return _whole_number(
        text, 1, 65535, "port {text!r} is not a number", "port {value} is out of range 1-65535"
    )


def minutes(text: str) -> int:
    """argparse type: whole minutes, 1-1440 (a day)."""
    return _whole_number(
        text, 1, 1440, "{text!r} is not a whole number of minutes", "{value} is out of range 1-1440 minutes"
    )


def item_count(text: str) -> int:
    """argparse type: a number of items, 0-100000."""
    return _whole_number(text, 0, 100_000, "{text!r} is not a whole number", "{value} is out of range 0-100000")


def percent(text: str) -> int:
    """argparse type: a whole percentage, 0-100."""
    return _whole_number(text, 0, 100, "{text!r} is not a whole percentage", "{value} is out of range 0-100%")


def reminder_hours(text: str) -> int:
    """argparse type: hours between alert reminders, 0 (none) to 720 (30 days)."""
    return _whole_number(
        text,
        0,
        720,
        "{text!r} is not a whole number of hours",
        "{value} is out of range 0-720 hours (0: no reminders)",
    )


def _whole_number(text: str, low: int, high: int, not_a_number: str, out_of_range: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(not_a_number.format(text=text)) from None
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(out_of_range.format(value=value))
    return value
