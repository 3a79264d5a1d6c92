"""`python -m studiosync.core.emulator [--host 127.0.0.1] [--port 8765] [--seed FILE.json] [--demo]`: run the Google
emulator in the foreground (Ctrl-C stops it)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sys

from .emulator import GoogleEmulator
from .timeutil import now_utc, zone

DEMO_SEED = {
    "clients": [{"client_id": "studiosync-demo", "client_secret": "demo-secret"}],
    "accounts": [
        {
            "email": "demo@example.com",
            "name": "Demo Photographer",
            "timezone": "America/New_York",
            "contacts": [
                {
                    "names": [{"givenName": "Ada", "familyName": "Client"}],
                    "emailAddresses": [{"value": "ada@example.com"}],
                }
            ],
        }
    ],
}


def add_demo_calendar(emu: GoogleEmulator, email: str = "demo@example.com") -> None:
    """What a real calendar holds besides bookings: a weekday working-location series, a contact's
    birthday, an out-of-office day and an invitation from someone else (dates around today)."""
    today = now_utc().astimezone(zone(emu.state.account(email).timezone)).date()  # type: ignore[union-attr]
    monday = today - dt.timedelta(days=today.weekday())
    emu.add_working_location(email, start=monday.isoformat())
    ada = next(c for c in emu.contacts(email) if c["names"][0].get("givenName") == "Ada")
    emu.add_birthday(
        email,
        date=(today + dt.timedelta(days=10)).replace(year=1988).isoformat(),
        contact=ada["resourceName"],
    )
    day_off = today + dt.timedelta(days=14)
    emu.add_out_of_office(email, start=day_off.isoformat(), end=(day_off + dt.timedelta(days=1)).isoformat())
    meeting = dt.datetime.combine(
        today + dt.timedelta(days=3), dt.time(15), zone(emu.state.account(email).timezone)
    )  # type: ignore[union-attr]
    emu.add_invitation(
        email,
        organizer="events@riverside-venue.example",
        organizer_name="Riverside Venue",
        summary="Venue walkthrough",
        start=meeting.isoformat(),
        end=(meeting + dt.timedelta(hours=1)).isoformat(),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m studiosync.core.emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="bind address (default loopback only)")
    parser.add_argument("--port", type=int, default=8765, help="port (0 = any free port)")
    parser.add_argument("--seed", help="JSON file with clients/accounts/calendars/events/contacts")
    parser.add_argument("--demo", action="store_true", help="add a demo account and OAuth client")
    parser.add_argument("--token-ttl", type=float, default=3600.0, help="access token lifetime in seconds")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(message)s")
    try:
        emu = GoogleEmulator(host=args.host, port=args.port, token_ttl=args.token_ttl)
    except OSError as exc:
        print(f"cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2
    if args.demo:
        emu.load_seed(DEMO_SEED)
        add_demo_calendar(emu)
    if args.seed:
        emu.load_seed(args.seed)
    print(
        f"Google emulator listening on {emu.url}  (control: {emu.url}/_emulator, Ctrl-C to stop)", flush=True
    )
    for client_id in list(emu.state.clients):
        print(
            f"client secrets for {client_id}:\n{json.dumps(emu.client_secrets(client_id), indent=2)}",
            flush=True,
        )
    try:
        emu.serve_forever()
    except KeyboardInterrupt:
        print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
