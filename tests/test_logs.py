"""core.logs: JSON lines, context, redaction at the source, multi-process rotation, follow, cleanup."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from studiosync.core import logs
from studiosync.core.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
log = logging.getLogger("studiosync.test")


@pytest.fixture(autouse=True)
def _clean_logger() -> Iterator[None]:
    yield
    logs.shutdown()
    logging.getLogger("studiosync").setLevel(logging.NOTSET)


@pytest.fixture
def log_dir(tmp_path: Path) -> Path:
    return tmp_path / "logs"


def file_bytes(log_dir: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(log_dir.glob("studiosync.log*")))


def json_lines(log_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (log_dir / "studiosync.log").read_text().splitlines()]


# --- shape ------------------------------------------------------------------------------------


def test_json_shape_and_permissions(log_dir: Path) -> None:
    logs.configure(log_dir, process="console")
    log.info("hello %s", "world", extra={"fields": {"count": 3, "when": datetime(2026, 1, 2)}})
    (line,) = json_lines(log_dir)
    assert list(line)[:7] == ["time", "level", "process", "job", "run_id", "user", "message"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["time"])
    assert abs(datetime.fromisoformat(line["time"]).timestamp() - time.time()) < 5
    assert line | {"time": None} == {
        "time": None,
        "level": "INFO",
        "process": "console",
        "job": None,
        "run_id": None,
        "user": None,
        "message": "hello world",
        "count": 3,
        "when": "2026-01-02 00:00:00",
    }
    assert (log_dir.stat().st_mode & 0o777) == 0o700
    assert ((log_dir / "studiosync.log").stat().st_mode & 0o777) == 0o600


def test_configure_twice_does_not_double_lines(log_dir: Path) -> None:
    logs.configure(log_dir, process="a")
    logs.configure(log_dir, process="b", level="debug")
    log.debug("once")
    assert [(r["process"], r["message"]) for r in json_lines(log_dir)] == [("b", "once")]
    handlers = [h for h in logging.getLogger("studiosync").handlers if isinstance(h, logs.SharedFileHandler)]
    assert len(handlers) == 1


def test_level_threshold_and_bad_level(log_dir: Path) -> None:
    logs.configure(log_dir, process="cli", level="WARN")
    log.info("hidden")
    log.warning("shown")
    assert [r["message"] for r in json_lines(log_dir)] == ["shown"]
    with pytest.raises(InputError, match="'LOUD' is not a log level"):
        logs.configure(log_dir, process="cli", level="LOUD")


def test_event_fields_and_reserved_names(log_dir: Path) -> None:
    logs.configure(log_dir, process="daemon")
    logs.event("warning", "sync slow", seconds=12.5, level="mine", message="also mine")
    (line,) = json_lines(log_dir)
    assert line["level"] == "WARNING" and line["message"] == "sync slow"
    assert line["seconds"] == 12.5
    assert line["field_level"] == "mine" and line["field_message"] == "also mine"


def test_exception_is_recorded(log_dir: Path) -> None:
    logs.configure(log_dir, process="cli")
    try:
        raise RuntimeError("kaput")
    except RuntimeError:
        log.exception("failed")
    (line,) = json_lines(log_dir)
    # The line says what failed and names a crash file; the stack is only in that private file.
    assert line["error"] == "RuntimeError: kaput" and "exc" not in line
    crash = logs.crash_file(log_dir, line["crash_id"])
    assert crash is not None and (crash.stat().st_mode & 0o777) == 0o600
    assert (crash.parent.stat().st_mode & 0o777) == 0o700
    assert "Traceback (most recent call last)" in crash.read_text() and "RuntimeError: kaput" in crash.read_text()
    assert "Traceback" not in (log_dir / "studiosync.log").read_text()


# --- context ----------------------------------------------------------------------------------


def test_log_context_nests_and_resets(log_dir: Path) -> None:
    logs.configure(log_dir, process="daemon")
    with logs.log_context(job="google-sync", run_id="r1"):
        with logs.log_context(user="ann"):
            log.info("inner")
            assert logs.current_context() == logs.LogContext("google-sync", "r1", "ann")
        log.info("outer")
    log.info("none")
    got = [(r["job"], r["run_id"], r["user"], r["message"]) for r in json_lines(log_dir)]
    assert got == [
        ("google-sync", "r1", "ann", "inner"),
        ("google-sync", "r1", None, "outer"),
        (None, None, None, "none"),
    ]


def test_threads_need_bind_to_carry_context(log_dir: Path) -> None:
    logs.configure(log_dir, process="daemon")
    with logs.log_context(job="j", user="bob"):
        plain = threading.Thread(target=lambda: log.info("plain thread"))
        bound = threading.Thread(target=logs.bind(lambda: log.info("bound thread")))
    for t in (plain, bound):
        t.start()
        t.join()
    got = {r["message"]: (r["job"], r["user"]) for r in json_lines(log_dir)}
    assert got == {"plain thread": (None, None), "bound thread": ("j", "bob")}


# --- redaction --------------------------------------------------------------------------------

SECRET_CASES = [
    ("access token", "got ya29.a0AfB_byC-secretAccess.123", "ya29.a0AfB_byC-secretAccess.123"),
    ("refresh token", "refresh 1//0gSecretRefreshToken-xyz_1 stored", "1//0gSecretRefreshToken-xyz_1"),
    ("code query", "GET /cb?state=1&code=4/0AeanS-secretCode&scope=x", "4/0AeanS-secretCode"),
    ("access_token query", "https://h/x?access_token=opaqueAccess99&alt=json", "opaqueAccess99"),
    ("refresh_token form", "grant_type=refresh_token&refresh_token=opaqueRefresh77", "opaqueRefresh77"),
    ("client_secret form", "client_id=abc&client_secret=GOCSPX-clientSecret1", "GOCSPX-clientSecret1"),
    ("password form", "user=ann&password=hunter2hunter2&x=1", "hunter2hunter2"),
    ("password repr", "Settings(username='ann', password='pa55w0rdRepr')", "pa55w0rdRepr"),
    ("bearer header", "headers: Authorization: Bearer opaqueBearerTok.en", "opaqueBearerTok.en"),
    ("basic header", "Authorization: Basic YW5uOnNlY3JldA==", "YW5uOnNlY3JldA=="),
    ("json token key", '{"access_token": "opaqueJsonTok", "expires_in": 3599}', "opaqueJsonTok"),
    ("json secret key", '{"client_secret": "jsonClientSecret", "id": 1}', "jsonClientSecret"),
    ("json password number", '{"smtp_password": 12345678, "port": 587}', "12345678"),
    ("json code_verifier", '{"code_verifier": "verifierValue42"}', "verifierValue42"),
    ("json authorization", '{"Authorization": "Bearer opaqueJsonAuth"}', "opaqueJsonAuth"),
    ("repr token key", "{'token': 'reprTokenValue', 'scopes': []}", "reprTokenValue"),
    ("free text password", "login with password: freeTextPw!", "freeTextPw!"),
]


@pytest.mark.parametrize(("name", "message", "secret"), SECRET_CASES, ids=[c[0] for c in SECRET_CASES])
def test_redaction_in_message(log_dir: Path, name: str, message: str, secret: str) -> None:
    logs.configure(log_dir, process="cli")
    log.info("%s", message)
    data = file_bytes(log_dir)
    assert secret.encode() not in data
    assert json.dumps(secret).encode() not in data
    assert b"[REDACTED]" in data


def test_redaction_keeps_harmless_text(log_dir: Path) -> None:
    logs.configure(log_dir, process="cli")
    text = "error_code=403 postcode=75001 tokens_seen=2 https://example.com/1//x"
    log.info(text)
    assert json_lines(log_dir)[0]["message"] == text


@pytest.mark.parametrize(("name", "message", "secret"), SECRET_CASES, ids=[c[0] for c in SECRET_CASES])
def test_redaction_in_field_values(log_dir: Path, name: str, message: str, secret: str) -> None:
    logs.configure(log_dir, process="cli")
    logs.event("info", "request", detail=message, nested={"list": [message]})
    assert secret.encode() not in file_bytes(log_dir)


def test_redaction_of_sensitive_field_names_any_value(log_dir: Path) -> None:
    logs.configure(log_dir, process="cli")
    logs.event(
        "info",
        "prefs",
        password="plainPw1",
        client_secret={"nested": "dictSecret"},
        refresh_token=None,
        headers={"Authorization": "Basic xyzabc", "Accept": "json"},
        codeVerifierish=1,
        api_key=["listKey"],
        host="smtp.example.com",
    )
    data = file_bytes(log_dir)
    for secret in (b"plainPw1", b"dictSecret", b"xyzabc", b"listKey"):
        assert secret not in data
    (line,) = json_lines(log_dir)
    assert line["password"] == line["client_secret"] == line["refresh_token"] == "[REDACTED]"
    assert line["headers"] == {"Authorization": "[REDACTED]", "Accept": "json"}
    assert line["host"] == "smtp.example.com" and line["codeVerifierish"] == 1


def test_registered_secrets_everywhere(log_dir: Path) -> None:
    logs.configure(log_dir, process="daemon")
    secret = "Smtp P@ss/word+1é"
    logs.register_secret(secret)
    logs.register_secret("abc")  # too short to redact safely: ignored
    from urllib.parse import quote

    log.info("connecting with %s", secret)
    log.info("url form %s", quote(secret, safe=""))
    logs.event("error", "failed", detail=f"server said {secret}", other=[secret])
    try:
        raise ValueError(f"cannot login as ann:{secret}")
    except ValueError:
        log.exception("oops")
    data = file_bytes(log_dir)
    assert secret.encode() not in data
    assert quote(secret, safe="").encode() not in data
    assert json.dumps(secret).encode() not in data  # the ASCII-escaped form
    assert data.count(b"[REDACTED]") >= 5
    log.info("abc stays")
    assert json_lines(log_dir)[-1]["message"] == "abc stays"


def test_redacting_filter_protects_other_handlers(log_dir: Path) -> None:
    logs.configure(log_dir, process="cli")
    seen: list[str] = []

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(self.format(record))

    # The record is scrubbed in place, so handlers further up the chain see the clean version.
    root_capture = Capture()
    logging.getLogger().addHandler(root_capture)
    try:
        log.warning("token ya29.upstreamSecret")
    finally:
        logging.getLogger().removeHandler(root_capture)
    assert seen == ["token [REDACTED]"]


# --- rotation across processes ----------------------------------------------------------------

WRITER = textwrap.dedent(
    """
    import logging, sys, time
    from pathlib import Path
    from studiosync.core import logs
    log_dir, name, count, start_at = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    logs.configure(log_dir, process=name, max_bytes=30_000, backups=200)
    log = logging.getLogger("studiosync.writer")
    while time.time() < start_at:  # start both writers together for maximum contention
        time.sleep(0.001)
    for i in range(count):
        log.info("line %d from %s %s", i, name, "x" * (i % 37), extra={"fields": {"seq": i, "who": name}})
    """
)


def _writer(log_dir: Path, name: str, count: int, start_at: float) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-c", WRITER, str(log_dir), name, str(count), str(start_at)]
    return subprocess.Popen(cmd, cwd=ROOT, env=env)


def test_two_processes_rotating_lose_and_tear_nothing(log_dir: Path) -> None:
    log_dir.mkdir()
    start_at = time.time() + 1.0
    procs = [_writer(log_dir, name, 2000, start_at) for name in ("alpha", "beta")]
    for proc in procs:
        assert proc.wait(timeout=60) == 0
    files = sorted(log_dir.glob("studiosync.log*"))
    assert len(files) > 10  # many rotations happened
    seen: dict[str, list[int]] = {"alpha": [], "beta": []}
    for path in files:
        data = path.read_bytes()
        assert data.endswith(b"\n"), f"{path.name} ends mid-line"
        assert path.stat().st_size <= 30_000 or data.count(b"\n") == 1
        for raw in data.split(b"\n")[:-1]:
            rec = json.loads(raw)  # a torn or interleaved line would not parse
            seen[rec["who"]].append(rec["seq"])
    assert sorted(seen["alpha"]) == list(range(2000))
    assert sorted(seen["beta"]) == list(range(2000))
    # read_logs puts rotated files oldest first, so each writer's lines come back in order.
    by_writer: dict[str, list[int]] = {"alpha": [], "beta": []}
    for rec in logs.read_logs(log_dir):
        by_writer[rec.fields["who"]].append(rec.fields["seq"])
    assert by_writer == {"alpha": list(range(2000)), "beta": list(range(2000))}


def test_a_process_reopens_after_another_rotated(log_dir: Path) -> None:
    logs.configure(log_dir, process="me", max_bytes=10_000_000)
    log.info("before")
    os.replace(log_dir / "studiosync.log", log_dir / "studiosync.log.1")  # "another process" rotated
    log.info("after")
    assert [r["message"] for r in json_lines(log_dir)] == ["after"]
    assert [r.message for r in logs.read_logs(log_dir)] == ["before", "after"]


# --- follow -----------------------------------------------------------------------------------


def _drain(gen: Iterator[logs.LogRecordView | None], want: int, timeout: float = 15.0) -> list[str]:
    got: list[str] = []
    deadline = time.monotonic() + timeout
    for rec in gen:
        if rec is not None:
            got.append(rec.message)
        if len(got) >= want or time.monotonic() > deadline:
            break
    return got


@pytest.mark.parametrize("poll", [0.001, 0.25], ids=["fast-poll", "slow-poll-many-rotations-per-tick"])
def test_follow_across_rotation_sees_every_line_once(log_dir: Path, poll: float) -> None:
    logs.configure(log_dir, process="daemon", max_bytes=4_000, backups=500)
    log.info("written before following")
    gen = logs.follow_logs(log_dir, poll=poll)
    assert next(gen) is None  # now positioned at the end of the file
    count = 1500

    def write() -> None:
        for i in range(count):
            log.info("n=%d", i)

    writer = threading.Thread(target=write)
    writer.start()
    got = _drain(gen, count)
    writer.join()
    gen.close()
    assert got == [f"n={i}" for i in range(count)]
    assert len(list(log_dir.glob("studiosync.log.*"))) > 20


def test_follow_drains_the_old_file_when_a_rotation_races_the_poll(
    log_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Make the race deterministic: between the follower's last read of the old file and its check
    # of the path, a line is appended to the old file and the file is rotated.
    logs.configure(log_dir, process="daemon")
    gen = logs.follow_logs(log_dir, poll=0.01)
    assert next(gen) is None
    real_stat = os.stat
    armed = True

    def racing_stat(path: object, *args: object, **kwargs: object) -> os.stat_result:
        nonlocal armed
        if armed and Path(str(path)) == log_dir / "studiosync.log":
            armed = False
            log.info("last line of the old file")
            os.replace(log_dir / "studiosync.log", log_dir / "studiosync.log.1")
            log.info("first line of the new file")
        return real_stat(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "stat", racing_stat)  # the follower reads os.stat
    assert _drain(gen, 2, timeout=5) == ["last line of the old file", "first line of the new file"]
    gen.close()


def test_follow_survives_truncation_and_malformed_lines(log_dir: Path) -> None:
    logs.configure(log_dir, process="daemon")
    stop = threading.Event()
    gen = logs.follow_logs(log_dir, poll=0.01, stop=stop)
    assert next(gen) is None
    for i in range(5):
        log.info("first-%d with some padding to make the file longer", i)
    first = _drain(gen, 5)
    os.truncate(log_dir / "studiosync.log", 0)  # e.g. `: > studiosync.log`
    log.info("second-0")
    with open(log_dir / "studiosync.log", "a") as fh:
        fh.write("Traceback (most recent call last): not json\n")
    log.info("second-1")
    second = _drain(gen, 3)
    stop.set()
    assert list(gen) in ([], [None])  # stop ends the generator
    assert first == [f"first-{i} with some padding to make the file longer" for i in range(5)]
    assert second == ["second-0", "Traceback (most recent call last): not json", "second-1"]


def test_follow_waits_for_a_missing_file_and_filters(log_dir: Path) -> None:
    log_dir.mkdir()
    gen = logs.follow_logs(log_dir, poll=0.01, user="ann", level="warning")
    assert next(gen) is None  # nothing there yet
    logs.configure(log_dir, process="cli")
    with logs.log_context(user="ann"):
        log.info("ann info")
        log.error("ann error")
    with logs.log_context(user="bob"):
        log.error("bob error")
    with logs.log_context(user="ann"):
        log.critical("ann critical")
    assert _drain(gen, 2) == ["ann error", "ann critical"]
    gen.close()


def test_follow_from_start(log_dir: Path) -> None:
    logs.configure(log_dir, process="cli")
    log.info("old")
    gen = logs.follow_logs(log_dir, from_start=True, poll=0.01)
    assert _drain(gen, 1) == ["old"]
    gen.close()


# --- reading and filters ----------------------------------------------------------------------


def test_read_logs_filters(log_dir: Path) -> None:
    logs.configure(log_dir, process="daemon", level="DEBUG")
    log.debug("debug")
    with logs.log_context(job="google-sync", user="ann"):
        log.info("ann sync")
        log.warning("ann warn")
    with logs.log_context(job="log-cleanup"):
        log.error("cleanup error")
    with open(log_dir / "studiosync.log", "a") as fh:
        fh.write("garbage line\n")

    def msgs(**kw: object) -> list[str]:
        return [r.message for r in logs.read_logs(log_dir, **kw)]  # type: ignore[arg-type]

    assert msgs() == ["debug", "ann sync", "ann warn", "cleanup error", "garbage line"]
    assert msgs(user="ann") == ["ann sync", "ann warn"]
    assert msgs(job="log-cleanup") == ["cleanup error"]
    assert msgs(level="warn") == ["ann warn", "cleanup error"]
    assert msgs(level="Error") == ["cleanup error"]
    assert msgs(level="info", user="ann") == ["ann sync", "ann warn"]
    assert msgs(since=datetime.now(UTC) + timedelta(hours=1)) == ["garbage line"]
    assert len(msgs(since=datetime.now(UTC) - timedelta(hours=1))) == 5
    garbage = logs.read_logs(log_dir)[-1]
    assert (garbage.level, garbage.time, garbage.raw) == ("INFO", None, "garbage line")
    first = logs.read_logs(log_dir)[1]
    assert (first.process, first.job, first.user, first.run_id) == ("daemon", "google-sync", "ann", None)
    assert first.time is not None and first.time.tzinfo is not None
    with pytest.raises(InputError, match="not a log level"):
        logs.read_logs(log_dir, level="chatty")


def test_read_logs_of_missing_dir_is_empty(tmp_path: Path) -> None:
    assert logs.read_logs(tmp_path / "nope") == []


# --- cleanup ----------------------------------------------------------------------------------


def test_cleanup_rotated(log_dir: Path) -> None:
    logs.configure(log_dir, process="daemon")
    log.info("live")
    now = time.time()
    ages = {1: 1, 2: 5, 3: 10, 4: 40}  # days
    for n, days in ages.items():
        path = log_dir / f"studiosync.log.{n}"
        path.write_text("{}\n")
        os.utime(path, (now - days * 86400, now - days * 86400))
    (log_dir / "other.txt").write_text("keep")
    os.utime(log_dir / "studiosync.log", (now - 90 * 86400, now - 90 * 86400))
    deleted = logs.cleanup_rotated(log_dir, timedelta(days=7))
    assert sorted(p.name for p in deleted) == ["studiosync.log.3", "studiosync.log.4"]
    remaining = sorted(p.name for p in log_dir.iterdir() if not p.name.startswith("."))
    assert remaining == ["other.txt", "studiosync.log", "studiosync.log.1", "studiosync.log.2"]
    assert logs.cleanup_rotated(log_dir, timedelta(days=7)) == []
