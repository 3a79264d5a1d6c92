"""Where refresh tokens (and the SMTP password) live: the OS keyring, or a deliberate file fallback.

Secrets never go to TinyDB, logs, emails or screenshots. On a desktop the OS keyring protects them. On a
headless server keyring has no usable backend: without keyrings.alt every call raises NoKeyringError, and
with it keyring silently picks a base64 *plaintext* file in $HOME. Neither is acceptable unannounced, so:

- a backend configured explicitly (PYTHON_KEYRING_BACKEND, keyringrc.cfg's default-keyring, or a backend
  object handed to TokenVault) is honoured as is -- except the `fail` and `null` backends, which cannot
  store anything; they (and "nothing configured, nothing recommended found") select the fallback;
- an auto-detected backend is used only when keyring would *recommend* it (priority >= 1);
- the fallback is `<home>/secrets/tokens.json`: plaintext protected by permissions (dir 0700, file 0600),
  written atomically (temp + fsync + os.replace) under an fcntl lock, and named as such by
  `backend_description()` so the doctor can tell the studio exactly what protects its tokens.
Setting PYTHON_KEYRING_BACKEND=keyring.backends.fail.Keyring is thus the way to force the file fallback.
"""

from __future__ import annotations

import configparser
import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import keyring
import keyring.core
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null
from keyring.errors import KeyringError, PasswordDeleteError
from keyring.util import platform_ as keyring_platform
from studiosync.core.errors import OperationError, StoreError
from studiosync.core.paths import FILE_MODE, ensure_private_dir

SERVICE = "studiosync"  # one entry per user: username = the user's login
SECRETS_SERVICE = "studiosync-secrets"  # generic secrets (e.g. "smtp-password"): never collide with logins
FALLBACK_FILE = "tokens.json"
_FORMAT_VERSION = 1


@dataclass(frozen=True)
class StoredToken:
    """What a later run needs to mint access tokens for one user. repr hides the token itself."""

    refresh_token: str = field(repr=False)
    account_email: str
    client_id: str
    scopes: tuple[str, ...]
    token_uri: str

    def to_json(self) -> str:
        data = asdict(self)
        data["scopes"] = list(self.scopes)
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> StoredToken:
        data = json.loads(text)
        if not isinstance(data, dict) or not data.get("refresh_token"):
            raise ValueError("not a stored token")
        return cls(
            refresh_token=str(data["refresh_token"]),
            account_email=str(data.get("account_email") or ""),
            client_id=str(data.get("client_id") or ""),
            scopes=tuple(str(s) for s in data.get("scopes") or ()),
            token_uri=str(data.get("token_uri") or ""),
        )


# -- choosing a backend -------------------------------------------------------------------------------
def _is_unusable(backend: KeyringBackend) -> bool:
    """fail raises on every call; null silently forgets (what `keyring --disable` configures)."""
    if isinstance(backend, fail.Keyring | null.Keyring):
        return True
    return isinstance(backend, chainer.ChainerBackend) and not chainer.ChainerBackend.backends


def _is_recommended(backend: KeyringBackend) -> bool:
    if isinstance(backend, chainer.ChainerBackend):
        chained = chainer.ChainerBackend.backends  # highest priority first; writes go to the first
        return bool(chained) and chained[0].priority >= 1
    try:
        return backend.priority >= 1
    except Exception:  # a backend may raise from priority when it stopped being viable
        return False


def _explicit_config_name() -> str | None:
    """The backend named by keyring's own configuration (env var, then keyringrc.cfg), if any."""
    env = os.environ.get("PYTHON_KEYRING_BACKEND", "").strip()
    if env:
        return env
    path = keyring_platform.config_root() / "keyringrc.cfg"
    parser = configparser.RawConfigParser()
    try:
        parser.read(path, encoding="utf-8")
        return parser.get("backend", "default-keyring").strip() or None
    except (configparser.Error, OSError):
        return None


def _describe(backend: KeyringBackend) -> str:
    cls = type(backend)
    return f"{cls.name} ({cls.__module__}.{cls.__name__})"


class TokenVault:
    """Refresh tokens per login, plus named secrets, in the keyring or the file fallback."""

    def __init__(self, home: Path, *, backend: KeyringBackend | None = None, service: str = SERVICE) -> None:
        self.home = Path(home)
        self.service = service
        self.secrets_service = f"{service}-secrets" if service != SERVICE else SECRETS_SERVICE
        self.fallback_path = self.home / "secrets" / FALLBACK_FILE
        self._explicit = backend
        self._backend: KeyringBackend | None = None
        self._fallback_reason: str | None = None
        self._selected = False

    # -- selection ------------------------------------------------------------------------------------
    def _select(self) -> KeyringBackend | None:
        if self._selected:
            return self._backend
        backend: KeyringBackend | None
        if self._explicit is not None:
            backend, explicit = self._explicit, True
        else:
            name = _explicit_config_name()
            explicit = name is not None
            if explicit:
                try:
                    # Load fresh rather than trust keyring's process-wide cache, which may predate the env.
                    backend = keyring.core.load_env() or keyring.core.load_config()
                except Exception as exc:
                    raise OperationError(
                        f"the keyring backend configured for this computer ({name}) cannot be loaded: {exc}",
                        fix="Fix PYTHON_KEYRING_BACKEND or keyringrc.cfg, or set "
                        "PYTHON_KEYRING_BACKEND=keyring.backends.fail.Keyring to use the file fallback.",
                    ) from exc
            else:
                backend = keyring.get_keyring()
        if backend is None or _is_unusable(backend):
            self._fallback_reason = (
                f"no usable OS keyring ({_describe(backend)})" if backend else "no usable OS keyring"
            )
            backend = None
        elif not explicit and not _is_recommended(backend):
            # e.g. keyrings.alt's plaintext file in $HOME chosen silently: prefer our announced fallback.
            self._fallback_reason = f"only a non-recommended keyring was found ({_describe(backend)})"
            backend = None
        self._backend, self._selected = backend, True
        return backend

    @property
    def is_fallback(self) -> bool:
        return self._select() is None

    def backend_description(self) -> str:
        backend = self._select()
        if backend is not None:
            return f"keyring: {_describe(backend)}"
        return (
            f"file fallback: {self.fallback_path} (plaintext, protected by file permissions 0600; "
            f"{self._fallback_reason})"
        )

    # -- tokens ---------------------------------------------------------------------------------------
    def get(self, login: str) -> StoredToken | None:
        raw = self._read(self.service, "tokens", _check(login))
        if raw is None:
            return None
        try:
            return StoredToken.from_json(raw)
        except (ValueError, TypeError) as exc:
            raise StoreError(
                f"the stored Google token of {login} is unreadable",
                fix=f"Re-authenticate: studiosync google remove {login}, then studiosync google auth {login}.",
            ) from exc

    def put(self, login: str, token: StoredToken) -> None:
        self._write(self.service, "tokens", _check(login), token.to_json())

    def delete(self, login: str) -> None:
        """Forget a user's token; absent is fine (removal must always be possible)."""
        self._remove(self.service, "tokens", _check(login))

    # -- generic secrets ------------------------------------------------------------------------------
    def get_secret(self, name: str) -> str | None:
        return self._read(self.secrets_service, "secrets", _check(name))

    def put_secret(self, name: str, value: str) -> None:
        self._write(self.secrets_service, "secrets", _check(name), value)

    def delete_secret(self, name: str) -> None:
        self._remove(self.secrets_service, "secrets", _check(name))

    # -- dispatch -------------------------------------------------------------------------------------
    def _read(self, service: str, section: str, key: str) -> str | None:
        backend = self._select()
        if backend is None:
            return self._file_load().get(section, {}).get(key)
        with self._keyring_errors():
            return backend.get_password(service, key)

    def _write(self, service: str, section: str, key: str, value: str) -> None:
        backend = self._select()
        if backend is None:
            with self._file_transaction() as data:
                data.setdefault(section, {})[key] = value
            return
        with self._keyring_errors():
            backend.set_password(service, key, value)

    def _remove(self, service: str, section: str, key: str) -> None:
        backend = self._select()
        if backend is None:
            with self._file_transaction() as data:
                data.setdefault(section, {}).pop(key, None)
            return
        # PasswordDeleteError = it was not there: already forgotten, which is the goal.
        with self._keyring_errors(), contextlib.suppress(PasswordDeleteError):
            backend.delete_password(service, key)

    @contextlib.contextmanager
    def _keyring_errors(self) -> Iterator[None]:
        try:
            yield
        except KeyringError as exc:
            raise OperationError(
                f"the OS keyring ({_describe(self._backend) if self._backend else '?'}) refused: {exc}",
                fix="Unlock the keyring, or set PYTHON_KEYRING_BACKEND=keyring.backends.fail.Keyring to keep "
                "tokens in the data directory's protected file instead.",
            ) from exc

    # -- file fallback --------------------------------------------------------------------------------
    def _file_load(self) -> dict[str, Any]:
        path = self.fallback_path
        if not path.exists():
            return {}
        with self._file_lock(exclusive=False):
            return self._file_read()

    def _file_read(self) -> dict[str, Any]:
        path = self.fallback_path
        try:
            st = path.stat()
            if st.st_mode & 0o077:  # someone loosened it: tighten before reading secrets out of it
                os.chmod(path, FILE_MODE)
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise StoreError(f"cannot read the token file {path}: {exc.strerror or exc}") from exc
        try:
            data = json.loads(text) if text.strip() else {}
        except ValueError as exc:
            raise StoreError(
                f"the token file {path} is corrupt; it was left untouched",
                fix="Move it aside and re-authenticate each user's Google account.",
            ) from exc
        if not isinstance(data, dict):
            raise StoreError(f"the token file {path} is not a JSON object; it was left untouched")
        return data

    @contextlib.contextmanager
    def _file_transaction(self) -> Iterator[dict[str, Any]]:
        """Read-modify-write under an exclusive lock; the file is replaced atomically."""
        with self._file_lock(exclusive=True):
            data = self._file_read()
            data["version"] = _FORMAT_VERSION
            yield data
            self._file_write(data)

    def _file_write(self, data: dict[str, Any]) -> None:
        directory = self.fallback_path.parent
        fd, tmp = tempfile.mkstemp(prefix=".tokens-", suffix=".tmp", dir=directory)  # created 0600
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, sort_keys=True, indent=1)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, FILE_MODE)
            os.replace(tmp, self.fallback_path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise StoreError(
                f"cannot write the token file {self.fallback_path}: {exc.strerror or exc}"
            ) from exc
        _fsync_dir(directory)

    @contextlib.contextmanager
    def _file_lock(self, *, exclusive: bool) -> Iterator[None]:
        directory = ensure_private_dir(self.fallback_path.parent)
        lock_path = directory / (FALLBACK_FILE + ".lock")
        try:
            import fcntl
        except ImportError:  # Windows always has a usable keyring; no fallback locking needed there
            yield
            return
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, FILE_MODE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
            yield
        finally:
            os.close(fd)  # closing releases the flock


def _fsync_dir(directory: Path) -> None:
    # Make the rename itself durable; some filesystems refuse fsync on a directory: nothing to do then.
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _check(name: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ValueError("a token/secret name must be a non-empty string")
    return name
