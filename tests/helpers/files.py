"""Snapshots of a data directory, to prove that a command changed nothing (or only what it should)."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Entry:
    content: bytes | None  # None for directories
    mtime_ns: int
    inode: int
    mode: int


def snapshot(root: Path) -> dict[str, Entry]:
    """Every file and directory under root (relative paths), with bytes, mtime, inode and permission bits."""
    found: dict[str, Entry] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            st = path.lstat()
            content = None if stat.S_ISDIR(st.st_mode) else path.read_bytes()
            found[path.relative_to(root).as_posix()] = Entry(
                content, st.st_mtime_ns, st.st_ino, st.st_mode & 0o777
            )
    return found


def changed(before: dict[str, Entry], after: dict[str, Entry]) -> set[str]:
    """Paths added, removed, or whose file bytes/inode/mtime differ (directory mtimes are ignored)."""
    out = set(before) ^ set(after)
    for path in set(before) & set(after):
        a, b = before[path], after[path]
        if a.content is None and b.content is None:
            continue
        if (a.content, a.mtime_ns, a.inode) != (b.content, b.mtime_ns, b.inode):
            out.add(path)
    return out


def store_files(root: Path) -> dict[str, Entry]:
    """Only the *.json store files (not locks, logs or temp files)."""
    return {
        k: v for k, v in snapshot(root).items() if k.endswith(".json") and not Path(k).name.startswith(".")
    }


def bad_modes(root: Path) -> list[str]:
    """Paths under root (root included) that are not 0700 directories or 0600 files."""
    problems = []
    st = root.stat()
    if st.st_mode & 0o777 != 0o700:
        problems.append(f". {oct(st.st_mode & 0o777)}")
    for path, entry in snapshot(root).items():
        wanted = 0o700 if entry.content is None else 0o600
        if entry.mode != wanted:
            problems.append(f"{path} {oct(entry.mode)}")
    return problems
