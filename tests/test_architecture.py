"""core/ is headless: it must never import textual or tui (checked on the source, so lazy imports count)."""

from __future__ import annotations

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parent.parent / "core"
FORBIDDEN = ("textual", "studiosync.tui")


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


def test_the_check_sees_imports() -> None:
    # Guard against a check that cannot fail: it must find this very import in a sample.
    sample = CORE.parent / "tests" / "_arch_sample.py"
    sample.write_text("import textual.app\nfrom studiosync.tui import app\n", encoding="utf-8")
    try:
        assert _imported_roots(sample) == {"textual", "studiosync.tui"}
    finally:
        sample.unlink()
