"""Fixtures shared by every test: an isolated environment, a data directory, the CLI in-process.

Kept small and generic on purpose; helpers for one area live next to its tests or in tests/helpers/.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from studiosync.core import clock
from studiosync.core.emulator import GoogleEmulator
from studiosync.core.jobs import catalogue
from studiosync.core.studio.studio import Studio

SHIFT_ENV = "STUDIOSYNC_TEST_SHIFT_WALL_CLOCK_DAYS"


def pytest_configure(config: pytest.Config) -> None:
    """With STUDIOSYNC_TEST_SHIFT_WALL_CLOCK_DAYS=N the whole run sees the wall clock N days ahead
    (time-machine moves datetime.now, time.time and friends; monotonic timers are untouched). The suite
    in tests/test_wall_clock.py uses it to prove no screen and no check reads today's date."""
    days = os.environ.get(SHIFT_ENV)
    if not days:
        return
    import time_machine

    traveller = time_machine.travel(datetime.now(UTC) + timedelta(days=int(days)), tick=True)
    traveller.start()
    config.add_cleanup(traveller.stop)


# Area fixtures any test may use: `world` (a studio wired to the `emu` emulator below).
pytest_plugins = ["tests.helpers.emulator"]


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test ever touches the real user data dir, keyring or config.

    STUDIOSYNC_HOME points at a fresh per-test directory (not created until used), platformdirs/keyring
    look under a private XDG tree, and keyring is set to its `fail` backend, which makes TokenVault use its
    file fallback inside the data dir. A test that needs something else overrides these with monkeypatch.
    """
    base = tmp_path_factory.mktemp("env")
    monkeypatch.setenv("STUDIOSYNC_HOME", str(base / "default-home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(base / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(base / "xdg-config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(base / "xdg-cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(base / "xdg-state"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")


@pytest.fixture(autouse=True)
def _wall_clock_after_test() -> Iterator[None]:
    """A test may pin the process's one clock (core.clock.install, or a console built with a fixed clock);
    the next test in the same worker starts on the wall clock again."""
    yield
    clock.install(None)


@pytest.fixture(autouse=True)
def _no_insecure_transport(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts without OAUTHLIB_INSECURE_TRANSPORT and gets the original value back afterwards.

    core.google.oauth sets it process-wide for loopback endpoints (the emulator) and never clears it;
    without this a test could pass only because an earlier one in the same worker had set it.
    """
    monkeypatch.delenv("OAUTHLIB_INSECURE_TRANSPORT", raising=False)


@pytest.fixture(autouse=True)
def _fresh_request_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Calendar request budget is process-wide (core.google.budget): a back-off Google asked for in one
    test must not hold up the next one in the same worker."""
    from studiosync.core.google import budget

    monkeypatch.setattr(budget, "_SHARED", budget.RequestBudget())


@pytest.fixture(autouse=True)
def _job_kinds_unchanged() -> Iterator[None]:
    """The job catalogue is process-wide: a test (or an import) that leaves extra kinds registered makes
    later tests in the same xdist worker depend on the order they run in (a Control Center snapshot
    showing test jobs). Fail at the source instead."""
    before = [k.name for k in catalogue.kinds()]
    yield
    after = [k.name for k in catalogue.kinds()]
    assert after == before, f"job kinds leaked by this test: {sorted(set(after) - set(before))}"


@pytest.fixture
def emu() -> Iterator[GoogleEmulator]:
    """A running Google emulator with no accounts or clients (areas seed their own, or override this)."""
    with GoogleEmulator() as emulator:
        yield emulator


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A data directory path for `--home` (created by the first command or Studio that uses it)."""
    return tmp_path / "home"


@pytest.fixture
def studio(home: Path) -> Studio:
    return Studio.open(home)


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return self.err.splitlines()


CliRunner = Callable[..., CliResult]


@pytest.fixture
def cli(home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """Run `studiosync --home <home> ARGS...` in-process: cli("users", "list", stdin="...", home=None)."""
    from studiosync.core.cli.main import main

    def run(*args: str, stdin: str | None = None, home_dir: Path | None | bool = True) -> CliResult:
        argv = list(args)
        if home_dir is True:
            argv = ["--home", str(home), *argv]
        elif home_dir:
            argv = ["--home", str(home_dir), *argv]
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin or ""))
        capsys.readouterr()
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse errors, --help, --version
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


def studiosync_executable() -> str:
    """The installed console script of the venv running the tests."""
    exe = Path(sys.executable).with_name("studiosync")
    if not exe.exists():
        raise RuntimeError(f"studiosync is not installed next to {sys.executable}: pip install -e .")
    return str(exe)


@pytest.fixture
def run_studiosync(home: Path) -> Iterator[Callable[..., subprocess.CompletedProcess[str]]]:
    """Run the real installed `studiosync` script in a subprocess (with --home <home> unless home_dir=False)."""

    def run(
        *args: str, stdin: str | None = None, home_dir: Path | bool = True, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        argv = [studiosync_executable()]
        if home_dir is True:
            argv += ["--home", str(home)]
        elif home_dir:
            argv += ["--home", str(home_dir)]
        return subprocess.run(
            [*argv, *args],
            input=stdin or "",
            capture_output=True,
            text=True,
            env={**os.environ, **(env or {})},
            timeout=60,
        )

    yield run
