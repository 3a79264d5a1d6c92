"""Start-up: a plain CLI command imports only what it needs (issue 16 point 5). Not a timing test (the
times are bench/startup.py's): these check WHICH modules a real `studiosync` process loads."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from studiosync.core.cli.main import COMMANDS, build_parser, parser_for
from studiosync.core.studio.studio import Studio
from studiosync.tui.cli import CONSOLE_COMMANDS

from tests.helpers.installed import run_installed

EVERY = (*COMMANDS, *CONSOLE_COMMANDS)

# Runs the real entry point, then reports every module the process loaded.
PROBE = """
import atexit, sys
def report():
    import json
    # A module still deferred (core.deferred_imports) holds a placeholder in sys.modules: not loaded.
    loaded = [n for n, m in sys.modules.items() if type(m).__name__ != "DeferredModule"]
    sys.stderr.write("MODULES " + json.dumps(sorted(loaded)) + "\\n")
atexit.register(report)
sys.argv = ["studiosync", *sys.argv[1:]]
from studiosync.tui.cli import main
sys.exit(main())
"""
HEAVY = ("googleapiclient", "google.auth", "google_auth_oauthlib", "httplib2", "apscheduler", "textual")


def _loaded(*args: str) -> set[str]:
    done = run_installed(PROBE, *args)
    assert done.returncode == 0, done.stderr[-2000:]
    (line,) = [x for x in done.stderr.splitlines() if x.startswith("MODULES ")]
    return set(json.loads(line.removeprefix("MODULES ")))


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("startup")
    Studio.open(home).users.add("ann", "Ann")
    return home


def test_users_list_imports_no_heavy_library_and_no_other_command(home: Path) -> None:
    modules = _loaded("--home", str(home), "users", "list")
    assert "tinydb" in modules and "studiosync.core.cli.users_cmd" in modules  # the probe sees imports
    assert _heavy(modules) == []
    others = {c.module for c in EVERY} - {"studiosync.core.cli.users_cmd"}
    assert sorted(modules & others) == []


def test_users_list_builds_only_the_dataclasses_it_shows(home: Path) -> None:
    # Every dataclass costs its generated methods at import: the domain is split by area (core.model.*),
    # and the store's record checks load datetime only for records with times (appointments).
    modules = _loaded("--home", str(home), "users", "list")
    assert sorted(m for m in modules if m.startswith("studiosync.core.model.")) == ["studiosync.core.model.users"]
    assert "datetime" not in modules
    assert not {"studiosync.core.studio.prefs", "studiosync.core.health", "studiosync.core.sync"} & modules


def test_users_list_leaves_the_deferred_standard_modules_unloaded(home: Path) -> None:
    # Every dataclass on the path has a docstring, so `dataclasses` never asks `inspect` for a signature;
    # pathlib's urllib.parse never checks a bracketed host (core.deferred_imports).
    modules = _loaded("--home", str(home), "users", "list")
    assert "dataclasses" in modules and "urllib.parse" in modules  # the modules that import them did run
    assert sorted(modules & {"inspect", "ast", "dis", "tokenize", "ipaddress"}) == []


def test_the_probe_sees_a_deferred_module_load(home: Path) -> None:
    # `jobs list` uses APScheduler, which reads inspect: the check above can fail.
    assert "inspect" in _loaded("--home", str(home), "jobs", "list")


def test_plain_output_compiles_no_escaping_pattern(home: Path) -> None:
    # Printable text leaves core.text untouched: no unicodedata and no character-class compile at start-up.
    assert "unicodedata" not in _loaded("--home", str(home), "users", "list")


def test_the_probe_sees_the_other_areas_of_the_domain(home: Path) -> None:
    # `appointments list` shows appointments: the checks above can fail.
    modules = _loaded("--home", str(home), "appointments", "list", "ann")
    assert "studiosync.core.model.appointments" in modules and "datetime" in modules


def test_the_probe_sees_a_heavy_import(home: Path) -> None:
    # `jobs list` shows next fire times, which APScheduler computes: the check above can fail.
    assert "apscheduler" in _heavy(_loaded("--home", str(home), "jobs", "list"))


def test_help_lists_every_command_without_importing_one() -> None:
    modules = _loaded("--help")
    assert sorted(modules & {c.module for c in EVERY}) == []
    assert "tinydb" not in modules and "studiosync.core.studio.studio" not in modules
    assert _heavy(modules) == []


def test_the_registry_says_what_each_command_module_registers() -> None:
    # --help lists COMMANDS' names and help texts; they must be what the modules themselves register.
    sub = next(
        a for a in build_parser(CONSOLE_COMMANDS, every=True)._actions if isinstance(a, argparse._SubParsersAction)
    )
    registered = {action.dest: action.help for action in sub._choices_actions}  # what --help prints
    assert registered == {c.name: c.help for c in EVERY}


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices


def test_a_command_built_alone_is_the_command_of_the_whole_tree() -> None:
    # Run alone (only its module imported), each command parses as in the whole tree -- `prefs` keeps the
    # `escalation` action that doctor_cmd hangs under it.
    whole = _subcommands(build_parser(CONSOLE_COMMANDS, every=True))
    for c in EVERY:
        alone = _subcommands(build_parser(CONSOLE_COMMANDS, command=c.name))
        assert alone[c.name].format_help() == whole[c.name].format_help(), c.name
    assert "escalation" in _subcommands(_subcommands(build_parser(command="prefs"))["prefs"])


def _outcome(parse: object, capsys: pytest.CaptureFixture[str]) -> tuple[object, str, str]:
    try:
        result: object = vars(parse())  # type: ignore[operator]
    except SystemExit as exc:
        result = ("exit", exc.code)
    out = capsys.readouterr()
    return result, out.out, out.err


@pytest.mark.parametrize(
    "argv",
    [
        ["users", "list"],
        ["--home", "/x", "users", "list", "--json"],
        ["--home=/x", "prefs", "escalation", "--enable"],
        ["--ho", "/x", "users", "list"],  # an abbreviation: argparse finds the command
        ["--h", "users"],  # ambiguous
        ["-h"],
        ["users", "-h"],
        ["-h", "users"],
        ["--version"],
        [],
        ["--home"],
        ["--bogus", "users", "list"],
        ["bogus"],
        ["users", "bogus"],
        ["status", "--json"],
        ["--home", "/x", "--", "users", "list"],
        ["demo", "--keep"],
        ["web", "-h"],
    ],
)
def test_the_parser_for_argv_reads_it_as_the_whole_tree_does(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    alone = _outcome(lambda: parser_for(argv, CONSOLE_COMMANDS).parse_args(argv), capsys)
    whole = _outcome(lambda: build_parser(CONSOLE_COMMANDS, every=True).parse_args(argv), capsys)
    assert alone == whole


def test_every_command_module_is_in_a_registry() -> None:
    # A command module missing from COMMANDS / CONSOLE_COMMANDS would never be registered at all.
    root = Path(__file__).resolve().parent.parent
    core = {f"studiosync.core.cli.{p.stem}" for p in (root / "core" / "cli").glob("*_cmd.py")}
    assert core == {c.module for c in COMMANDS}
    tui = {f"studiosync.tui.{p.relative_to(root / 'tui').with_suffix('').as_posix().replace('/', '.')}"
           for p in (root / "tui").rglob("*_cmd.py")}
    assert tui == {c.module for c in CONSOLE_COMMANDS}
