"""A demo studio that works offline: the built-in Google emulator plus a small, lived-in studio.

`build_demo(home)` starts a GoogleEmulator in this process, registers an OAuth client and points the
company's Google API settings at it, then creates staff (with Google accounts and events on the emulator),
a room, client groups, appointments over the coming weeks and the Google Sync Processor job every minute on
this computer. A small SMTP sink (core.demo_mailbox) stands in for the studio's mail server, so warning
emails, detailed sync logs and "Send test email" are delivered offline, as .eml files in `<home>/demo/mailbox`.
Some users are already set up, one is failing (its grant was revoked at "Google"), one is
ready to authenticate: the emulator asks on a consent page like Google's, with the user's demo account
preselected (login_hint); the console's demo button clicks Allow on it (core.demo_consent). Within a minute of opening the console, sync runs, logs fill and the doctor has things to say.

Headless on purpose (no Textual): `studiosync demo` opens the console on it, tests and benchmarks use it
directly.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from studiosync.core import clock
from studiosync.core.demo_mailbox import DemoMailbox
from studiosync.core.errors import InputError
from studiosync.core.model.users import GooglePrefs
from studiosync.core.studio.studio import Studio

TIMEZONE = "Europe/London"
DOMAIN = "studio-demo.test"
CLIENT_ID = "studiosync-demo.apps.googleusercontent.com"
CLIENT_SECRET = "demo-client-secret"
STUDIO_EMAIL = f"studio@{DOMAIN}"

# login, name, admin, Google account (None: no account on the emulator), what state the demo leaves them in
STAFF: list[tuple[str, str, bool, str | None, str]] = [
    ("pat", "Pat Owner", True, None, "admin"),
    ("ann", "Ann Lee", False, f"ann@{DOMAIN}", "syncing"),
    ("ben", "Ben Ortiz", False, f"ben@{DOMAIN}", "failing"),
    ("cara", "Cara Singh", False, f"cara@{DOMAIN}", "ready"),
]
ROOMS = [("studio-a", "Studio A (room)")]
GROUPS = ["Google contacts", "Weddings", "Portraits"]
SESSIONS = [
    "Family portrait",
    "Headshots",
    "Newborn session",
    "Wedding consultation",
    "Product shoot",
    "Engagement photos",
    "Senior portraits",
    "Pet portrait",
]


@dataclass
class Demo:
    """A running demo: its home folder, the studio in it, the Google emulator and the mail sink; `close` stops
    them (and deletes a temporary home unless asked to keep it)."""

    home: Path
    studio: Studio
    emulator: Any  # core.emulator.GoogleEmulator
    temporary: bool
    accounts: dict[str, str] = field(default_factory=dict)  # login -> Google account
    mailbox: DemoMailbox | None = None

    def close(self, *, keep: bool = False) -> None:
        with contextlib.suppress(Exception):
            self.emulator.stop()
        if self.mailbox is not None:
            with contextlib.suppress(Exception):
                self.mailbox.stop()
        if self.temporary and not keep:
            shutil.rmtree(self.home, ignore_errors=True)


def build_demo(home: str | os.PathLike[str] | None = None, *, now: datetime | None = None) -> Demo:
    """Build the demo in `home` (must be empty or absent), else in a new temporary directory."""
    from studiosync.core.emulator import GoogleEmulator

    # The demo's tokens must never land in the person's real keyring: force the file fallback.
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    temporary = home is None
    root = Path(tempfile.mkdtemp(prefix="studiosync-demo-")) if home is None else Path(home).expanduser()
    if root.exists() and any(root.iterdir()) and not temporary:
        raise InputError(f"the demo needs an empty directory, and {root} is not empty")
    emulator = GoogleEmulator(token_ttl=3600).start()
    demo = None
    try:
        studio = Studio.open(root)
        demo = Demo(root, studio, emulator, temporary)
        demo.mailbox = DemoMailbox(root / "demo" / "mailbox").start()
        _populate(demo, now or clock.now().astimezone(ZoneInfo(TIMEZONE)))
    except BaseException:
        if demo is not None:
            demo.close(keep=True)
        else:
            emulator.stop()
        raise
    return demo


def _populate(demo: Demo, now: datetime) -> None:
    studio, emu = demo.studio, demo.emulator
    tz = ZoneInfo(TIMEZONE)
    studio.prefs.set_timezone(TIMEZONE)

    secrets = demo.home / "demo" / "client_secret.json"
    secrets.parent.mkdir(parents=True, exist_ok=True)
    secrets.write_text(json.dumps(emu.register_client(CLIENT_ID, CLIENT_SECRET)), encoding="utf-8")
    # The emulator never expires authorizations: it stands for a published app.
    studio.prefs.set_google(client_secrets=secrets, api_endpoint=emu.url, published=True)
    if demo.mailbox is not None:
        studio.prefs.set_email(
            host="127.0.0.1", port=demo.mailbox.port, security="none", from_addr=STUDIO_EMAIL
        )

    for name in GROUPS:
        studio.groups.add(name)
    contacts_group = studio.groups.get(GROUPS[0])

    for login, name, admin, account, _state in STAFF:
        studio.users.add(login, name, admin=admin)
        if account:
            emu.add_account(account, name=name, timezone=TIMEZONE)
            demo.accounts[login] = account
    for login, name in ROOMS:
        studio.users.add(login, name, kind="resource")

    _google_side(demo, now, tz)

    for login, _name, _admin, account, state in STAFF:
        if state in ("syncing", "failing"):
            _link_account(demo, login, account or "")
            prefs = studio.users.google_prefs(login)
            prefs.enabled = True
            prefs.enabled_at = (now - timedelta(days=2)).astimezone(ZoneInfo("UTC")).isoformat()
            prefs.calendar_id = account
            prefs.calendar_summary = account
            prefs.two_way = True
            prefs.tentative = login == "ann"
            prefs.populate_google = True
            prefs.populate_studio = True
            prefs.contacts = login == "ann"
            prefs.client_group = contacts_group.id if login == "ann" else None
            prefs.warn_email = account
            prefs.detailed_logs = login == "ann"
            studio.users.save_google_prefs(prefs)
        if state == "failing":
            # Ben changed his Gmail password: Google revoked the grant; the next sync says how to fix it.
            emu.revoke_grant(account or "")

    _appointments(studio, now, tz)
    _jobs(studio)


def _link_account(demo: Demo, login: str, account: str) -> None:
    """Sign `login` in without the browser (the emulator grants directly), as finish_auth would store it."""
    from studiosync.core.google.oauth import SCOPES
    from studiosync.core.google.tokens import StoredToken

    studio = demo.studio
    client = studio.prefs.client_config()
    assert client is not None
    info = demo.emulator.authorize(account, client.client_id, SCOPES)
    studio.secrets.put(
        login,
        StoredToken(
            info["refresh_token"], account, client.client_id, tuple(info["scopes"]), client.token_uri
        ),
    )
    prefs = studio.users.google_prefs(login) if studio.users.find(login) else GooglePrefs(login=login)
    prefs.account_email = account
    studio.users.save_google_prefs(prefs)


def _google_side(demo: Demo, now: datetime, tz: ZoneInfo) -> None:
    """Events people made on their phones, a shared read-only calendar, a second writable one."""
    emu = demo.emulator
    for index, (_login, account) in enumerate(sorted(demo.accounts.items())):
        emu.add_calendar(account, "Studio bookings", timezone=TIMEZONE)
        emu.add_calendar(account, "UK holidays", timezone=TIMEZONE, access_role="reader")
        for day in range(1, 6):
            start = datetime.combine(now.date() + timedelta(days=day * 2 + index), time(11 + index, 0), tz)
            body: dict[str, Any] = {
                "summary": f"{SESSIONS[(day + index) % len(SESSIONS)]} (booked on phone)",
                "start": {"dateTime": start.isoformat(), "timeZone": TIMEZONE},
                "end": {"dateTime": (start + timedelta(hours=1)).isoformat(), "timeZone": TIMEZONE},
            }
            if day == 3:
                body["status"] = "tentative"  # an Android phone's unconfirmed booking
            emu.add_event(account, account, body)
        contact = emu.add_contact(
            account,
            {
                "names": [{"givenName": "Jo", "familyName": f"Client{index}"}],
                "emailAddresses": [{"value": f"jo{index}@example.org"}],
            },
        )
        _special_events(emu, account, contact["resourceName"], now, tz, index)


def _special_events(emu: Any, account: str, contact: str, now: datetime, tz: ZoneInfo, index: int) -> None:
    """What every real staff calendar holds besides bookings, shaped by the emulator as Google shapes them:
    a weekday working-location series, a contact's birthday, an out-of-office day and an invitation
    organized by someone else (issue 12: the product must handle each for what it is)."""
    monday = now.date() - timedelta(days=now.weekday())
    emu.add_working_location(
        account,
        start=monday.isoformat(),
        kind="officeLocation" if index else "homeOffice",
        label="Studio A" if index else None,
    )
    birthday = now.date() + timedelta(days=9 + index)
    emu.add_birthday(account, date=birthday.replace(year=birthday.year - 28).isoformat(), contact=contact)
    day_off = now.date() + timedelta(days=12 + index)
    emu.add_out_of_office(account, start=day_off.isoformat(), end=(day_off + timedelta(days=1)).isoformat())
    meeting = datetime.combine(now.date() + timedelta(days=4 + index), time(14, 0), tz)
    emu.add_invitation(
        account,
        organizer="events@riverside-venue.example",
        organizer_name="Riverside Venue",
        summary="Venue walkthrough for the Patel wedding",
        start=meeting.isoformat(),
        end=(meeting + timedelta(hours=1)).isoformat(),
        location="Riverside Venue, Mill Lane",
    )


def _appointments(studio: Studio, now: datetime, tz: ZoneInfo) -> None:
    logins = [login for login, *_ in STAFF] + [login for login, _ in ROOMS]
    for offset, login in enumerate(logins):
        items = []
        for n in range(8):
            day: date = now.date() + timedelta(days=n * 3 + offset)
            start = datetime.combine(day, time(9 + (n % 4) * 2, 30 if n % 2 else 0), tz)
            items.append(
                {
                    "title": SESSIONS[(n + offset) % len(SESSIONS)]
                    + (" — Studio A" if login.startswith("studio") else ""),
                    "start": start,
                    "end": start + timedelta(minutes=90 if n % 3 else 60),
                    "status": "tentative" if n == 5 else "confirmed",
                    "notes": "",
                }
            )
        items.append(
            {
                "title": "Studio closed — stocktake",
                "start": now.date() + timedelta(days=20),
                "end": now.date() + timedelta(days=21),
            }
        )
        studio.appointments.add_many(login, items)


def _jobs(studio: Studio) -> None:
    try:
        from studiosync.core.jobs.computers import this_computer
        from studiosync.core.jobs.service import Jobs
    except ImportError:  # the Control Center ships separately; the demo still works without it
        return
    Jobs(studio).update("google-sync", enabled=True, schedule="1m", computer=this_computer())
