"""TokenVault: explicit keyring backends are honoured; no usable keyring -> the announced 0600 file."""

from __future__ import annotations

import json
import os
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backend
import keyring.core
import pytest
from keyring.errors import KeyringLocked, PasswordDeleteError
from studiosync.core.errors import OperationError, StoreError
from studiosync.core.google.tokens import SECRETS_SERVICE, SERVICE, StoredToken, TokenVault

# Resolve keyring's (cached) list of installed backends BEFORE defining ours: keyring registers every
# KeyringBackend subclass, and the test backends must not leak into auto-detection elsewhere.
keyring.backend.get_all_keyring()


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A recommended (priority 1) in-memory backend."""

    priority = 1
    store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.store:
            raise PasswordDeleteError("not found")
        del self.store[(service, username)]


class LowPriorityKeyring(MemoryKeyring):
    """Stands for keyrings.alt's plaintext file: viable but not recommended."""

    priority = 0.5


class LockedKeyring(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked("collection is locked")


TOKEN = StoredToken(
    refresh_token="1//refresh-secret",
    account_email="ann@example.com",
    client_id="client-1",
    scopes=("https://www.googleapis.com/auth/calendar",),
    token_uri="https://oauth2.googleapis.com/token",
)


@pytest.fixture(autouse=True)
def isolated_keyring(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No env var, no keyringrc (XDG_CONFIG_HOME is empty), keyring's global backend restored after."""
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    saved = keyring.core._keyring_backend
    MemoryKeyring.store.clear()
    yield
    keyring.core._keyring_backend = saved


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_fail_backend_in_env_selects_the_file_fallback(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    vault = TokenVault(tmp_path / "home")
    assert vault.is_fallback
    desc = vault.backend_description()
    assert desc.startswith("file fallback: ")
    assert str(tmp_path / "home" / "secrets" / "tokens.json") in desc
    assert "plaintext" in desc and "0600" in desc

    vault.put("ann", TOKEN)
    assert vault.get("ann") == TOKEN
    path = tmp_path / "home" / "secrets" / "tokens.json"
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
    assert json.loads(path.read_text())["tokens"]["ann"]  # plain JSON we can inspect (doctor)
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]  # temp files cleaned up


def test_null_backend_also_falls_back(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # what `keyring --disable` configures: it would silently forget every token
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    vault = TokenVault(tmp_path)
    assert vault.is_fallback
    vault.put("ann", TOKEN)
    assert vault.get("ann") == TOKEN


def test_no_backend_at_all_falls_back(tmp_path: Path) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    assert TokenVault(tmp_path).is_fallback


def test_explicit_env_backend_is_honoured(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", f"{__name__}.MemoryKeyring")
    vault = TokenVault(tmp_path)
    assert not vault.is_fallback
    assert vault.backend_description().startswith("keyring: ")
    assert "MemoryKeyring" in vault.backend_description()
    vault.put("ann", TOKEN)
    assert json.loads(MemoryKeyring.store[(SERVICE, "ann")])["account_email"] == "ann@example.com"
    assert vault.get("ann") == TOKEN
    assert not (tmp_path / "secrets").exists()


def test_explicit_non_recommended_backend_in_keyringrc_is_honoured(tmp_path: Path) -> None:
    cfg = tmp_path / "xdg" / "python_keyring" / "keyringrc.cfg"
    cfg.parent.mkdir(parents=True)
    cfg.write_text(f"[backend]\ndefault-keyring={__name__}.LowPriorityKeyring\n")
    vault = TokenVault(tmp_path)
    assert not vault.is_fallback
    assert "LowPriorityKeyring" in vault.backend_description()


def test_set_keyring_backend_is_used(tmp_path: Path) -> None:
    keyring.set_keyring(MemoryKeyring())
    vault = TokenVault(tmp_path)
    assert not vault.is_fallback
    vault.put("bob", TOKEN)
    assert (SERVICE, "bob") in MemoryKeyring.store


def test_silently_detected_non_recommended_backend_is_replaced_by_the_fallback(tmp_path: Path) -> None:
    keyring.set_keyring(LowPriorityKeyring())  # as if auto-detection had picked keyrings.alt
    vault = TokenVault(tmp_path)
    assert vault.is_fallback
    assert "non-recommended" in vault.backend_description()


def test_backend_argument_is_explicit(tmp_path: Path) -> None:
    vault = TokenVault(tmp_path, backend=LowPriorityKeyring())
    assert not vault.is_fallback


def test_unloadable_configured_backend_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "no.such.Backend")
    with pytest.raises(OperationError, match="no.such.Backend"):
        TokenVault(tmp_path).backend_description()


def test_keyring_refusal_is_an_operation_error_with_a_fix(tmp_path: Path) -> None:
    vault = TokenVault(tmp_path, backend=LockedKeyring())
    with pytest.raises(OperationError) as info:
        vault.get("ann")
    assert "locked" in info.value.message
    assert "PYTHON_KEYRING_BACKEND=keyring.backends.fail.Keyring" in (info.value.fix or "")


@pytest.mark.parametrize("backend", ["file", "keyring"])
def test_delete_and_secrets(backend: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    if backend == "file":
        monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    vault = TokenVault(tmp_path, backend=MemoryKeyring() if backend == "keyring" else None)
    vault.delete("nobody")  # absent is fine
    vault.put("smtp-password", TOKEN)  # a login that happens to equal a secret's name
    vault.put_secret("smtp-password", "hunter2")
    assert vault.get_secret("smtp-password") == "hunter2"
    assert vault.get("smtp-password") == TOKEN
    vault.delete("smtp-password")
    assert vault.get("smtp-password") is None
    assert vault.get_secret("smtp-password") == "hunter2"
    vault.delete_secret("smtp-password")
    vault.delete_secret("smtp-password")
    assert vault.get_secret("smtp-password") is None
    if backend == "keyring":
        assert all(svc in (SERVICE, SECRETS_SERVICE) for svc, _ in MemoryKeyring.store)


def test_fallback_read_modify_write_is_serialised(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")

    def writer(n: int) -> None:
        vault = TokenVault(tmp_path)  # separate vaults: the file lock, not an object, must serialise
        for i in range(10):
            vault.put(f"user{n}-{i}", TOKEN)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    data = json.loads((tmp_path / "secrets" / "tokens.json").read_text())
    assert len(data["tokens"]) == 60


def test_loosened_file_is_tightened(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    vault = TokenVault(tmp_path)
    vault.put("ann", TOKEN)
    path = tmp_path / "secrets" / "tokens.json"
    os.chmod(path, 0o644)
    assert vault.get("ann") == TOKEN
    assert mode(path) == 0o600


def test_corrupt_fallback_file_is_left_alone(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    path = tmp_path / "secrets" / "tokens.json"
    path.parent.mkdir(mode=0o700)
    path.write_text("{not json")
    vault = TokenVault(tmp_path)
    with pytest.raises(StoreError):
        vault.get("ann")
    with pytest.raises(StoreError):
        vault.put("ann", TOKEN)
    assert path.read_text() == "{not json"


def test_unreadable_entry_is_a_store_error_with_the_reauth_fix(tmp_path: Path) -> None:
    backend = MemoryKeyring()
    backend.set_password(SERVICE, "ann", "garbage")
    with pytest.raises(StoreError) as info:
        TokenVault(tmp_path, backend=backend).get("ann")
    assert "studiosync google auth ann" in (info.value.fix or "")


def test_repr_never_shows_the_refresh_token() -> None:
    assert "refresh-secret" not in repr(TOKEN)
    assert StoredToken.from_json(TOKEN.to_json()) == TOKEN
