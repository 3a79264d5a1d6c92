"""Hostile text through every output: stored as given, shown with its control characters escaped.

An event titled `ESC ]0;owned BEL ESC [2J` (retitle the terminal, clear the screen), a C1 CSI, U+2028 and a
right-to-left override go into Google (the emulator), are pulled by a real sync, and must come out of
`appointments list` (table and --json), `appointments show`, `studiosync logs` and the emails without one
raw control character -- while the store keeps the title exactly as Google has it.
"""

from __future__ import annotations

import json
from email import policy
from email.parser import BytesParser

import pytest
from studiosync.core.store import layout
from studiosync.core.text import first_unsafe

from tests.smtp_server import smtp_server  # noqa: F401 - the real local SMTP server fixture
from tests.sync.helpers import SyncWorld, soon

HOSTILE = "\x1b]0;owned\x07\x1b[2J|\x9b|\u2028|\u202e|[bold]b[/bold]"
SHOWN = "\\x1b]0;owned\\x07\\x1b[2J|\\x9b|\\u2028|\\u202e|[bold]b[/bold]"


def _safe(text: str) -> bool:
    """Nothing a terminal would act on: only printable characters, line breaks and the tab."""
    return first_unsafe(text.replace("\n", "").replace("\t", "")) is None


@pytest.fixture
def pulled(world: SyncWorld) -> SyncWorld:
    world.add_user("ann")
    world.add_event("ann", HOSTILE, soon(2), description="notes\x1b[31m red\u2028\u202e")
    world.sync_ok()
    (appt,) = world.appts("ann")
    assert appt.title == HOSTILE  # stored as given
    return world


PULLED, PULLED_SHOWN = HOSTILE, SHOWN


def test_table_and_json_of_a_title_pulled_from_google(pulled: SyncWorld, cli) -> None:
    # A second appointment whose title holds a line separator (as an older version could store it).
    (appt,) = pulled.appts("ann")
    appt.id, appt.google_event_id = layout.new_appointment_id("ann"), None
    appt.title = "first\u2028fake row\nanother"
    pulled.studio.appointments.save_many("ann", [appt])
    r = cli("appointments", "list")
    assert r.code == 0 and _safe(r.out), r.out
    assert PULLED_SHOWN in r.out and "first\\u2028fake row\\nanother" in r.out
    assert len(r.out.splitlines()) == 3  # header + two rows: no line break of a title made a row of its own
    r = cli("appointments", "list", "--json")
    assert r.code == 0 and _safe(r.out)
    docs = json.loads(r.out)
    assert {d["title"] for d in docs} == {PULLED, appt.title}  # JSON-escaped: scripts read the exact titles
    assert "\\u001b]0;owned\\u0007" in r.out and "\\u009b" in r.out and "\\u2028" in r.out


def test_show_and_notes_from_google(pulled: SyncWorld, cli) -> None:
    (appt,) = pulled.appts("ann")
    r = cli("appointments", "show", appt.id)
    assert r.code == 0 and _safe(r.out) and PULLED_SHOWN in r.out
    r = cli("appointments", "show", appt.id, "--json")
    assert json.loads(r.out)["notes"] == "notes\x1b[31m red\u2028\u202e" and _safe(r.out)


def test_typed_text_refused_in_a_title_kept_in_notes(world: SyncWorld, cli) -> None:
    cli("users", "add", "bob", "--name", "Bob")
    r = cli(
        "appointments",
        "add",
        "bob",
        "--title",
        HOSTILE,
        "--start",
        "2027-01-05T10:00",
        "--end",
        "2027-01-05T11:00",
    )
    assert r.code == 2 and r.err_lines == [
        "studiosync: error: the title contains ESC (\\x1b); it must be one line of plain text"
    ]
    r = cli(
        "appointments",
        "add",
        "bob",
        "--title",
        "[bold]typed[/bold] \u200f",
        "--start",
        "2027-01-05T10:00",
        "--end",
        "2027-01-05T11:00",
        "--notes",
        "line one\nline two \x1b[2J",
    )
    assert r.code == 2 and "RIGHT-TO-LEFT MARK (U+200F)" in r.err  # an invisible mark is refused too
    r = cli(
        "appointments",
        "add",
        "bob",
        "--title",
        "[bold]typed[/bold]",
        "--start",
        "2027-01-05T10:00",
        "--end",
        "2027-01-05T11:00",
        "--notes",
        "line one\nline two \x1b[2J\x00",
    )
    assert r.code == 0, r.err
    appt_id = r.out.strip()
    appt = world.studio.appointments.get(appt_id)
    assert appt.notes == "line one\nline two \x1b[2J"  # as typed, minus NUL
    out = cli("appointments", "list", "bob").out
    assert "[bold]typed[/bold]" in out and _safe(out)
    r = cli("appointments", "show", appt_id, "--json")
    assert _safe(r.out) and json.loads(r.out)["notes"] == appt.notes


def test_logs_text_output(world: SyncWorld, cli) -> None:
    world.add_user("ann")
    world.add_event("ann", HOSTILE, soon(2))
    assert cli("sync").code == 0  # the CLI run writes the studio log
    r = cli("logs")
    assert r.code == 0 and _safe(r.out), [line for line in r.out.splitlines() if not _safe(line)]
    pulled_line = next(line for line in r.out.splitlines() if "pulled new event" in line)
    assert f"title={PULLED_SHOWN}" in pulled_line
    r = cli("logs", "--json")
    assert _safe(r.out) and any(rec.get("title") == PULLED for rec in json.loads(r.out))
    raw = (world.home / "logs" / "studiosync.log").read_text(encoding="utf-8")
    assert _safe(raw) and "\\u001b]0;owned\\u0007" in raw and "\\u009b" in raw  # the file itself too


def test_emails_subject_header_and_body(world: SyncWorld, smtp_server) -> None:  # noqa: F811
    world.studio.prefs.set_email(
        host=smtp_server.host, port=smtp_server.port, security="none", from_addr="studio@example.com"
    )
    world.add_user("ann", warn_email="ann.owner@example.com", detailed_logs=True)
    # A name stored by an older version (typed names with controls are refused now): "as given".
    with world.studio.store.transaction(layout.STUDIO) as tx:
        table = tx.table(layout.STUDIO, "users")
        table.put("ann", {**dict(table.get(doc_id="ann")), "name": "Ann\r\nBcc: evil@example.com\x1b[2J"})
    world.add_event("ann", HOSTILE, soon(2))
    world.emu.revoke_grant(world.emails["ann"])  # an error run: warning email + detailed log
    world.sync()
    assert len(smtp_server.messages) == 2
    for received in smtp_server.messages:
        raw = received.message.as_bytes()
        assert received.rcpt_tos == ["ann.owner@example.com"]  # no header injection reached the envelope
        parsed = BytesParser(policy=policy.default).parsebytes(raw)
        assert "Bcc" not in parsed and parsed.get_all("Subject") and len(parsed.get_all("Subject")) == 1
        subject = str(parsed["Subject"])
        assert _safe(subject) and "\\x1b[2J" in subject, subject
        assert _safe(parsed.get_content())
