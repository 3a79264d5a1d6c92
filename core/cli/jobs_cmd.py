"""studiosync jobs list|set|run|history|computers — the Control Center from a shell."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from datetime import UTC, datetime

from studiosync.core.cli.common import (
    CliContext,
    add_command,
    add_group,
    add_json_flag,
    print_json,
    print_table,
)
from studiosync.core.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:
    jobs = add_group(sub, "jobs", "Control Center jobs (Google Sync Processor, backup, compact, log cleanup)")
    p = add_command(jobs, "list", "list jobs with schedule, computer, next and last run", _list)
    add_json_flag(p)
    p = add_command(jobs, "set", "enable, disable, reschedule or move a job", _set)
    p.add_argument("name")
    onoff = p.add_mutually_exclusive_group()
    onoff.add_argument("--enable", dest="enabled", action="store_true", default=None)
    onoff.add_argument("--disable", dest="enabled", action="store_false")
    p.add_argument(
        "--schedule", metavar="CRON|EVERY", help="'0 9 * * 1' (cron, studio time zone) or 30s, 15m, 1h"
    )
    p.add_argument("--computer", metavar="HOST", help="the computer that runs the job (see `jobs computers`)")
    p.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a job option, e.g. keep=10, pull_every=30s, live=off",
    )
    p = add_command(jobs, "run", "run a job once now on this computer (exit 0 ok, 1 failed)", _run)
    p.add_argument("name")
    add_json_flag(p)
    p = add_command(jobs, "history", "recent runs, newest first", _history)
    p.add_argument("name", nargs="?")
    p.add_argument("--limit", type=_positive, default=20)
    add_json_flag(p)
    p = add_command(
        jobs, "computers", "computers running studiosync (console or daemon) and which are alive", _computers
    )
    add_json_flag(p)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _jobs(ctx: CliContext):  # noqa: ANN202 - lazy import keeps `studiosync --help` fast
    from studiosync.core.jobs.service import Jobs

    return Jobs(ctx.studio)


def _local(text: str | None, tz: str) -> str:
    if not text:
        return "-"
    from studiosync.core.studio.timeparse import zone

    value = datetime.fromisoformat(text)
    value = value if value.tzinfo else value.replace(tzinfo=UTC)
    return value.astimezone(zone(tz)).strftime("%Y-%m-%d %H:%M")


def _list(ctx: CliContext, args: argparse.Namespace) -> int:
    views = _jobs(ctx).list()
    if args.json:
        print_json([v.to_doc() for v in views])
        return 0
    tz = ctx.studio.prefs.timezone
    rows = [
        [
            v.name,
            "yes" if v.enabled else "no",
            v.schedule_text,
            f"{v.computer} ({'alive' if v.computer_alive else 'not seen' if not v.computer_known else 'off'})",
            _local(v.next_run, tz),
            _local(v.last_run, tz),
            v.last_status or "-",
        ]
        for v in views
    ]
    print_table(rows, ["NAME", "ENABLED", "SCHEDULE", "COMPUTER", "NEXT RUN", "LAST RUN", "STATUS"])
    return 0


def _set(ctx: CliContext, args: argparse.Namespace) -> int:
    options = {}
    for item in args.option:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--option {item!r}: use KEY=VALUE, e.g. keep=10 or pull_every=30s")
        options[key.strip()] = value.strip()
    if args.enabled is None and args.schedule is None and args.computer is None and not options:
        raise InputError("nothing to change: give --enable, --disable, --schedule, --computer or --option")
    view, warnings = _jobs(ctx).update(
        args.name,
        enabled=args.enabled,
        schedule=args.schedule,
        computer=args.computer,
        options=options or None,
    )
    tz = ctx.studio.prefs.timezone
    state = "enabled" if view.enabled else "disabled"
    nxt = f"; next run {_local(view.next_run, tz)}" if view.next_run else ""
    live = ""
    if view.pull_every is not None:
        live = f"; live sync {'on' if view.live else 'off'} (pull every {view.pull_every} s)"
    print(
        f"{view.name} ({view.title}): {state}, {view.schedule_text} ({view.schedule}), on {view.computer}"
        f"{nxt}{live}"
    )
    for warning in warnings:
        print(f"studiosync: warning: {warning}", file=sys.stderr)
    return 0


def _run(ctx: CliContext, args: argparse.Namespace) -> int:
    from studiosync.core.logs import configure

    jobs = _jobs(ctx)
    jobs.get(args.name)  # unknown job: exit 2 before anything else
    configure(ctx.studio.datadir.logs, process="cli")
    stop = threading.Event()
    previous = _first_ctrl_c_stops(stop)
    try:
        record = jobs.run(args.name, stop=stop)
    finally:
        signal.signal(signal.SIGINT, previous)
    if args.json:
        print_json(record.to_doc())
    else:
        print(f"{record.job}: {record.status}: {record.summary}")
        for user in record.users:
            line = f"  {user.get('login', '?')}: {user.get('status', '?')}"
            if user.get("error"):
                line += f": {user['error']}"
            print(line)
    return 0 if record.status in ("ok", "warning") else 1


def _first_ctrl_c_stops(stop: threading.Event):  # noqa: ANN202
    """First Ctrl-C: finish the current unit of work (one user's sync) and stop; second: abort."""

    def handler(signum: int, frame: object) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        print("studiosync: stopping after the current step (Ctrl-C again to abort)", file=sys.stderr)

    return signal.signal(signal.SIGINT, handler)


def _history(ctx: CliContext, args: argparse.Namespace) -> int:
    records = _jobs(ctx).history(args.name, limit=args.limit)
    if args.json:
        print_json([r.to_doc() for r in records])
        return 0
    tz = ctx.studio.prefs.timezone
    rows = [
        [
            _local(r.started, tz),
            r.job,
            r.status,
            f"{r.duration_s:.1f}s" if r.duration_s is not None else "-",
            f"{r.computer} ({r.process}, {r.kind})",
            r.summary + (f" (x{r.repeats}, last {_local(r.last_started, tz)})" if r.repeats > 1 else ""),
        ]
        for r in records
    ]
    print_table(rows, ["STARTED", "JOB", "STATUS", "TOOK", "WHERE", "SUMMARY"])
    return 0


def _computers(ctx: CliContext, args: argparse.Namespace) -> int:
    jobs = _jobs(ctx)
    computers = jobs.computers()
    here = jobs.this_computer()
    if args.json:
        print_json([{**c.to_doc(), "this": c.host.casefold() == here.casefold()} for c in computers])
        return 0
    tz = ctx.studio.prefs.timezone
    rows = [
        [
            c.host + (" (this computer)" if c.host.casefold() == here.casefold() else ""),
            "alive" if c.alive else "off",
            ", ".join(f"{p.kind} pid {p.pid}" for p in c.processes) or "-",
            _local(c.last_seen, tz),
            c.version or "?",
            c.time_zone or "?",
        ]
        for c in computers
    ]
    print_table(rows, ["COMPUTER", "STATE", "RUNNING", "LAST SEEN", "VERSION", "TIME ZONE"])
    return 0
