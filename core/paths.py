"""Where studiosync keeps its data.

The data directory comes from `--home DIR`, else `STUDIOSYNC_HOME`, else the platformdirs user data dir.
It holds the store, logs, backups and (on servers without an OS keyring) the token fallback, so it is
created private (0700) and every file in it is written 0600.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from studiosync.core.errors import StoreError

APP_NAME = "studiosync"
DIR_MODE = 0o700
FILE_MODE = 0o600


def resolve_home(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The data directory: explicit argument, then STUDIOSYNC_HOME, then the platform default."""
    if explicit:
        return Path(explicit).expanduser().absolute()
    env = os.environ.get("STUDIOSYNC_HOME")
    if env:
        return Path(env).expanduser().absolute()
    import platformdirs  # start-up: not needed when --home or STUDIOSYNC_HOME says where

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def ensure_private_dir(path: Path) -> Path:
    """Create `path` (and parents) with mode 0700; tighten an existing one we own."""
    try:
        path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        if (path.stat().st_mode & 0o777) != DIR_MODE:
            os.chmod(path, DIR_MODE)
    except OSError as exc:
        raise StoreError(f"cannot create data directory {path}: {exc.strerror or exc}") from exc
    return path


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
        for path in (self.root, self.store, self.locks, self.logs):
            ensure_private_dir(path)
        return self


def data_dir(explicit: str | os.PathLike[str] | None = None) -> DataDir:
    return DataDir(resolve_home(explicit)).ensure()
