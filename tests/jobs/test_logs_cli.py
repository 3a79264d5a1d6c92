"""`studiosync logs`: formats and filters, following across rotation and truncation, Ctrl-C; and secrets
from a failing job run never reaching the log files or the run history."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from studiosync.core import logs
from studiosync.core.studio.studio import Studio

from tests.conftest import studiosync_executable
from tests.jobs.conftest import run_cli
from tests.jobs.fakejobs import TOKEN


@pytest.fixture
def log_dir(home: Path) -> Iterator[Path]:
    """This process logs into the data dir's log file (as a console would); detached afterwards."""
    Studio.open(home)
    yield home / "logs"
    logs.shutdown()


def _write_sample(log_dir: Path) -> None:
    logs.configure(log_dir, process="daemon")
    with logs.log_context(job="google-sync", run_id="r1"):
        logs.event("INFO", "Google sync run started for 2 user(s)")
        with logs.log_context(user="ann"):
            logs.event("WARNING", "calendar is read-only", fix="pick another calendar")
        with logs.log_context(user="bob"):
            logs.event("ERROR", "token revoked")
    with logs.log_context(job="backup"):
        logs.event("INFO", "Backup finished: ok")


def test_logs_formats_and_filters(cli, log_dir: Path) -> None:
    _write_sample(log_dir)
    human = cli("logs")
    assert human.code == 0, human.err
    lines = human.out.splitlines()
    assert len(lines) == 4
    # "time level job user message"
    assert lines[1].split(" ", 5)[2:] == [
        "WARNING",
        "google-sync",
        "ann",
        "calendar is read-only  fix=pick another calendar",
    ]
    assert lines[3].split()[2:5] == ["INFO", "backup", "-"]

    doc = json.loads(cli("logs", "--json").out)  # one JSON document
    assert isinstance(doc, list) and [r["message"] for r in doc][-1] == "Backup finished: ok"
    assert doc[1] | {"time": None} == doc[1] | {
        "time": None,
        "level": "WARNING",
        "job": "google-sync",
        "user": "ann",
        "run_id": "r1",
        "fix": "pick another calendar",
    }
    only_ann = json.loads(cli("logs", "--json", "--user", "ann").out)
    assert [r["message"] for r in only_ann] == ["calendar is read-only"]
    errors = json.loads(cli("logs", "--json", "--level", "error").out)
    assert [r["user"] for r in errors] == ["bob"]
    warnings_up = json.loads(cli("logs", "--json", "--level", "WARNING").out)
    assert [r["user"] for r in warnings_up] == ["ann", "bob"]
    bad = cli("logs", "--level", "loud")
    assert bad.code == 2 and len(bad.err_lines) == 1


def test_logs_of_an_empty_data_dir(cli) -> None:
    assert cli("logs", "--json").out.strip() == "[]"
    assert cli("logs").code == 0


def _reader(proc: subprocess.Popen[str]) -> queue.Queue[str]:
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    return lines


def _collect_until(lines: queue.Queue[str], done, timeout: float) -> list[dict]:
    got: list[dict] = []
    deadline = time.monotonic() + timeout
    while not done(got):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(f"timed out; got {[g.get('message') for g in got]}")
        try:
            got.append(json.loads(lines.get(timeout=remaining)))
        except queue.Empty:
            continue
    return got


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # exec keeps SIG_IGN, resets a handler: Python then installs its own


def test_logs_follow_across_rotation_and_truncation(home: Path, log_dir: Path) -> None:
    logs.configure(log_dir, process="daemon", max_bytes=2500, backups=9)
    logs.event("INFO", "before following")
    proc = subprocess.Popen(
        [studiosync_executable(), "--home", str(home), "logs", "--follow", "--json", "--user", "ann"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, "PYTHONFAULTHANDLER": "1"},
        # Ctrl-C as in a terminal: a suite started in the background (`.ci/run &` with no job control)
        # ignores SIGINT, and a child inherits that, as `tail -f` would, so the test restores the default.
        preexec_fn=_default_sigint,
    )
    try:
        lines = _reader(proc)
        with logs.log_context(user="ann"):
            logs.event("INFO", "ready")
        _collect_until(lines, lambda got: any(g["message"] == "ready" for g in got), 10)

        def burst(seqs: range) -> None:
            for seq in seqs:
                with logs.log_context(job="google-sync", user="ann" if seq % 5 else "bob"):
                    logs.event("INFO", f"line {seq}", seq=seq, pad="x" * 120)
                time.sleep(0.03)

        burst(range(0, 60))  # about 8 lines a file: several rotations
        assert list(log_dir.glob("studiosync.log.*")), "the burst did not rotate the log"
        time.sleep(0.6)
        (log_dir / "studiosync.log").write_bytes(b"")  # truncated in place (copytruncate-style)
        time.sleep(0.6)
        burst(range(60, 70))
        wanted = [s for s in range(70) if s % 5]
        got = _collect_until(lines, lambda got: [g.get("seq") for g in got][-1:] == [wanted[-1]], 15)
        assert [g["seq"] for g in got] == wanted  # nothing lost, nothing twice, in order
        assert all(g["user"] == "ann" for g in got)

        proc.send_signal(signal.SIGINT)  # Ctrl-C: exit 0, quietly
        try:
            code = proc.wait(30)
        except (
            subprocess.TimeoutExpired
        ):  # say where it hangs (PYTHONFAULTHANDLER: SIGABRT dumps every stack)
            proc.send_signal(signal.SIGABRT)
            proc.wait(10)
            raise AssertionError(
                f"logs --follow ignored Ctrl-C:\n{proc.stderr.read() if proc.stderr else ''}"
            ) from None
        assert code == 0
        assert proc.stderr is not None and proc.stderr.read() == ""
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


def test_secrets_from_a_failing_run_never_reach_disk(home: Path) -> None:
    Studio.open(home)
    secret = "Registered-Secret-4711"
    result = run_cli(home, "jobs", "run", "test-fail", STUDIOSYNC_TEST_SECRET=secret)
    assert result.returncode == 1
    assert "[REDACTED]" in result.stdout and TOKEN not in result.stdout and secret not in result.stdout

    log_bytes = b"".join(p.read_bytes() for p in (home / "logs").rglob("*") if p.is_file())
    assert b"Test Fail crashed: RuntimeError" in log_bytes and b"Traceback" in log_bytes  # really logged
    assert log_bytes.count(b"[REDACTED]") >= 4
    store_bytes = b"".join(p.read_bytes() for p in (home / "store").rglob("*") if p.is_file())
    for blob in (log_bytes, store_bytes):
        assert b"SECRETVALUE" not in blob and secret.encode() not in blob
