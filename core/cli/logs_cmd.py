"""studiosync logs [--follow] [--user LOGIN] [--level LEVEL] [--job NAME] [--json]

Reads the JSON-lines log of the data directory (written by the console, the daemon and CLI runs), across
rotated files. Human format: "time level job user message". With --json: one JSON document (a list)
without --follow; with --follow, one JSON object per line as records arrive. Ctrl-C ends --follow quietly.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections import deque
from typing import Any

from studiosync.core.cli.common import CliContext, add_command, json_line, print_json
from studiosync.core.errors import InputError, StudioSyncError
from studiosync.core.studio.users import check_login
from studiosync.core.studio.validate import single_line
from studiosync.core.text import escape_line

FOLLOW_BACKLOG = 10  # like tail -f: the last lines first, then new ones


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "logs", "show the job and sync logs (Control Center logs)", _logs)
    p.add_argument("--follow", "-f", action="store_true", help="keep printing new lines (Ctrl-C to stop)")
    p.add_argument("--user", metavar="LOGIN", help="only lines about this user")
    p.add_argument("--level", metavar="LEVEL", help="this level and above: DEBUG, INFO, WARNING, ERROR")
    p.add_argument("--job", metavar="NAME", help="only lines of this job (google-sync, backup...)")
    p.add_argument("--lines", "-n", type=int, default=None, metavar="N", help="only the last N lines")
    p.add_argument("--json", action="store_true", help="JSON (a list; with --follow one object per line)")


def _logs(ctx: CliContext, args: argparse.Namespace) -> int:
    from studiosync.core import logs
    from studiosync.core.paths import data_dir

    # A bad --level is an InputError (exit 2) from read_logs/follow_logs before any line is printed.
    if args.lines is not None and args.lines < 0:
        raise InputError("--lines must be 0 or more")
    # Filters are checked for their form only: a user or job gone since may still have lines.
    if args.user is not None:
        check_login(args.user)
    if args.job is not None:
        single_line(args.job, "--job", max_len=64)
    log_dir = data_dir(ctx.home).logs
    tz = _studio_zone(ctx)
    filters = {"user": args.user, "level": args.level, "job": args.job}
    if not args.follow:
        records = logs.read_logs(log_dir, **filters)
        if args.lines is not None:
            records = records[-args.lines :] if args.lines else []
        if args.json:
            print_json([_as_object(r) for r in records])
        else:
            for record in records:
                print(_human(record, tz))
        return 0
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how one stops following: not an error
        _follow(log_dir, filters, args, tz)
    return 0


def _follow(log_dir: Any, filters: dict[str, Any], args: argparse.Namespace, tz: Any) -> None:
    from studiosync.core.logs import follow_logs

    emit = (
        (lambda r: print(json_line(_as_object(r)), flush=True))
        if args.json
        else (lambda r: print(_human(r, tz), flush=True))
    )
    backlog: deque[Any] | None = deque(maxlen=FOLLOW_BACKLOG if args.lines is None else args.lines)
    # From the start of the current file: the first idle tick marks "caught up", and the lines read until
    # then are the backlog. Nothing written meanwhile is lost or shown twice.
    for record in follow_logs(log_dir, from_start=True, **filters):
        if record is None:
            if backlog is not None:
                for old in backlog:
                    emit(old)
                backlog = None
                sys.stdout.flush()
            continue
        if backlog is not None:
            backlog.append(record)
        else:
            emit(record)


def _studio_zone(ctx: CliContext) -> Any:
    """Times are shown in the studio time zone; the logs must stay readable even if the store is not."""
    from zoneinfo import ZoneInfo

    try:
        from studiosync.core.studio.timeparse import zone

        return zone(ctx.studio.prefs.timezone)
    except (StudioSyncError, OSError):
        return ZoneInfo("UTC")


def _as_object(record: Any) -> dict[str, Any]:
    try:
        obj = json.loads(record.raw)
    except ValueError:
        obj = None
    return obj if isinstance(obj, dict) else {"message": record.raw}


def _human(record: Any, tz: Any) -> str:
    """One line per record (a crash shows its crash_id; the stack is in a crash file, never here). Every
    value is escaped (core.text): a title with ESC or a newline in a message can neither drive the
    terminal nor fake another log line."""
    when = record.time.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S") if record.time else "-" * 19
    extras = [
        f"{k}={v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, default=str)}"
        for k, v in record.fields.items()
        if k != "process" and v not in (None, "", [], {})
    ]
    line = f"{when} {record.level:<7} {record.job or '-'} {record.user or '-'} {record.message}"
    if extras:
        line += "  " + " ".join(extras)
    return escape_line(line)
