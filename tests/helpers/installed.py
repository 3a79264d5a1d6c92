"""Run Python code as a regular (non-editable) install of studiosync would: `python -S` with the package
in its installed layout (scripts/installed-layout) and this venv's dependencies on the path.

The editable install's import hook runs at site start-up and imports pathlib, urllib.parse and ipaddress
before any code of ours: a check of what a command loads must run without it, as bench/startup.py does."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

LAYOUT = Path(__file__).resolve().parents[2] / "scripts" / "installed-layout"


def run_installed(code: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """`python -S -c code args...` seeing studiosync as installed; output captured as text."""
    path = os.pathsep.join([str(LAYOUT), sysconfig.get_paths()["purelib"]])
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"PYTHONPATH": path}
    return subprocess.run(
        [sys.executable, "-S", "-c", code, *args], capture_output=True, text=True, timeout=timeout, env=env, check=False
    )
