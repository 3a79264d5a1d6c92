"""Shared pieces of the CLI: one-line argument errors, the lazily opened Studio, output helpers."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, NoReturn

from studiosync.core.errors import InputError
from studiosync.core.studio.studio import Studio


class OneLineParser(argparse.ArgumentParser):
    """argparse prints usage plus the error; scripts want exactly one line and exit code 2."""

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
            self._studio = Studio.open(self.home)
        return self._studio

    def close(self) -> None:
        self._studio = None


def print_json(doc: Any) -> None:
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


_HOME_PARENT = argparse.ArgumentParser(add_help=False)
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
