"""studiosync google auth|remove|calendars|set|show — each user's Google tab from the command line."""

from __future__ import annotations

import argparse
import sys

from studiosync.core.cli.common import (
    CliContext,
    add_command,
    add_group,
    add_json_flag,
    print_json,
    print_table,
)
from studiosync.core.studio.google_accounts import _UNSET


def register(sub: argparse._SubParsersAction) -> None:
    google = add_group(sub, "google", "a user's Google account and sync settings (the Google tab)")
    p = add_command(google, "auth", "Authenticate My Google Account (works over SSH)", _auth)
    p.add_argument("login")
    p.add_argument("--no-browser", action="store_true", help="only print the URL (for SSH sessions)")
    p.add_argument("--account", metavar="EMAIL", help="suggest this Google account on the sign-in page")
    p.add_argument(
        "--print-link",
        action="store_true",
        help="print only the sign-in address on stdout (one line, to copy over SSH or read from a script); "
        "everything else goes to stderr",
    )
    p.add_argument(
        "--timeout", type=_seconds, default=600.0, metavar="SECONDS", help="give up after this long"
    )
    p = add_command(google, "remove", "Remove My Google Account (revoke and forget the token)", _remove)
    p.add_argument("login")
    p = add_command(google, "calendars", "the calendars of the user's Google account", _calendars)
    p.add_argument("login")
    add_json_flag(p)
    p = add_command(google, "set", "change the user's Google tab", _set)
    p.add_argument("login")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--enable", dest="enabled", action="store_true", default=None, help="Enable Google Sync")
    g.add_argument("--disable", dest="enabled", action="store_false")
    p.add_argument("--calendar", metavar="ID", help="the Google calendar to sync to (must be writable)")
    for flag, what in (
        ("populate-google", "send existing studio appointments to Google once"),
        ("populate-studio", "bring existing Google events into the studio once"),
        ("two-way", "Send New, Modified and Deleted Google Appointments to the studio"),
        ("tentative", "Download Tentative, Non-Confirmed Appointments"),
        ("contacts", "Send New and Modified Google Contacts into the studio"),
        ("detailed-logs", "Email Detailed Sync Logs to Me"),
    ):
        p.add_argument(f"--{flag}", action=argparse.BooleanOptionalAction, default=None, help=what)
    p.add_argument("--client-group", metavar="NAME", help="existing client group for imported contacts")
    w = p.add_mutually_exclusive_group()
    w.add_argument(
        "--warn-email", metavar="ADDR", default=_UNSET, help="Email Warnings and Errors to this address"
    )
    w.add_argument("--no-warn-email", dest="warn_email", action="store_const", const=None)
    p = add_command(google, "show", "show the user's Google tab", _show)
    p.add_argument("login")
    add_json_flag(p)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= 86400:
        raise argparse.ArgumentTypeError("the timeout must be between 0 and 86400 seconds")
    return value


def _auth(ctx: CliContext, args: argparse.Namespace) -> int:
    from studiosync.core.errors import OperationError
    from studiosync.core.google.signin_text import SignInRefused

    studio = ctx.studio
    # --print-link: stdout carries the address alone; the words around it go to stderr.
    talk = sys.stderr if args.print_link else sys.stdout
    with studio.google.begin_auth(args.login, login_hint=args.account) as session:
        if not args.print_link:
            print("Open this address in a browser and allow access:", flush=True)
        print(session.url, flush=True)
        print(
            f"Waiting for Google... (over SSH: forward the port with `ssh -L {session.port}:localhost:{session.port}`, "
            "or paste here the address the browser ends on, http://localhost:.../?code=..., then press Enter)",
            file=talk,  # stdout, like the URL (stderr stays for errors), unless stdout is for the URL alone
            flush=True,
        )
        if not args.no_browser:
            _try_open_browser(session.url)
        stdin = sys.stdin if sys.stdin is not None and not sys.stdin.closed else None
        linked = []
        try:
            session.wait(
                args.timeout,
                # paste_reader, not stdin.readline: it stops reading as soon as the loopback redirect wins, so
                # no thread is left blocked inside stdin (holding its lock) while the command finishes.
                pasted=session.paste_reader(stdin) if stdin is not None else None,
                # A pasted address that cannot be used (stale, foreign, refused) is explained and the wait
                # goes on; Cancel on the consent page, or an account another user already syncs (refused
                # by finish_auth, nothing stored), reaching the listener ends the command. Linking inside
                # the wait lets the browser's tab say how the sign-in ended.
                on_rejected=lambda why: print(f"studiosync: {why}", file=sys.stderr, flush=True),
                accept=lambda result: linked.append(studio.google.finish_auth(args.login, result)),
                stop_on_refusal=True,
            )
        except SignInRefused as exc:
            raise OperationError(
                f"{exc.message}; run `studiosync google auth {args.login}` again and click Allow"
            ) from None
    prefs = linked[-1]
    _audit(ctx, f"authenticated the Google account of {args.login} as {prefs.account_email}", args.login)
    print(f"authenticated {args.login} as {prefs.account_email}", file=talk)
    return 0


_CONSOLE_BROWSERS = frozenset({"www-browser", "links", "links2", "elinks", "lynx", "w3m", "browsh"})


def _try_open_browser(url: str) -> None:
    """Open a graphical browser if this session has one; never a text browser in the terminal.

    On a server (no DISPLAY) Python's webbrowser falls back to lynx/w3m/links and runs it in the foreground:
    it would take over the SSH terminal, block until quit, and cannot run Google's sign-in page anyway.
    """
    import contextlib
    import os
    import webbrowser

    if sys.platform.startswith("linux") or "bsd" in sys.platform:
        if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            return
    with contextlib.suppress(Exception):  # no browser is normal; the URL is printed anyway
        browser = webbrowser.get()
        name = os.path.basename(str(getattr(browser, "name", "") or "")).lower()
        if name in _CONSOLE_BROWSERS:
            return
        browser.open(url, new=2)


def _audit(ctx: CliContext, message: str, login: str) -> None:
    """A line in the studio log (what the console's log pane shows); never the token itself."""
    import contextlib
    import logging

    from studiosync.core.errors import StudioSyncError
    from studiosync.core.logs import LOGGER_NAME, SharedFileHandler, configure, event, log_context, shutdown

    # Log where the process already logs; else to the data dir, and only for this line (main() may be
    # called in-process: leave no handler behind).
    ours = not any(isinstance(h, SharedFileHandler) for h in logging.getLogger(LOGGER_NAME).handlers)
    with contextlib.suppress(StudioSyncError, OSError), log_context(user=login):
        if ours:
            configure(ctx.studio.datadir.logs, process="cli")
        try:
            event("INFO", message)
        finally:
            if ours:
                shutdown()


def _remove(ctx: CliContext, args: argparse.Namespace) -> int:
    warning = ctx.studio.google.remove(args.login)
    _audit(ctx, f"removed the Google account of {args.login}", args.login)
    if warning:
        print(f"studiosync: warning: {warning}", file=sys.stderr)
    print(f"removed the Google account of {args.login}")
    return 0


def _calendars(ctx: CliContext, args: argparse.Namespace) -> int:
    calendars = ctx.studio.google.calendars(args.login)
    if args.json:
        print_json([c.to_json() for c in calendars])
    else:
        print_table(
            [
                [c.id, c.summary, "yes" if c.primary else "", c.access_role, c.time_zone or ""]
                for c in calendars
            ],
            ["ID", "SUMMARY", "PRIMARY", "ACCESS", "TIME ZONE"],
        )
    return 0


def _set(ctx: CliContext, args: argparse.Namespace) -> int:
    ctx.studio.google.update(
        args.login,
        enabled=args.enabled,
        calendar_id=args.calendar,
        populate_google=args.populate_google,
        populate_studio=args.populate_studio,
        two_way=args.two_way,
        tentative=args.tentative,
        contacts=args.contacts,
        client_group=args.client_group,
        warn_email=args.warn_email,
        detailed_logs=args.detailed_logs,
    )
    print(f"saved the Google tab of {args.login}")
    return 0


def _show(ctx: CliContext, args: argparse.Namespace) -> int:
    from studiosync.core.sync.held import held_summary

    doc = ctx.studio.google.show(args.login)
    # Deletions the mass-deletion guard holds back: null, or side/deletions/linked/since/message/fix.
    doc["held"] = held_summary(ctx.studio.store, args.login)
    if args.json:
        print_json(doc)
    else:
        for key, value in doc.items():
            if key == "held" and value:
                value = f"{value['message']} (since {value['since']}). Fix: {value['fix']}"
            print(f"{key:18} {'' if value is None else value}")
    return 0
