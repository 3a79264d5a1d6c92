"""Every refusal rule of issue 11 point 5, with its exact one-line message, through the CLI and the services
the console calls (the rules live in core services, so both faces refuse the same way).

The broad table of bad arguments is tests/test_cli_fuzz.py; here each rule is pinned down once, with the
case next to it that is accepted.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from studiosync.core.errors import InputError
from studiosync.core.studio.studio import Studio

from tests.conftest import studiosync_executable
from tests.helpers.files import changed, snapshot
from tests.test_cli_errors import GOOD_SECRETS

APPT = ["--title", "T", "--start", "2027-01-05T10:00", "--end", "2027-01-05T11:00"]


@pytest.fixture
def studio(home: Path) -> Studio:
    studio = Studio.open(home)
    studio.users.add("ann", "Ann")
    studio.prefs.set_timezone("Europe/Berlin")
    return studio


def refused(cli, *argv: str, stdin: str | None = None) -> str:
    """Run a command that must be refused: exit 2, one line, nothing changed; returns the line."""
    home = Path(argv[argv.index("--home") + 1]) if "--home" in argv else None
    root = home if home is not None and home.is_dir() else None
    before = snapshot(root) if root else None
    r = cli(*argv, stdin=stdin)
    assert r.code == 2 and r.out == "" and len(r.err_lines) == 1, (r.code, r.out, r.err)
    if root:
        assert changed(before, snapshot(root)) == set()
    return r.err_lines[0].removeprefix("studiosync: error: ")


def test_years_outside_1900_2200(studio: Studio, cli, home: Path) -> None:
    before = snapshot(home)
    for start, end in [
        ("9999-12-31", "9999-12-31"),
        ("0001-01-01T10:00", "0001-01-01T11:00"),
        ("2201-01-01", "2201-01-02"),
    ]:
        r = cli("appointments", "add", "ann", "--title", "T", "--start", start, "--end", end)
        assert (
            r.code == 2
            and len(r.err_lines) == 1
            and "is outside the years 1900-2200; check the year" in r.err
        )
    assert changed(before, snapshot(home)) == set()
    r = cli("appointments", "add", "ann", "--title", "T", "--start", "2200-12-31", "--end", "2200-12-31")
    assert r.code == 0, r.err


def test_dst_gap_is_refused_with_the_two_real_times(studio: Studio, cli) -> None:
    before = snapshot(studio.datadir.root)
    r = cli(
        "appointments",
        "add",
        "ann",
        "--title",
        "T",
        "--start",
        "2027-03-28T02:30",
        "--end",
        "2027-03-28T04:00",
    )
    assert r.code == 2 and r.err_lines == [
        "studiosync: error: start 2027-03-28 02:30 does not exist in Europe/Berlin (the clocks jump from 02:00 to "
        "03:00 that night); use 2027-03-28 01:30 or 2027-03-28 03:30"
    ]
    assert changed(before, snapshot(studio.datadir.root)) == set()


def test_dst_overlap_takes_the_first_and_says_so(studio: Studio, cli) -> None:
    r = cli(
        "appointments",
        "add",
        "ann",
        "--title",
        "T",
        "--start",
        "2027-10-31T02:30",
        "--end",
        "2027-10-31T04:00",
    )
    assert r.code == 0 and r.err_lines == [
        "studiosync: note: start 2027-10-31 02:30 happens twice in Europe/Berlin (the clocks go back that night): "
        "took the first, 2027-10-31T02:30+02:00; for the second give 2027-10-31T02:30+01:00"
    ]
    appt = studio.appointments.get(r.out.strip())
    assert appt.start.utcoffset().total_seconds() == 7200
    r = cli("appointments", "edit", appt.id, "--start", "2027-10-31T02:30+01:00")
    assert r.code == 0 and r.err == ""  # an explicit offset is not ambiguous


def test_non_utf8_argument_through_the_real_program_writes_nothing(studio: Studio, home: Path) -> None:
    """Bytes that are not UTF-8 (a Latin-1 terminal) in --title: refused before the pending file is touched."""
    before = snapshot(home)
    exe = os.fsencode(studiosync_executable())
    argv = [exe, b"--home", os.fsencode(home), b"appointments", b"add", b"ann", b"--title", b"caf\xe9", b"--start",
            b"2027-01-05T10:00", b"--end", b"2027-01-05T11:00"]  # fmt: skip
    result = subprocess.run(argv, capture_output=True, timeout=60)
    assert result.returncode == 2 and result.stdout == b""
    assert (
        result.stderr
        == b"studiosync: error: argument 7 (caf\\xe9) is not valid UTF-8 text; nothing was changed\n"
    )
    assert changed(before, snapshot(home)) == set()
    assert studio.appointments.pending_ids("ann") == []


@pytest.mark.parametrize(
    ("field", "argv", "message"),
    [
        (
            "title",
            ["appointments", "add", "ann", *APPT[:1], "a\nb", *APPT[2:]],
            "the title contains a line break (\\n); it must be one line of plain text",
        ),
        (
            "title",
            ["appointments", "add", "ann", *APPT[:1], "a\rb", *APPT[2:]],
            "the title contains a carriage return (CR) (\\r); it must be one line of plain text",
        ),
        (
            "title",
            ["appointments", "add", "ann", *APPT[:1], "a\x1bb", *APPT[2:]],
            "the title contains ESC (\\x1b); it must be one line of plain text",
        ),
        (
            "title",
            ["appointments", "add", "ann", *APPT[:1], "a\u2028b", *APPT[2:]],
            "the title contains LINE SEPARATOR (U+2028); it must be one line of plain text",
        ),
        (
            "title",
            ["appointments", "add", "ann", *APPT[:1], "a\u202eb", *APPT[2:]],
            "the title contains RIGHT-TO-LEFT OVERRIDE (U+202E); it must be one line of plain text",
        ),
        (
            "name",
            ["users", "add", "bob", "--name", "Bob\x1b[2J"],
            "the display name contains ESC (\\x1b); it must be one line of plain text",
        ),
        (
            "name",
            ["users", "add", "bob", "--name", "B" * 201],
            "the display name is 201 characters long; at most 200 are allowed",
        ),
        (
            "name",
            ["clients", "add", "C" * 131072],
            "the client name is 131072 characters long; at most 200 are allowed",
        ),
        (
            "notes",
            ["appointments", "add", "ann", *APPT, "--notes", "n" * (64 * 1024 + 1)],
            "the notes are 65,537 bytes long; at most 65,536 (64 KiB) are allowed",
        ),
        (
            "login",
            ["users", "add", "bob\n", "--name", "Bob"],
            "invalid login 'bob\\\\n': use 1-32 lowercase letters, digits, '.', '_' or '-', starting with a letter",
        ),
        (
            "group",
            ["groups", "add", "VIP\u2029"],
            "the client group name contains PARAGRAPH SEPARATOR (U+2029); it must be one line of plain text",
        ),
        (
            "smtp host",
            ["prefs", "email", "--host", "/etc/passwd", "--port", "25", "--from", "s@example.com"],
            "invalid SMTP host '/etc/passwd': not a host name or IP address (e.g. smtp.example.com)",
        ),
        (
            "smtp host",
            [
                "prefs",
                "email",
                "--host",
                "smtp.example.com\r\nRCPT TO:<x@y.z>",
                "--port",
                "25",
                "--from",
                "s@example.com",
            ],
            "the SMTP host contains a carriage return (CR) (\\r); it must be one line of plain text",
        ),
        (
            "smtp user",
            [
                "prefs",
                "email",
                "--host",
                "smtp.example.com",
                "--port",
                "587",
                "--from",
                "s@example.com",
                "--username",
                "u\nAUTH",
            ],
            "the SMTP username contains a line break (\\n); it must be one line of plain text",
        ),
        (
            "from",
            [
                "prefs",
                "email",
                "--host",
                "smtp.example.com",
                "--port",
                "587",
                "--from",
                "s@example.com\nBcc: x@y.z",
            ],
            "'s@example.com\\nBcc: x@y.z' is not a valid email address (it holds a control character)",
        ),
    ],
)
def test_single_line_fields_and_lengths(
    studio: Studio, cli, field: str, argv: list[str], message: str
) -> None:
    assert refused(cli, *argv) == message


def test_notes_keep_line_breaks(studio: Studio, cli) -> None:
    r = cli("appointments", "add", "ann", *APPT, "--notes", "first\nsecond\ttab\x1b[1m")
    assert r.code == 0 and studio.appointments.get(r.out.strip()).notes == "first\nsecond\ttab\x1b[1m"


def test_plaintext_password_needs_allow_plaintext(studio: Studio, cli) -> None:
    argv = ["prefs", "email", "--host", "smtp.example.com", "--port", "25", "--security", "none", "--username", "u",
            "--from", "s@example.com", "--password-stdin"]  # fmt: skip
    before = snapshot(studio.datadir.root)
    assert refused(cli, *argv, stdin="pw\n") == (
        "security none would send the SMTP password in clear text to smtp.example.com (fix: use --security starttls "
        "(port 587) or ssl (port 465); for a trusted relay on your own network add --allow-plaintext)"
    )
    assert changed(before, snapshot(studio.datadir.root)) == set()  # not even the password was stored
    assert cli(*argv, "--allow-plaintext", stdin="pw\n").code == 0
    assert studio.prefs.get().email.allow_plaintext is True
    # Without the flag again: refused, though the password is already stored (it would still travel in clear).
    assert "in clear text" in refused(cli, *[a for a in argv if a != "--password-stdin"])
    loopback = [a if a != "smtp.example.com" else "127.0.0.1" for a in argv]
    assert cli(*loopback, stdin="pw\n").code == 0  # a relay on this computer: nothing crosses a network


def test_client_secrets_must_be_a_small_regular_utf8_file(studio: Studio, cli, tmp_path: Path) -> None:
    latin1 = tmp_path / "latin1.json"
    latin1.write_bytes(
        json.dumps(
            {"installed": {**GOOD_SECRETS["installed"], "client_id": "caf\xe9"}}, ensure_ascii=False
        ).encode("latin-1")
    )
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (1024 * 1024 + 1))
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    cases = {
        str(latin1): f"OAuth client secrets file {latin1} is not UTF-8 text (byte 0xe9 at offset ",
        "/dev/zero": "OAuth client secrets file /dev/zero is a device, not a regular file",
        str(fifo): f"OAuth client secrets file {fifo} is a FIFO (named pipe), not a regular file",
        str(tmp_path): f"OAuth client secrets file {tmp_path} is a directory, not a regular file",
        str(big): f"OAuth client secrets file {big} is larger than 1024 KiB",
    }

    def hung(signum: int, frame: object) -> None:
        raise TimeoutError("still reading: a FIFO or /dev/zero must never block or be read forever")

    previous = signal.signal(signal.SIGALRM, hung)
    try:
        for path, message in cases.items():
            signal.alarm(20)
            line = refused(cli, "prefs", "google", "--client-secrets", path)
            signal.alarm(0)
            assert line.startswith(message), line
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_home_empty_or_a_file(cli, tmp_path: Path) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    for home, message in [
        ("", "--home is empty; give the data directory (or leave --home out for the default)"),
        (str(a_file), f"the data directory {a_file} is a file, not a directory (fix: give another --home)"),
        (
            str(a_file / "sub"),
            f"cannot create data directory {a_file / 'sub'}: Not a directory (fix: give another --home)",
        ),
    ]:
        r = cli("--home", home, "users", "list", home_dir=False)
        assert r.code == 2 and r.err_lines == [f"studiosync: error: {message}"], r.err
    assert a_file.read_text() == "x"
    assert not (tmp_path / "default-home").exists()


def test_services_refuse_the_same_for_the_console(studio: Studio) -> None:
    """The console's forms call these services: same rules, same words."""
    tz = ZoneInfo("Europe/Berlin")
    start = datetime(2027, 1, 5, 10, tzinfo=tz)
    with pytest.raises(InputError, match=r"the title contains ESC"):
        studio.appointments.add("ann", title="x\x1b[2J", start=start, end=start.replace(hour=11))
    with pytest.raises(InputError, match=r"outside the years 1900-2200"):
        studio.appointments.add(
            "ann", title="x", start=start.replace(year=9999), end=start.replace(year=9999, hour=11)
        )
    with pytest.raises(InputError, match=r"the display name contains a line break"):
        studio.users.update("ann", name="Ann\nB")
    with pytest.raises(InputError, match=r"invalid SMTP host"):
        studio.prefs.set_email(host="/etc/passwd", port=25, from_addr="s@example.com")
    with pytest.raises(InputError, match=r"in clear text"):
        studio.prefs.set_email(
            host="smtp.example.com",
            port=25,
            security="none",
            username="u",
            password="pw",
            from_addr="s@example.com",
        )
    # A title pulled from Google is kept as given when an edit leaves it alone.
    appt = studio.appointments.add("ann", title="ok", start=start, end=start.replace(hour=11))
    appt.title = "from Google\x1b[1m"
    studio.appointments.save_many("ann", [appt])
    edited = studio.appointments.edit(appt.id, title=appt.title, notes="new notes")
    assert edited.title == "from Google\x1b[1m" and edited.notes == "new notes"
