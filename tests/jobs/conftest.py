"""Fixtures for the Control Center tests: fake job kinds, daemon subprocesses, waiting helpers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from studiosync.core.jobs import catalogue

from tests.conftest import studiosync_executable

REPO = Path(__file__).resolve().parents[2]
PLUGIN = "tests.jobs.fakejobs_plugin"


@pytest.fixture
def fake_jobs() -> Iterator[None]:
    """Register the test job kinds in this process for one test."""
    from tests.jobs import fakejobs

    for kind in fakejobs.KINDS:
        catalogue.register(kind)
    try:
        yield
    finally:
        for kind in fakejobs.KINDS:
            catalogue.unregister(kind.name)


def plugin_env(computer: str, **extra: str) -> dict[str, str]:
    """Environment for a studiosync subprocess that knows the test jobs and runs as `computer`."""
    path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH", "")]))
    return {
        **os.environ,
        "STUDIOSYNC_JOB_PLUGINS": PLUGIN,
        "STUDIOSYNC_COMPUTER": computer,
        "PYTHONPATH": path,
        **extra,
    }


def run_cli(
    home: Path, *args: str, computer: str = "alpha", **extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [studiosync_executable(), "--home", str(home), *args],
        capture_output=True,
        text=True,
        env=plugin_env(computer, **extra),
        timeout=60,
    )


def wait_for(predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def history(home: Path, job: str | None = None) -> list[dict[str, Any]]:
    """Run records straight from the RUNS file (newest first), without opening a Studio."""
    path = home / "store" / "runs.json"
    try:
        rows = json.loads(path.read_text())["runs"].values()
    except (FileNotFoundError, KeyError):
        return []
    found = [r for r in rows if job is None or r["job"] == job]
    return sorted(found, key=lambda r: r["started"], reverse=True)


class Daemon:
    def __init__(self, home: Path, computer: str, **extra: str) -> None:
        self.home = home
        self.computer = computer
        self.proc = subprocess.Popen(
            [studiosync_executable(), "--home", str(home), "serve"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=plugin_env(computer, **extra),
            start_new_session=True,  # a Ctrl-C in the test runner's terminal doesn't reach it
        )

    def wait_ready(self, timeout: float = 15) -> None:
        """Until its first heartbeat is in the store (it has read the jobs and scheduled them)."""

        def alive() -> bool:
            assert self.proc.poll() is None, f"daemon exited early: {self.proc.communicate()}"
            try:
                procs = json.loads((self.home / "store" / "computers.json").read_text())["processes"]
            except (FileNotFoundError, KeyError, ValueError):
                return False
            return any(p["pid"] == self.proc.pid for p in procs.values())

        wait_for(alive, timeout, f"daemon {self.computer} to start")

    def terminate(self, timeout: float = 10) -> tuple[int, float]:
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(timeout)
        return rc, time.monotonic() - started

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream:
                stream.close()


@pytest.fixture
def daemons(home: Path) -> Iterator[Callable[..., Daemon]]:
    """Start `studiosync --home HOME serve` subprocesses; every one is killed at the end, whatever happens."""
    started: list[Daemon] = []

    def start(computer: str = "alpha", *, home_dir: Path | None = None, **extra: str) -> Daemon:
        daemon = Daemon(home_dir or home, computer, **extra)
        started.append(daemon)
        return daemon

    try:
        yield start
    finally:
        for daemon in started:
            daemon.kill()
