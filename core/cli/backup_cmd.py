"""studiosync backup list [FILE] | restore FILE [--from BACKUP] | store verify -- the backups folder,
checking every store file against the schema, and repairing a corrupt one from a backup (`store verify`
and the doctor's `store` check say which). Backups are made by the `backup` job (studiosync jobs run
backup)."""

from __future__ import annotations

import argparse

from studiosync.core.cli.common import (
    CliContext,
    add_command,
    add_group,
    add_json_flag,
    print_json,
    print_table,
)


def register(sub: argparse._SubParsersAction) -> None:
    backup = add_group(sub, "backup", "backups of the store: list them, restore a file from them")
    p = add_command(
        backup, "list", "the backups, newest first (with FILE: its copies and whether they are good)", _list
    )
    p.add_argument("file", nargs="?", metavar="FILE", help="a store file, e.g. store/studio.json")
    add_json_flag(p)
    p = add_command(
        backup,
        "restore",
        "put back the newest good backup copy of a store file (the current one is kept)",
        _restore,
    )
    p.add_argument("file", metavar="FILE", help="the store file, as the doctor or an error names it")
    p.add_argument(
        "--from", dest="backup", metavar="BACKUP", help="this backup instead of the newest good one"
    )
    add_json_flag(p)
    store = add_group(sub, "store", "the store files: check them against the schema (store verify)")
    p = add_command(store, "verify", "check every store file; name each corrupt one and how to repair it", _verify)
    add_json_flag(p)


def _store(ctx: CliContext):  # noqa: ANN202 - a Store
    """The store without opening the Studio: opening migrates, which reads store/studio.json -- the very
    file a restore may have to repair."""
    from studiosync.core.paths import data_dir
    from studiosync.core.store.store import Store

    return Store(data_dir(ctx.home))


def _list(ctx: CliContext, args: argparse.Namespace) -> int:
    from studiosync.core.store import backups

    store = _store(ctx)
    if args.file is not None:
        name = backups.store_name(store, args.file)
        found = backups.copies(store, name)
        docs = [
            {"backup": c.backup, "path": str(c.path), "good": c.good, "problem": c.problem} for c in found
        ]
        if args.json:
            print_json(docs)
        else:
            print_table(
                [[d["backup"], "good" if d["good"] else f"corrupt: {d['problem']}"] for d in docs],
                ["BACKUP", "COPY"],
            )
        return 0
    folders = list(reversed(backups.list_backups(store.datadir.backups)))
    docs = [_summary(folder) for folder in folders]
    if args.json:
        print_json(docs)
    else:
        print_table(
            [[d["backup"], str(d["files"]), d["created"] or "-", _completeness(d)] for d in docs],
            ["BACKUP", "FILES", "CREATED", "COMPLETE"],
        )
    return 0


def _completeness(doc: dict) -> str:
    if doc["complete"] is None:  # made before backups checked their copies
        return "unchecked"
    if doc["complete"]:
        return "yes"
    return "no, corrupt: " + ", ".join(doc["corrupt"])


def _summary(folder) -> dict:  # noqa: ANN001 - a Path
    import json

    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    manifest = manifest if isinstance(manifest, dict) else {}
    files = sum(1 for _ in (folder / "store").rglob("*.json"))
    complete = manifest.get("complete")
    corrupt = [str(c.get("file")) for c in manifest.get("corrupt") or [] if isinstance(c, dict)]
    return {
        "backup": folder.name,
        "path": str(folder),
        "files": files,
        "created": manifest.get("created"),
        # True: every store file is in it, checked good; False: the `corrupt` ones were left out.
        "complete": complete if isinstance(complete, bool) else None,
        "corrupt": corrupt,
    }


def _verify(ctx: CliContext, args: argparse.Namespace) -> int:
    """Exit 0 when every file is whole and of the expected shape, else 1 with one line per corrupt file."""
    from studiosync.core.doctor.store_check import repair
    from studiosync.core.store.verify import check_store

    store = _store(ctx)
    checked, problems = check_store(store.root)
    docs = [
        {"file": p.shown, "problem": p.problem, "bad_records": p.bad_records, "fix": repair(store, p)}
        for p in problems
    ]
    if args.json:
        print_json({"checked": checked, "corrupt": docs})
    elif not docs:
        print(f"all {checked} store files are whole and of the expected shape")
    for d in [] if args.json else docs:
        print(f"{d['file']}: corrupt ({d['bad_records']} bad record(s)): {d['problem']}")
        print(f"  fix: {d['fix']}")
    return 1 if docs else 0


def _restore(ctx: CliContext, args: argparse.Namespace) -> int:
    from studiosync.core.store import backups

    store = _store(ctx)
    name = backups.store_name(store, args.file)
    if args.backup is not None and not backups.BACKUP_NAME_RE.match(args.backup):
        from studiosync.core.errors import InputError

        raise InputError(f"{args.backup!r} is not a backup name (see studiosync backup list)")
    done = backups.restore(store, name, backup=args.backup)
    if args.json:
        print_json(
            {
                "file": f"store/{done.name}.json",
                "backup": done.backup,
                "records": done.records,
                "kept": str(done.kept) if done.kept else None,
            }
        )
        return 0
    print(f"restored store/{done.name}.json from backup {done.backup} ({done.records} records)")
    if done.kept is not None:
        print(f"the replaced file was kept in {done.kept}")
    print(
        "changes made to it since that backup are not in it; a Google sync brings back those already sent to Google"
    )
    return 0
