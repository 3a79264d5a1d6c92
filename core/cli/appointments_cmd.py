"""studiosync appointments add|list|show|edit|delete"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from studiosync.core.cli.common import (
    CliContext,
    add_command,
    add_group,
    add_json_flag,
    print_json,
    print_table,
)
from studiosync.core.model.appointments import Appointment
from studiosync.core.studio import event_kinds
from studiosync.core.studio.timeparse import parse_when, zone
from studiosync.core.studio.users import check_login


def register(sub: argparse._SubParsersAction) -> None:
    appts = add_group(sub, "appointments", "the appointment book")
    p = add_command(appts, "add", "add an appointment (prints the new id)", _add)
    p.add_argument("login")
    p.add_argument("--title", required=True)
    p.add_argument("--start", required=True, metavar="ISO")
    p.add_argument("--end", required=True, metavar="ISO")
    p.add_argument("--status", choices=["confirmed", "tentative"], default="confirmed")
    p.add_argument("--notes", default="")
    p = add_command(appts, "list", "list appointments", _list)
    p.add_argument("login", nargs="?")
    add_json_flag(p)
    p = add_command(appts, "show", "one appointment and its sync history", _show)
    p.add_argument("id")
    add_json_flag(p)
    p = add_command(appts, "edit", "change an appointment", _edit)
    p.add_argument("id")
    p.add_argument("--title")
    p.add_argument("--start", metavar="ISO")
    p.add_argument("--end", metavar="ISO")
    p.add_argument("--status", choices=["confirmed", "tentative"])
    p.add_argument("--notes")
    p = add_command(appts, "delete", "delete an appointment", _delete)
    p.add_argument("id")


def appointment_doc(appt: Appointment) -> dict[str, Any]:
    read_only = event_kinds.read_only_reason(appt)
    return {
        "id": appt.id,
        "user": appt.user,
        "title": appt.title,
        "start": appt.start.isoformat(),
        "end": appt.end.isoformat(),
        "all_day": appt.all_day,
        "status": appt.status,
        "notes": appt.notes,
        "origin": appt.origin,
        "google_event_id": appt.google_event_id,
        "revision": appt.revision,
        "synced": not appt.dirty,
        "sync_error": appt.sync_error,
        "created": appt.created,
        "updated": appt.updated,
        # What Google says about the event (core.studio.event_kinds): its eventType ("default" for an
        # ordinary event, null when not on Google), free/busy, who organizes an invitation, and whether
        # the studio may change it (and why not).
        "google_event_type": event_kinds.event_type(appt),
        "kind": event_kinds.label(appt) or None,
        "busy": appt.busy,
        "organizer": appt.organizer,
        "read_only": read_only is not None,
        "read_only_reason": read_only,
    }


def _tz(ctx: CliContext):
    return zone(ctx.studio.prefs.timezone)


def _add(ctx: CliContext, args: argparse.Namespace) -> int:
    tz = _tz(ctx)
    notes: list[str] = []  # a wall time that happens twice (DST overlap): which one was taken
    appt = ctx.studio.appointments.add(
        args.login,
        title=args.title,
        start=parse_when(args.start, tz, what="start", notes=notes),
        end=parse_when(args.end, tz, what="end", notes=notes),
        status=args.status,
        notes=args.notes,
    )
    _tell(notes)
    print(appt.id)
    return 0


def _tell(notes: list[str]) -> None:
    for note in notes:
        print(f"studiosync: note: {note}", file=sys.stderr)


def _list(ctx: CliContext, args: argparse.Namespace) -> int:
    if args.login is not None:
        check_login(args.login)  # an empty LOGIN is a mistake, not "everyone"
    appts = ctx.studio.appointments.list(args.login, skip_corrupt=True)
    docs = [appointment_doc(a) for a in appts]
    # Changed in the studio and not on Google yet -- for a user who syncs (else nothing is on its way),
    # the rule the console's pending marker follows.
    syncing = {p.login for p in ctx.studio.users.all_google_prefs() if p.enabled}
    for appt, doc in zip(appts, docs, strict=True):
        doc["pending"] = appt.dirty and appt.user in syncing
    if args.json:
        print_json(docs)
    else:
        # The table shows an untitled event as Google does; --json keeps the stored (empty) title.
        print_table(
            [
                [d["id"], d["user"], d["start"], d["end"], d["status"], d["origin"], a.display_title]
                for a, d in zip(appts, docs, strict=True)
            ],
            ["ID", "USER", "START", "END", "STATUS", "ORIGIN", "TITLE"],
        )
    return 0


def _show(ctx: CliContext, args: argparse.Namespace) -> int:
    """The appointment and its sync story (core.health.appointment_trace): answers "why isn't this in
    Google?" with sync_state, last_error (cause, explanation, fix) and its user's sync health."""
    from studiosync.core.health.appointment import appointment_trace

    studio = ctx.studio
    appt = studio.appointments.find(args.id, include_deleted=True)
    if appt is None:
        studio.appointments.get(args.id)  # raises the one-line not-found error
    assert appt is not None
    # The trace's keys, then the listing's on top: keys scripts already read keep their exact values.
    doc = {**appointment_trace(studio, appt.id), **appointment_doc(appt)}
    doc["deleted"] = appt.deleted
    doc["google_etag"] = appt.google_etag
    doc["trace"] = appt.trace
    if args.json:
        print_json(doc)
        return 0
    for key in ("id", "user", "title", "start", "end", "status", "origin", "google_event_id", "synced"):
        print(f"{key:16} {doc[key]}")
    if doc["kind"]:
        print(f"{'kind':16} {doc['kind']}")
    if not doc["busy"]:
        print(f"{'shows as':16} free (does not block time)")
    if doc["organizer"]:
        print(f"{'organizer':16} {doc['organizer']}")
    if doc["read_only"]:
        print(f"{'read-only':16} {doc['read_only_reason']}")
    print(f"{'sync state':16} {doc['sync_state']}")
    last = doc.get("last_error")
    if last:
        source = "its user's last sync" if last.get("source") == "run" else "this appointment"
        print(f"{'last error':16} {last.get('message') or last.get('explanation') or '-'} ({source})")
        if last.get("cause"):
            print(f"{'cause':16} {last['cause']}: {last.get('explanation') or ''}".rstrip(": "))
        if last.get("fix"):
            print(f"{'fix':16} {last['fix']}")
    user_sync = doc.get("user_sync")
    if user_sync and user_sync.get("last_error") and (not last or last.get("source") != "run"):
        print(f"{'user sync':16} {user_sync.get('status_text')}: {user_sync['last_error']}")
    print("history:")
    for entry in appt.trace:
        print(f"  {entry['time']}  {entry['action']:10} {entry.get('detail') or ''}")
    return 0


def _edit(ctx: CliContext, args: argparse.Namespace) -> int:
    tz = _tz(ctx)
    notes: list[str] = []
    appt = ctx.studio.appointments.edit(
        args.id,
        title=args.title,
        start=parse_when(args.start, tz, what="start", notes=notes) if args.start is not None else None,
        end=parse_when(args.end, tz, what="end", notes=notes) if args.end is not None else None,
        status=args.status,
        notes=args.notes,
    )
    _tell(notes)
    print(f"updated {appt.id}")
    return 0


def _delete(ctx: CliContext, args: argparse.Namespace) -> int:
    appt = ctx.studio.appointments.delete(args.id)
    print(f"deleted {appt.id}")
    return 0
