"""Request counts for a studio edit Google refuses, over three sync runs (issue 12's closing note).

    .venv/bin/python bench/refused.py

A photographer's invitation from a venue (organized by someone else) is changed in the studio the way an
older version let it be (straight into the book, pending); Google refuses it (403 forbiddenForNonOrganizer).
Three sync runs follow; after each, the emulator's counters are read over HTTP (GET /_emulator/requests):
Calendar requests (batch sub-calls included), batch POSTs, and Calendar writes when the emulator counts them.
Prints one table and the run statuses. Not a timed test.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import urllib.parse
import urllib.request
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")

from studiosync.core.emulator import GoogleEmulator  # noqa: E402
from studiosync.core.studio.timeparse import stamp  # noqa: E402

from tests.sync.helpers import SyncWorld  # noqa: E402

RUNS = 3


def _report(emu: GoogleEmulator, email: str) -> dict:
    url = f"{emu.url}/_emulator/requests?account={urllib.parse.quote(email)}"
    with urllib.request.urlopen(url, timeout=10) as resp:
        return json.loads(resp.read())


def main() -> int:
    start = (datetime.now(UTC) + timedelta(days=3)).replace(hour=14, minute=0, second=0, microsecond=0)
    with tempfile.TemporaryDirectory() as tmp, GoogleEmulator() as emu:
        world = SyncWorld.create(Path(tmp) / "home", emu)
        email = world.add_user("ann")
        ev = emu.add_invitation(
            email,
            organizer="events@venue.example",
            start=start.isoformat(),
            end=(start + timedelta(hours=1)).isoformat(),
            summary="Venue walkthrough",
            response="accepted",
        )
        world.sync_ok("ann")
        (appt,) = [a for a in world.appts("ann") if a.google_event_id == ev["id"]]
        edited = replace(appt, title="Our walkthrough", revision=appt.revision + 1, updated=stamp())
        world.studio.appointments.save_many("ann", [edited], mark_pending=True)

        rows = []
        for n in range(1, RUNS + 1):
            emu.reset_counts(email)
            user = world.sync("ann").users[0]
            report = _report(emu, email)
            writes = report.get("writes", {}).get("calendar", "n/a")
            rows.append((n, report["counts"]["calendar"], report["counts"]["batch"], writes, user.status))
        kept = world.studio.appointments.get(appt.id)

    print(f"{'run':>3}  {'Calendar requests':>17}  {'batch POSTs':>11}  {'Calendar writes':>15}  status")
    for n, calendar, batch, writes, status in rows:
        print(f"{n:>3}  {calendar:>17}  {batch:>11}  {writes!s:>15}  {status}")
    total = sum(r[1] for r in rows)
    print(f"total Calendar requests over {RUNS} runs: {total}")
    print(
        f"studio title after the runs: {kept.title!r} (Google's: 'Venue walkthrough'); pending: {kept.dirty}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
