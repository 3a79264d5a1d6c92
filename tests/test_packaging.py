"""The wheel installs under the product's name: `studiosync` (and its dist-info) at the top of
site-packages, never `core` or `tui`; every module of core/ and tui/ is in it; the source never imports
the folders by their bare names (that works from a checkout, and breaks once installed)."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = {"core": "studiosync/core", "tui": "studiosync/tui"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    # Build from a copy: an in-tree build would leave build/ behind and race a parallel test run.
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    for name in ("core", "tui", "src"):
        shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(out), str(src)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    (path,) = out.glob("studiosync-*.whl")
    return zipfile.ZipFile(path)


def test_only_studiosync_at_the_top(wheel: zipfile.ZipFile) -> None:
    tops = {name.split("/")[0] for name in wheel.namelist()}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"studiosync"}
    assert "studiosync/__main__.py" in wheel.namelist()  # python -m studiosync


def test_every_module_and_stylesheet_is_shipped(wheel: zipfile.ZipFile) -> None:
    expected = {
        f"{installed}/{path.relative_to(ROOT / folder).as_posix()}"
        for folder, installed in SHIPPED.items()
        for path in (ROOT / folder).rglob("*")
        if path.suffix in (".py", ".tcss", ".html") and "__pycache__" not in path.parts
    }
    assert expected - set(wheel.namelist()) == set()


def test_the_entry_point_names_the_installed_package(wheel: zipfile.ZipFile) -> None:
    (entry,) = [n for n in wheel.namelist() if n.endswith(".dist-info/entry_points.txt")]
    assert "studiosync = studiosync.tui.cli:main" in wheel.read(entry).decode()


def test_no_source_imports_core_or_tui_by_their_bare_names() -> None:
    offenders = []
    for folder in ("core", "tui", "tests", "bench", "src"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = (
                    [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module]
                    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module
                    else []
                )
                offenders += [
                    f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] in ("core", "tui")
                ]
    assert offenders == []
