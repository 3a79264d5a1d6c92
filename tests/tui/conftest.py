"""Fixtures for the console: a studio with fixed data and a frozen clock, so screens are deterministic.

Everything time-dependent in core reads `now_utc()`; the `frozen` fixture pins it (and the computer
name), so next-run times, "5 min ago" and heartbeats come out the same on every machine.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import os
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from studiosync.core.store import layout
from studiosync.core.studio.studio import Studio
from studiosync.tui.app import StudioSyncApp
from studiosync.tui.clock import fixed_clock

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # Tue 01 Dec 2026, 10:00 in London (GMT in winter)
COMPUTER = "studio-pc"
SECRETS = Path("/tmp/studiosync-tui-tests/client_secret.json")  # fixed path: it is shown on screen
ANN = "ann@example.com"
BEN = "ben@example.com"


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run `async def` tests in a fresh event loop (no async plugin needed for pilot tests)."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    args = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}  # noqa: SLF001
    asyncio.run(pyfuncitem.obj(**args))
    return True


def at(minutes: int) -> str:
    return (NOW + timedelta(minutes=minutes)).isoformat(timespec="milliseconds")


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> datetime:
    return freeze(monkeypatch)


def freeze(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """Pin the one clock (core.clock) every product path reads, until `monkeypatch` is undone."""
    from studiosync.core import clock

    monkeypatch.setenv("STUDIOSYNC_COMPUTER", COMPUTER)
    monkeypatch.setattr(clock, "_current", fixed_clock(NOW))
    return NOW


def write_client_secrets() -> Path:
    SECRETS.parent.mkdir(parents=True, exist_ok=True)
    # Several xdist workers (or test runs) write this shared path at once: write a private temp file and
    # rename it into place, so a reader never sees a half-written file.
    tmp = SECRETS.with_name(f".{SECRETS.name}.{os.getpid()}.tmp")
    tmp.write_text(
        json.dumps(
            {
                "installed": {
                    "client_id": "1234-studio.apps.googleusercontent.com",
                    "client_secret": "not-a-secret",
                    "auth_uri": "https://accounts.google.com/o/oauth2/auth",
                    "token_uri": "https://oauth2.googleapis.com/token",
                    "redirect_uris": ["http://localhost"],
                }
            }
        )
    )
    os.replace(tmp, SECRETS)
    return SECRETS


def build_studio(home: Path) -> Studio:
    """The fixed studio every console test and snapshot uses."""
    from studiosync.core.google.tokens import StoredToken
    from studiosync.core.jobs.computers import Computers, ProcessInfo
    from studiosync.core.jobs.history import History, RunRecord
    from studiosync.core.jobs.service import Jobs
    from studiosync.core.studio.appointments import add_trace
    from studiosync.core.sync.state import SyncState

    studio = Studio.open(home)
    studio.prefs.set_timezone("Europe/London")
    studio.prefs.set_google(client_secrets=write_client_secrets())
    studio.users.add("pat", "Pat Owner", admin=True, password="secretpw")
    studio.users.add("ann", "Ann Lee")
    studio.users.add("ben", "Ben Ortiz")
    studio.users.add("cara", "Cara Singh")
    studio.users.add("studio-a", "Studio A (room)", kind="resource")
    contacts = studio.groups.add("Google contacts")
    studio.groups.add("Weddings")

    for login, email in (("ann", ANN), ("ben", BEN)):
        studio.secrets.put(
            login,
            StoredToken(
                "refresh-" + login,
                email,
                "1234-studio.apps.googleusercontent.com",
                ("https://www.googleapis.com/auth/calendar",),
                "https://oauth2.googleapis.com/token",
            ),
        )
    ann = studio.users.google_prefs("ann")
    ann.enabled, ann.account_email, ann.calendar_id, ann.calendar_summary = True, ANN, ANN, "Ann Lee"
    ann.two_way, ann.tentative, ann.contacts, ann.client_group = True, True, True, contacts.id
    ann.warn_email, ann.detailed_logs, ann.enabled_at = ANN, True, at(-60 * 24 * 3)
    ann.last_sync = ann.last_attempt = at(-5)
    studio.users.save_google_prefs(ann)
    ben = studio.users.google_prefs("ben")
    ben.enabled, ben.account_email, ben.calendar_id, ben.calendar_summary = True, BEN, BEN, "Ben Ortiz"
    ben.warn_email, ben.last_sync, ben.last_attempt = BEN, at(-60 * 26), at(-4)
    ben.last_error = "Google no longer accepts this user's authorization (invalid_grant)."
    ben.last_error_cause = "grant_revoked"
    ben.last_error_fix = "Google tab: Remove My Google Account, then Authenticate My Google Account again."
    ben.consecutive_failures = 3
    studio.users.save_google_prefs(ben)

    london = studio.prefs.timezone
    assert london == "Europe/London"
    base = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
    made = studio.appointments.add_many(
        "ann",
        [
            {"title": "Family portrait", "start": base, "end": base + timedelta(hours=1)},
            {
                "title": "Headshots",
                "start": base + timedelta(days=1),
                "end": base + timedelta(days=1, hours=1),
            },
            {
                "title": "Newborn session",
                "start": base + timedelta(days=2),
                "end": base + timedelta(days=2, minutes=90),
                "status": "tentative",
            },
            {
                "title": "Wedding consultation",
                "start": base + timedelta(days=3),
                "end": base + timedelta(days=3, hours=1),
            },
            {
                "title": "Studio closed",
                "start": (base + timedelta(days=6)).date(),
                "end": (base + timedelta(days=7)).date(),
            },
        ],
    )
    synced, pending, failed, from_google, _ = made
    synced.google_event_id, synced.synced_revision = "st4f2a9c0e1b7d3a5c", synced.revision
    add_trace(synced, "pushed", "created in Google calendar Ann Lee", run_id="run00001")
    failed.sync_error = (
        "Google refused the event: the calendar is read-only for this account (403 forbidden)."
    )
    add_trace(failed, "error", "push failed: 403 forbidden", run_id="run00001")
    from_google.origin, from_google.google_event_id, from_google.synced_revision = (
        "google",
        "g8c1d2e3f4",
        from_google.revision,
    )
    from_google.trace = [
        {
            "time": at(-30),
            "action": "pulled",
            "detail": "new in Google (booked on a phone)",
            "run_id": "run00001",
        }
    ]
    studio.appointments.save_many("ann", [synced, failed, from_google], clear_pending=True)
    studio.appointments.save_many("ann", [failed], mark_pending=True)
    studio.appointments.add("studio-a", title="Studio A booked", start=base, end=base + timedelta(hours=2))
    del pending

    state = SyncState.load(studio.store, "ann")
    state.add_run(
        {
            "run_id": "run00001",
            "started": at(-5),
            "status": "ok",
            "counts": {"pushed_created": 2, "pulled_created": 1},
        }
    )
    state.save(studio.store)

    jobs = Jobs(studio)
    jobs.update("google-sync", enabled=True, schedule="15m", computer=COMPUTER)
    jobs.update("backup", enabled=False)
    Computers(studio.store).beat(ProcessInfo(COMPUTER, 4242, "console", "0.1.0", at(-60), ""))
    History(studio.store).finish(
        RunRecord(
            id="run00001",
            job="google-sync",
            computer=COMPUTER,
            pid=4242,
            process="console",
            trigger="schedule",
            scheduled_for=at(-5),
            started=at(-5),
            finished=at(-5),
            status="error",
            summary="2 user(s): 1 error, 1 ok; failed: ben (grant_revoked)",
            duration_s=2.4,
            users=[
                {"login": "ann", "status": "ok", "counts": {"pushed_created": 2, "pulled_created": 1}},
                {
                    "login": "ben",
                    "status": "error",
                    "counts": {},
                    "error": "invalid_grant: Token has been revoked.",
                    "fix": "Remove and re-authenticate the Google account.",
                },
            ],
        )
    )
    write_logs(studio)
    return studio


def log_line(minutes: int, level: str, message: str, **fields: Any) -> str:
    doc = {
        "time": (NOW + timedelta(minutes=minutes)).isoformat(timespec="milliseconds"),
        "level": level,
        "process": "console",
        "message": message,
        **fields,
    }
    return json.dumps(doc)


def write_logs(studio: Studio) -> Path:
    logs = Path(studio.datadir.logs)
    logs.mkdir(parents=True, exist_ok=True)
    lines = [
        log_line(-6, "INFO", "console started"),
        log_line(-5, "INFO", "Google Sync Processor started", job="google-sync", run_id="run00001aaaa"),
        log_line(-5, "INFO", "ann: pushed 2, pulled 1", job="google-sync", run_id="run00001aaaa", user="ann"),
        log_line(
            -5,
            "ERROR",
            "ben: invalid_grant: Token has been revoked. [not markup]",
            job="google-sync",
            run_id="run00001aaaa",
            user="ben",
        ),
        log_line(
            -5, "WARNING", "Google Sync Processor finished: error", job="google-sync", run_id="run00001aaaa"
        ),
        log_line(-1, "INFO", "Backup skipped: disabled"),
    ]
    path = logs / "studiosync.log"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(autouse=True)
def offline_doctor(monkeypatch: pytest.MonkeyPatch) -> None:
    """The doctor's "is Google reachable" check would go to the network: answer it the same way every time."""
    from studiosync.core.doctor import studio_checks
    from studiosync.core.doctor.checks import make

    monkeypatch.setattr(
        studio_checks,
        "google_reachable",
        lambda studio, timeout: make(
            "google_reachable", "pass", "accounts.google.com and www.googleapis.com answer (HTTPS)"
        ),
    )
    # These two describe the machine the tests run on (its time zone, its keyring): fixed answers here.
    monkeypatch.setattr(
        studio_checks,
        "keyring_backend",
        lambda studio: make(
            "keyring_backend",
            "warn",
            "Google authorizations are kept in the file fallback "
            "<home>/secrets/tokens.json (plaintext, protected by file permissions 0600).",
        ),
    )
    monkeypatch.setattr(
        studio_checks,
        "time_zones",
        lambda studio, calendar=None, now=None: make(
            "time_zones", "pass", "The studio and this computer both use Europe/London."
        ),
    )


@pytest.fixture(scope="session")
def studio_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once per test process (frozen clock, file token store), then copied for each test."""
    home = tmp_path_factory.mktemp("tui-template") / "home"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
        freeze(mp)
        # Fixed appointment ids: random ones land in a varying number of bucket files, which the doctor's
        # store check counts on screen ("All 13 store files..."): every worker must build the same studio.
        serial = iter(range(1, 1_000_000))
        mp.setattr(
            layout,
            "new_appointment_id",
            lambda login: layout.user_key(login) + f"{next(serial):0{layout.ID_LEN - layout.USER_KEY_LEN}x}",
        )
        build_studio(home)
    return home


@pytest.fixture
def tui_studio(tmp_path: Path, frozen: datetime, studio_template: Path) -> Studio:
    home = tmp_path / "home"
    shutil.copytree(studio_template, home, symlinks=True)
    return Studio.open(home)


@pytest.fixture
def calendars(monkeypatch: pytest.MonkeyPatch) -> None:
    """Google's calendar list without Google: fixed entries (writable ones only reach the picker)."""
    from studiosync.core.studio.google_accounts import CalendarInfo
    from studiosync.tui.backend import Backend

    def fake(self: Backend, login: str) -> list[CalendarInfo]:
        email = f"{login}@example.com"
        found = [
            CalendarInfo(email, email, True, "owner", "Europe/London"),
            CalendarInfo(
                "bookings@group.calendar.google.com", "Studio bookings", False, "writer", "Europe/London"
            ),
            CalendarInfo(
                "holidays@group.v.calendar.google.com", "UK holidays", False, "reader", "Europe/London"
            ),
        ]
        return [c for c in found if c.writable]

    monkeypatch.setattr(Backend, "writable_calendars", fake)


AppFactory = Callable[..., StudioSyncApp]


@pytest.fixture
def make_app(tui_studio: Studio, calendars: None) -> Iterator[AppFactory]:
    def make(login: str | None = "pat", **kwargs: Any) -> StudioSyncApp:
        kwargs.setdefault("embedded_scheduler", False)
        kwargs.setdefault("blink_cursor", False)
        return StudioSyncApp(tui_studio, clock=fixed_clock(NOW), login=login, **kwargs)

    yield make
