"""The fuzz corpus of bad arguments (tests/fuzz_corpus.py) through the real entry point, `studiosync`'s
main: each case exits 2 with exactly one line on stderr, no traceback, nothing on stdout, and leaves the
data directory byte-identical (every file's bytes, mode, inode and mtime, directories included)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import stat
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from studiosync.core.model.clients import Client
from studiosync.core.studio.studio import Studio

from tests.fuzz_corpus import corpus
from tests.test_cli_errors import GOOD_SECRETS

CASES = list(corpus())


def build_studio(home: Path, files: Path) -> dict[str, str]:
    """The data dir the cases run against: users, a resource, groups, a client, an appointment, email and
    Google settings, a backup, a log; plus the input files the cases name ({dir})."""
    files.mkdir(parents=True, exist_ok=True)
    studio = Studio.open(home)
    studio.users.add("ann", "Ann", admin=True)
    studio.users.add("room", "Room 1", kind="resource")
    studio.users.add("cal", "Cal")
    vip = studio.groups.add("VIP")
    studio.groups.add("Unused")
    studio.clients.save_many([Client(id="c1", name="Cy", emails=["cy@example.com"], group=vip.id)])
    studio.prefs.set_timezone("Europe/Berlin")
    studio.prefs.set_email(host="smtp.example.com", port=587, from_addr="studio@example.com")
    start = datetime(2027, 1, 5, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    appt = studio.appointments.add("ann", title="Shoot", start=start, end=start + timedelta(hours=1))
    (files / "good.json").write_text(json.dumps(GOOD_SECRETS))
    studio.prefs.set_google(client_secrets=files / "good.json")
    latin1 = {"installed": {**GOOD_SECRETS["installed"], "client_id": "caf\xe9"}}  # valid, but not UTF-8
    (files / "latin1.json").write_bytes(json.dumps(latin1, ensure_ascii=False).encode("latin-1"))
    (files / "big.json").write_bytes(b" " * (1024 * 1024 + 1))
    (files / "notjson.json").write_text("client_id=abc\n")
    (files / "list.json").write_text(json.dumps([GOOD_SECRETS]))
    (files / "service.json").write_text(json.dumps({"type": "service_account"}))
    (files / "empty.json").write_text("")
    os.mkfifo(files / "fifo.json")
    from studiosync.tui.cli import main

    for argv in (["jobs", "list"], ["jobs", "run", "backup"]):
        main(["--home", str(home), *argv])  # job settings, a backup and a log exist before any case
    return {"{appt}": appt.id, "{dir}": str(files), "{home}": str(home)}


def fingerprint(root: Path) -> dict[str, tuple[int, str]]:
    """path -> (mode, sha256 of the bytes, or 'dir'), for every entry under root (root included)."""
    found = {".": (stat.S_IMODE(root.stat().st_mode), "dir")}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            st = path.lstat()
            digest = "dir" if stat.S_ISDIR(st.st_mode) else hashlib.sha256(path.read_bytes()).hexdigest()
            found[path.relative_to(root).as_posix()] = (
                stat.S_IMODE(st.st_mode),
                f"{digest}:{st.st_mtime_ns}",
            )
    return found


@pytest.fixture(scope="module")
def studio_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, str]]]:
    base = tmp_path_factory.mktemp("fuzz")
    with pytest.MonkeyPatch.context() as mp:  # module scope: the per-test isolation is not there yet
        mp.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
        mp.setenv("XDG_DATA_HOME", str(base / "xdg"))
        mp.setenv("STUDIOSYNC_COMPUTER", "studio-pc")
        places = build_studio(base / "home", base / "files")
        yield base / "home", places


def expand(argv: list[str], places: dict[str, str]) -> list[str]:
    out = []
    for word in argv:
        for key, value in places.items():
            word = word.replace(key, value)
        out.append(word)
    return out


@pytest.mark.parametrize(("case", "argv"), CASES, ids=[c for c, _ in CASES])
def test_bad_argument_is_refused_and_changes_nothing(
    case: str, argv: list[str], studio_dir, capsys, monkeypatch
) -> None:
    from studiosync.tui.cli import main

    home, places = studio_dir
    monkeypatch.setenv("STUDIOSYNC_COMPUTER", "studio-pc")
    monkeypatch.setattr(sys, "stdin", io.StringIO("secret\n"))
    full = expand(argv, places)
    if full[0] != "--home":
        full = ["--home", str(home), *full]
    before = fingerprint(home)
    capsys.readouterr()
    try:
        code = main(full)
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    assert code == 2, f"exit {code}: {err or out}"
    assert len(err.splitlines()) == 1 and err.endswith("\n"), err
    assert "Traceback" not in err and "internal error" not in err
    assert out == ""
    assert fingerprint(home) == before
