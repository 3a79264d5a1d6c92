"""The layers are enforced by import-linter (`[tool.importlinter]` in pyproject.toml, run by .ci/run).

These tests prove the contracts can fail: they copy the package into a temporary tree in its installed
layout, add modules that break each contract on purpose, run `lint-imports` on the copy and check that
every planted violation is reported. A fast AST check that core never imports textual or tui stays as a
double check that needs no tool.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "core"
FORBIDDEN = ("textual", "studiosync.tui")

# module (in the copy) -> its source; each line breaks one contract (named in the comment).
PLANTED = {
    "core/store/planted.py": (
        "from studiosync.core.cli import main  # core-layers: the store reaches up to the CLI\n"
        "import textual  # core-headless\n"
        "from studiosync.tui import app  # tui-above-core\n"
        "from studiosync.core.emulator import emulator  # emulator-for-demo-only\n"
    ),
    "core/emulator/planted.py": "from studiosync.core import errors  # emulator-stands-alone\n",
    "core/jobs/planted_a.py": "from studiosync.core.jobs import planted_b  # no-circles\n",
    "core/jobs/planted_b.py": "from studiosync.core.jobs import planted_a  # no-circles\n",
    "tui/planted.py": "import tinydb  # console-through-core\n",
    "core/planted_top.py": "# core-layers is exhaustive: a module in no layer breaks it\n",
}
# contract -> the report line (a regex) that names the planted import
EXPECTED = {
    "tui-above-core": r"studiosync\.core\.store\.planted -> studiosync\.tui",
    "core-layers": r"studiosync\.core\.store\.planted -> studiosync\.core\.cli",
    "no-circles": r"\.planted_[ab] -> \.planted_[ab]",  # the tool names one edge that breaks the circle
    "emulator-stands-alone": r"studiosync\.core\.emulator\.planted -> studiosync\.core\.errors",
    "emulator-for-demo-only": r"studiosync\.core\.store\.planted -> studiosync\.core\.emulator",
    "core-headless": r"studiosync\.core\.store\.planted -> textual",
    "console-through-core": r"studiosync\.tui\.planted -> tinydb",
}


def _contract_ids() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {c["id"] for c in config["tool"]["importlinter"]["contracts"]}


def _lint_imports(tree: Path, *contracts: str) -> subprocess.CompletedProcess[str]:
    tool = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert tool, "import-linter is one of the test extras: pip install -e '.[test]'"
    args = [tool, "--no-cache", "--no-logo"] + [a for c in contracts for a in ("--contract", c)]
    env = {**os.environ, "PYTHONPATH": str(tree)}  # the copy, not the editable install, is `studiosync`
    return subprocess.run(args, cwd=tree, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def planted_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tree = tmp_path_factory.mktemp("layers")
    shutil.copy2(ROOT / "pyproject.toml", tree / "pyproject.toml")
    package = tree / "studiosync"
    shutil.copytree(ROOT / "src" / "studiosync", package, ignore=shutil.ignore_patterns("__pycache__"))
    for folder in ("core", "tui"):
        shutil.copytree(ROOT / folder, package / folder, ignore=shutil.ignore_patterns("__pycache__"))
    for path, source in PLANTED.items():
        (package / path).write_text(source, encoding="utf-8")
    return tree


def test_every_contract_is_exercised_here() -> None:
    assert _contract_ids() == set(EXPECTED)


@pytest.mark.parametrize("contract", sorted(EXPECTED))
def test_the_contract_reports_a_planted_violation(planted_tree: Path, contract: str) -> None:
    done = _lint_imports(planted_tree, contract)
    out = " ".join((done.stdout + done.stderr).split())  # the report wraps long lines
    assert done.returncode == 1, out[-2000:]
    assert "BROKEN" in out and re.search(EXPECTED[contract], out), out[-3000:]


def test_an_unlisted_core_module_breaks_the_exhaustive_layers(planted_tree: Path) -> None:
    done = _lint_imports(planted_tree, "core-layers")
    assert "studiosync.core.planted_top" in " ".join(done.stdout.split()), done.stdout[-2000:]


# -- the fast double check, without the tool --------------------------------------------------------------
def _imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            roots.update(_root(alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(_root(node.module))
    return roots


def _root(module: str) -> str:
    """The top name, or the subpackage for our own ('studiosync.tui')."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "studiosync" else parts[0]


def test_core_never_imports_textual_or_tui() -> None:
    offenders = {
        str(path.relative_to(CORE.parent)): sorted(_imported_roots(path) & set(FORBIDDEN))
        for path in CORE.rglob("*.py")
    }
    offenders = {k: v for k, v in offenders.items() if v}
    assert offenders == {}


def test_the_check_sees_imports(tmp_path: Path) -> None:
    # Guard against a check that cannot fail: it must find these very imports in a sample.
    sample = tmp_path / "sample.py"
    sample.write_text("import textual.app\nfrom studiosync.tui import app\n", encoding="utf-8")
    assert _imported_roots(sample) == {"textual", "studiosync.tui"}
