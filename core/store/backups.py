"""The backups folder, read and restored from: which backups exist, which hold a good copy of a store
file, and putting that copy back.

Layout (written by the `backup` job, core.jobs.housekeeping): `backups/<YYYY-MM-DD_HHMMSS>[-n]/` holds
`manifest.json` and `store/<name>.json` for every store file, all 0700/0600. Names sort by time.

Restoring one file: the newest backup whose copy passes the schema check (core.store.verify) replaces the
store file atomically, under that file's lock, bumping its generation so every running studiosync
process reloads it. The file it replaces is kept first in `backups/replaced/<time>/store/<name>.json`:
a restore never destroys anything. It never restores a copy that is itself corrupt.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from studiosync.core import clock
from studiosync.core.errors import InputError, OperationError
from studiosync.core.paths import FILE_MODE, ensure_private_dir
from studiosync.core.store.store import Store
from studiosync.core.store.verify import check_data
from studiosync.core.text import escape_line, first_unsafe

BACKUP_NAME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}_\d{6}(?:-\d+)?$")
REPLACED = "replaced"


def list_backups(root: Path) -> list[Path]:
    """Finished backups, oldest first (names sort by time)."""
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and BACKUP_NAME_RE.match(p.name))


@dataclass(frozen=True)
class Copy:
    """One store file as kept in one backup."""

    backup: str  # the backup folder's name (its time)
    path: Path
    problem: str | None  # None: the copy passes the schema check

    @property
    def good(self) -> bool:
        return self.problem is None


def store_name(store: Store, text: str) -> str:
    """The store name of a file given as typed: store/appts/ab12cd/05.json, appts/ab12cd/05(.json), or a
    path inside the data directory's store folder. InputError for anything else."""
    if not text.strip() or first_unsafe(text):
        raise InputError(f"{escape_line(text)!r} is not the name of a store file")
    text = text.strip()
    root = store.root.resolve()
    candidate = Path(text).expanduser()
    if candidate.is_absolute() or candidate.exists():
        try:
            rel = candidate.resolve().relative_to(root).as_posix()
        except ValueError:
            raise InputError(f"{text} is not a file of the store in {root}") from None
    else:
        rel = candidate.as_posix().removeprefix("./").removeprefix("store/")
    name = rel.removesuffix(".json")
    parts = name.split("/")
    if not name or any(p in ("", ".", "..") or p.startswith(".") for p in parts):
        raise InputError(f"{text} is not a file of the store in {root}")
    return name


def copies(store: Store, name: str) -> list[Copy]:
    """Every backup's copy of store file `name`, newest first, each checked against the schema."""
    found = []
    for folder in reversed(list_backups(store.datadir.backups)):
        path = folder / "store" / f"{name}.json"
        if path.is_file():
            found.append(Copy(folder.name, path, _problem(name, path)))
    return found


def _problem(name: str, path: Path) -> str | None:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        return f"unreadable ({exc.__class__.__name__})"
    return check_data(name, data)[0]


@dataclass(frozen=True)
class Restored:
    """What a restore put back: which store file, from which backup, how many records, and where the replaced
    file was kept."""

    name: str
    backup: str
    records: int
    kept: Path | None  # where the replaced file was kept (None when there was none)


def restore(store: Store, name: str, *, backup: str | None = None) -> Restored:
    """Put back the newest good backup copy of store file `name` (or the one from `backup`)."""
    available = copies(store, name)
    if backup is not None:
        chosen = next((c for c in available if c.backup == backup), None)
        if chosen is None:
            raise InputError(
                f"backup {backup!r} holds no copy of store/{name}.json",
                fix=f"see the copies: studiosync backup list store/{name}.json",
            )
        if not chosen.good:
            raise InputError(
                f"the copy of store/{name}.json in backup {backup} is corrupt too: {chosen.problem}"
            )
    else:
        chosen = next((c for c in available if c.good), None)
        if chosen is None:
            why = "no backup holds it" if not available else f"all {len(available)} copies are corrupt too"
            raise OperationError(
                f"cannot restore store/{name}.json: {why}",
                fix="move the file aside (the studio then starts that part empty) or repair it by hand",
            )
    data = json.loads(chosen.path.read_bytes())
    f = store.file(name)
    with f.locked():  # not a transaction: the current file may be unreadable, it is replaced unread
        kept = _keep_replaced(store, name, f.path)
        f.set_data(data)
        f.commit()
    count = sum(len(rows) for rows in data.values())
    return Restored(name, chosen.backup, count, kept)


def _keep_replaced(store: Store, name: str, path: Path) -> Path | None:
    """Copy the file about to be replaced to backups/replaced/<time>/store/<name>.json (0600)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise OperationError(
            f"cannot read {path} to keep it before restoring: {exc.strerror or exc}"
        ) from exc
    stamp = clock.now().strftime("%Y-%m-%d_%H%M%S")
    target = store.datadir.backups / REPLACED / stamp / "store" / f"{name}.json"
    try:
        ensure_private_dir(target.parent)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        try:
            os.fchmod(fd, FILE_MODE)
            view = memoryview(raw)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise OperationError(f"cannot keep the replaced file in {target}: {exc.strerror or exc}") from exc
    return target
