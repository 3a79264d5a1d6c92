"""What the after-run alert bookkeeping costs per user run, and what a day of failing runs sends.

    .venv/bin/python bench/alerts.py [USERS]

A studio of USERS (default 20) users with warning emails set and a local SMTP server (aiosmtpd). For
each user, after a run, `core.sync.outcomes.notify` (diagnosis + alert decision + record) is timed for:
  - a healthy user (nothing to tell: one read, no lock, no write),
  - a user whose problem was already told (a standing problem: one read, no write),
then a simulated day of one failing run every minute per user (the live passes' pace) counts the emails
that actually went out. Prints the figures; not a timed test.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")

from studiosync.core import clock  # noqa: E402
from studiosync.core.model.users import GooglePrefs  # noqa: E402
from studiosync.core.studio.studio import Studio  # noqa: E402
from studiosync.core.sync.outcomes import notify  # noqa: E402
from studiosync.core.sync.runs import UserRunResult, zero_counts  # noqa: E402

from tests.smtp_server import LocalSMTPServer  # noqa: E402

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def result(login: str, ok: bool) -> UserRunResult:
    if ok:
        return UserRunResult(login, "ok", clock.now().isoformat(), 0.1, zero_counts())
    return UserRunResult(
        login,
        "error",
        clock.now().isoformat(),
        0.1,
        zero_counts(),
        error="Google no longer accepts this user's authorization.",
        cause="grant_revoked",
        fix="Re-authenticate.",
    )


def timed(studio: Studio, prefs: list, ok: bool) -> float:
    start = time.perf_counter()
    for p in prefs:
        notify(studio, p, result(p.login, ok), [])
    return (time.perf_counter() - start) / len(prefs) * 1000


def main() -> None:
    users = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    now = [T0]
    clock.install(lambda: now[0])
    with tempfile.TemporaryDirectory() as tmp, LocalSMTPServer() as server:
        studio = Studio.open(Path(tmp) / "home")
        studio.prefs.set_email(host=server.host, port=server.port, security="none", from_addr="s@example.com")
        for i in range(users):
            login = f"u{i:03d}"
            studio.users.add(login, f"User {i}")
            tab = GooglePrefs(login=login, enabled=True, account_email=f"{login}@example.com")
            tab.calendar_id = tab.warn_email = tab.account_email
            studio.users.save_google_prefs(tab)
        prefs = [studio.users.google_prefs(f"u{i:03d}") for i in range(users)]
        healthy = timed(studio, prefs, ok=True)
        first = timed(studio, prefs, ok=False)  # each user's problem starts: one email each
        now[0] += timedelta(minutes=1)
        standing = timed(studio, prefs, ok=False)
        sent_before = len(server.messages)
        for _ in range(24 * 60 - 1):  # the rest of the day, a failing pass every minute
            now[0] += timedelta(minutes=1)
            for p in prefs:
                notify(studio, p, result(p.login, ok=False), [])
        day = len(server.messages) - sent_before
        print(f"users: {users}")
        print(f"after-run alert bookkeeping, healthy user:        {healthy:.2f} ms")
        print(f"after-run alert bookkeeping, problem starts:      {first:.2f} ms (one email sent)")
        print(f"after-run alert bookkeeping, standing problem:    {standing:.2f} ms")
        print(f"emails in a day of failing passes every minute:   {day / users:.1f} per user (the reminder)")


if __name__ == "__main__":
    main()
