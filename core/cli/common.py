"""Shared pieces of the CLI: one-line argument errors, the lazily opened Studio, output helpers.

Must never import a service at module level: every command module imports this one, and `--help` or a
bad argument must not pay for opening a studio.
"""

from __future__ import annotations

import argparse
import os
import sys

from studiosync.core.errors import InputError

# Start-up: `typing` is not needed to run `--help` (type checkers treat a module-level
# TYPE_CHECKING = False like typing.TYPE_CHECKING).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, NoReturn

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
        print(f"{self.prog}: error: {message}", file=sys.stderr)
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

    def close(self) -> None:
        self._studio = None


def print_json(doc: Any) -> None:
    import json

    json.dump(doc, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


def print_table(rows: list[list[str]], headers: list[str]) -> None:
    if not rows:
        print("(none)")
        return
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def read_secret_stdin(what: str) -> str:
    """Read a password from stdin (first line), so it never appears in `ps` or shell history."""
    if sys.stdin is None:
        raise InputError(f"--{what}-stdin given but standard input is closed")
    value = sys.stdin.readline().rstrip("\r\n")
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


def _whole_number(text: str, low: int, high: int, not_a_number: str, out_of_range: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(not_a_number.format(text=text)) from None
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(out_of_range.format(value=value))
    return value
