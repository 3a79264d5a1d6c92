"""Where studiosync keeps its data.

The data directory comes from `--home DIR`, else `STUDIOSYNC_HOME`, else the platformdirs user data dir.
It holds the store, logs, backups and (on servers without an OS keyring) the token fallback, so it is
created private (0700) and every file in it is written 0600.
"""

from __future__ import annotations

import os
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from studiosync.core.errors import InputError, StoreError
from studiosync.core.text import escape_line, first_unsafe

APP_NAME = "studiosync"
DIR_MODE = 0o700
FILE_MODE = 0o600


def resolve_home(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The data directory: explicit argument, then STUDIOSYNC_HOME, then the platform default.

    An explicit but empty --home is refused (it used to mean "the default", silently), as is one with
    control characters: a data dir is named by a person, and a typo must not pick another studio's data.
    """
    if explicit is not None:
        text = os.fspath(explicit)
        if not text.strip():
            raise InputError("--home is empty; give the data directory (or leave --home out for the default)")
        if first_unsafe(text):
            raise InputError(f"--home {escape_line(text)!r} contains a control character")
        return Path(text).expanduser().absolute()
    env = os.environ.get("STUDIOSYNC_HOME")
    if env:
        return Path(env).expanduser().absolute()
    import platformdirs  # start-up: not needed when --home or STUDIOSYNC_HOME says where

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def ensure_private_dir(path: Path) -> Path:
    """Create `path` (and every missing parent) with mode 0700; tighten an existing one we own.

    Whatever the umask: `mkdir -p` would give the parents it creates the umask's mode (0755 under 022),
    so a backup folder made as `backups/<time>/store` would not be private."""
    try:
        make_private_dirs(path)
        if (path.stat().st_mode & 0o777) != DIR_MODE:
            os.chmod(path, DIR_MODE)
    except OSError as exc:
        raise StoreError(f"cannot create data directory {path}: {exc.strerror or exc}") from exc
    return path


def make_private_dirs(path: Path) -> None:
    """Like `mkdir -p`, but every directory it creates is exactly 0700 and its entry is fsynced (a new
    directory must survive a power cut as much as the file written into it). Raises OSError."""
    if path.is_dir():
        return
    missing = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for directory in reversed(missing):
        with suppress(FileExistsError):
            os.mkdir(directory, DIR_MODE)
        os.chmod(directory, DIR_MODE)  # the umask may have taken bits away; a private dir is exactly 0700
        fsync_dir(directory.parent)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class DataDir:
    """The layout of one data directory."""

    root: Path

    @property
    def store(self) -> Path:
        return self.root / "store"

    @property
    def locks(self) -> Path:
        return self.root / "locks"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    @property
    def secrets(self) -> Path:
        return self.root / "secrets"

    def ensure(self) -> DataDir:
        if self.root.exists() and not self.root.is_dir():
            raise InputError(
                f"the data directory {self.root} is a file, not a directory", fix="give another --home"
            )
        try:
            ensure_private_dir(self.root)
        except StoreError as exc:  # a path through a file, or a place this user cannot write: bad input
            raise InputError(exc.message, fix="give another --home") from None
        for path in (self.store, self.locks, self.logs):
            ensure_private_dir(path)
        return self


def data_dir(explicit: str | os.PathLike[str] | None = None) -> DataDir:
    return DataDir(resolve_home(explicit)).ensure()
