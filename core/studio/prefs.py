"""Company (Studio) Preferences, read and changed: the studio's name and time zone, email (SMTP), the
Google API client and request budget, the browser console, escalation, alert reminders and the
mass-deletion limits.

Every setter checks every value before anything is written (the keyring included) and changes the stored
prefs in one transaction. Secrets (the SMTP password, the OAuth client secret) go to the keyring, never to
the store, and are registered with the log's redaction as soon as they are read. The URLs an admin types
are checked by core.studio.urls. This module never sends mail and never calls Google.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from studiosync.core.errors import InputError, StudioSyncError
from studiosync.core.model import from_doc, to_doc
from studiosync.core.model.company import SECURITIES, CompanyPrefs, EmailPrefs, GoogleApiPrefs, WebPrefs
from studiosync.core.paths import FILE_MODE, DataDir, ensure_private_dir
from studiosync.core.store import layout
from studiosync.core.store.store import Store
from studiosync.core.studio import validate
from studiosync.core.studio.request_budget import check_budget
from studiosync.core.studio.timeparse import zone
from studiosync.core.studio.urls import check_api_endpoint, check_public_url
from studiosync.core.text import escape_line

if TYPE_CHECKING:
    from studiosync.core.google.oauth import ClientConfig

COMPANY = "company"
SMTP_PASSWORD = "smtp-password"
CLIENT_SECRET = "oauth-client-secret"
CLIENT_SECRETS_NAME = "client_secrets.json"
MAX_REMIND_HOURS = 720  # 30 days


class SecretStore(Protocol):
    def get_secret(self, name: str) -> str | None: ...
    def put_secret(self, name: str, value: str) -> None: ...
    def delete_secret(self, name: str) -> None: ...


class Prefs:
    def __init__(self, store: Store, datadir: DataDir, secrets: Callable[[], SecretStore]) -> None:
        self._store = store
        self._datadir = datadir
        self._secrets = secrets  # lazy: the keyring is only touched when a secret is needed

    def get(self) -> CompanyPrefs:
        row = self._store.get(layout.STUDIO, COMPANY, "prefs")
        if not row:
            return CompanyPrefs()
        # Older versions may have left the sections out or null; anything else of the wrong shape is named.
        if isinstance(row, dict):
            row = {**row, "email": row.get("email") or {}, "google": row.get("google") or {}}
        prefs = self._store.record(CompanyPrefs, layout.STUDIO, COMPANY, "prefs", row)
        prefs.email = from_doc(EmailPrefs, row.get("email") or {})
        prefs.google = from_doc(GoogleApiPrefs, row.get("google") or {})
        prefs.web = from_doc(WebPrefs, row.get("web") or {})
        return prefs

    def _save(self, prefs: CompanyPrefs) -> None:
        with self._store.transaction(layout.STUDIO) as tx:
            tx.table(layout.STUDIO, COMPANY).put("prefs", to_doc(prefs))

    def _modify(self, change: Callable[[CompanyPrefs], None]) -> CompanyPrefs:
        """Read, change and write the preferences under the studio file's lock.

        Reading before the lock and saving after it would let two processes (the console setting the time
        zone, a script setting the email server) each write back the other's old value.
        """
        with self._store.transaction(layout.STUDIO) as tx:
            prefs = self.get()  # under the lock: the current version
            change(prefs)
            tx.table(layout.STUDIO, COMPANY).put("prefs", to_doc(prefs))
        return prefs

    @property
    def timezone(self) -> str:
        return self.get().timezone

    def set_timezone(self, name: str) -> CompanyPrefs:
        zone(name)

        def change(prefs: CompanyPrefs) -> None:
            prefs.timezone = name

        return self._modify(change)

    def set_name(self, name: str) -> CompanyPrefs:
        """The studio's name (the browser console's page title): one line, 1-80 characters."""
        name = " ".join((name or "").split())
        if not name:
            raise InputError("the studio name is empty")
        if len(name) > 80:
            raise InputError("the studio name is too long (at most 80 characters)")
        if any(ord(c) < 32 or ord(c) == 127 for c in name):
            raise InputError("the studio name contains control characters")

        def change(prefs: CompanyPrefs) -> None:
            prefs.name = name

        return self._modify(change)

    def set_web(
        self,
        *,
        public_url: str | None = None,
        clear_public_url: bool = False,
        idle_minutes: int | None = None,
    ) -> WebPrefs:
        """The browser console's settings; None leaves a setting as it is."""
        if public_url is not None:
            public_url = check_public_url(public_url)
        if idle_minutes is not None and not 1 <= idle_minutes <= 1440:
            raise InputError("the idle timeout must be 1-1440 minutes")

        def change(prefs: CompanyPrefs) -> None:
            if clear_public_url:
                prefs.web.public_url = None
            if public_url is not None:
                prefs.web.public_url = public_url
            if idle_minutes is not None:
                prefs.web.idle_minutes = idle_minutes

        return self._modify(change).web

    def set_escalation(self, enabled: bool, after: int | None = None) -> CompanyPrefs:
        if after is not None and not 1 <= after <= 100:
            raise InputError("the number of failed runs before admins are emailed must be 1-100")

        def change(prefs: CompanyPrefs) -> None:
            prefs.escalate_to_admins = enabled
            if after is not None:
                prefs.escalate_after = after

        return self._modify(change)

    def set_alert_reminder(self, hours: int) -> CompanyPrefs:
        """While a sync problem lasts, its warning email (and the admins' escalation) is repeated every
        `hours` hours; 0 sends no reminders (only the emails of a change: started, changed, resolved)."""
        if not 0 <= hours <= MAX_REMIND_HOURS:
            raise InputError(
                f"the reminder interval must be 0-{MAX_REMIND_HOURS} hours (0: no reminders), not {hours}"
            )

        def change(prefs: CompanyPrefs) -> None:
            prefs.alert_remind_hours = hours

        return self._modify(change)

    def set_deletion_limits(self, max_count: int | None = None, max_percent: int | None = None) -> CompanyPrefs:
        """The mass-deletion guard's threshold: a run deleting more than `max_count` of a user's linked
        items on one side AND more than `max_percent`% of them deletes none until someone decides."""
        if max_count is None and max_percent is None:
            raise InputError("prefs deletions needs --max-count N and/or --max-percent P")
        if max_count is not None and not 0 <= max_count <= 100_000:
            raise InputError(f"--max-count must be 0-100000 (deletions of linked items), not {max_count}")
        if max_percent is not None and not 0 <= max_percent <= 100:
            raise InputError(f"--max-percent must be 0-100 (100 turns the guard off), not {max_percent}")

        def change(prefs: CompanyPrefs) -> None:
            if max_count is not None:
                prefs.deletion_max_count = max_count
            if max_percent is not None:
                prefs.deletion_max_percent = max_percent

        return self._modify(change)

    # -- email ---------------------------------------------------------------------------------------
    def set_email(
        self,
        *,
        host: str,
        port: int,
        security: str = "starttls",
        username: str | None = None,
        password: str | None = None,
        from_addr: str,
        allow_plaintext: bool = False,
    ) -> EmailPrefs:
        """Save the SMTP settings; every value is checked before anything (keyring included) is written.

        `allow_plaintext`: the admin accepts that with security none the password travels in clear to a
        host that is not this computer (refused otherwise)."""
        host = validate.host(host)
        if not isinstance(port, int) or isinstance(port, bool) or not 1 <= port <= 65535:
            raise InputError(f"port {port} is out of range 1-65535")
        if security not in SECURITIES:
            raise InputError(f"security must be none, starttls or ssl, not {escape_line(security)!r}")
        username = validate.single_line(username, "the SMTP username", required=False) if username else None
        if password is not None:
            validate.single_line(password, "the SMTP password", max_len=1024, required=False)
            if not username:
                raise InputError("a password needs a username (--username)")
        from studiosync.core.mail import validate_email_address

        from_addr = validate_email_address(from_addr)
        current = self.get().email
        keeps_password = current.has_password and current.username == username and bool(username)
        validate.plaintext_password(security, host, password is not None or keeps_password, allow_plaintext)
        forget: list[bool] = []

        def change(prefs: CompanyPrefs) -> None:
            stored_password = prefs.email.has_password
            had_password = stored_password and prefs.email.username == (username or None)
            prefs.email = EmailPrefs(
                host=host,
                port=port,
                security=security,  # type: ignore[arg-type]
                username=username or None,
                from_addr=from_addr,
                has_password=password is not None or (had_password and bool(username)),
                allow_plaintext=bool(allow_plaintext),
            )
            # Again under the lock: another process may have stored a password meanwhile.
            validate.plaintext_password(security, host, prefs.email.has_password, allow_plaintext)
            forget.append(stored_password and not prefs.email.has_password)

        if password is not None:
            self._secrets().put_secret(SMTP_PASSWORD, password)
        prefs = self._modify(change)
        if password is None and forget[-1]:
            # No longer used (no username, or another one): forget it, best effort. The keyring is not
            # touched otherwise, so a server without one can still save settings that need no password.
            with contextlib.suppress(StudioSyncError):
                self._secrets().delete_secret(SMTP_PASSWORD)
        return prefs.email

    def smtp_password(self) -> str | None:
        password = self._secrets().get_secret(SMTP_PASSWORD) if self.get().email.has_password else None
        _never_log(password)
        return password

    # -- Google API ----------------------------------------------------------------------------------
    def set_google(
        self,
        *,
        client_secrets: str | Path,
        api_endpoint: str | None = None,
        published: bool | None = None,
    ) -> GoogleApiPrefs:
        """Load the OAuth client file. `published`: the app's publishing status on Google's consent
        screen; None keeps what was recorded for the same client (a new client starts as "Testing")."""
        from studiosync.core.google.oauth import load_client_secrets

        source = Path(client_secrets).expanduser()
        config = load_client_secrets(source)
        if api_endpoint is not None:
            api_endpoint = check_api_endpoint(api_endpoint)
        self._secrets().put_secret(CLIENT_SECRET, config.client_secret)
        # Keep our own private copy: the admin's download folder may be cleaned up later.
        target_dir = ensure_private_dir(self._datadir.secrets)
        target = target_dir / CLIENT_SECRETS_NAME
        tmp = target.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            # The client secret goes to the keyring with the other secrets; the file keeps the rest.
            json.dump(
                {config.kind: {k: v for k, v in config.raw[config.kind].items() if k != "client_secret"}}, fh
            )
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)

        def change(prefs: CompanyPrefs) -> None:
            # Same OAuth app, new file: its publishing status did not change.
            kept = prefs.google.app_published and prefs.google.client_id == config.client_id
            prefs.google = GoogleApiPrefs(
                client_secrets_source=str(source.absolute()),
                client_id=config.client_id,
                client_type=config.kind,
                api_endpoint=api_endpoint or None,
                app_published=kept if published is None else bool(published),
                # The request budget belongs to the Cloud project's quotas, not to the client file.
                per_user_per_minute=prefs.google.per_user_per_minute,
                per_project_per_minute=prefs.google.per_project_per_minute,
            )

        return self._modify(change).google

    def set_app_published(self, published: bool) -> GoogleApiPrefs:
        """Record whether the OAuth app is published ("In production") on Google's consent screen."""

        def change(prefs: CompanyPrefs) -> None:
            if prefs.google.client_id is None:
                raise InputError(
                    "set the Google API settings first",
                    fix="studiosync prefs google --client-secrets FILE (Company Preferences > Google)",
                )
            prefs.google.app_published = bool(published)

        return self._modify(change).google

    def set_request_budget(
        self, *, per_user: int | None = None, per_project: int | None = None
    ) -> GoogleApiPrefs:
        """The Calendar requests per minute the processor may send, per user and for the whole project
        (Google's defaults: 600 and 10,000; set them to the project's quotas in Google Cloud if changed)."""
        self.check_request_budget(per_user=per_user, per_project=per_project)

        def change(prefs: CompanyPrefs) -> None:
            check_budget(prefs.google, per_user, per_project)  # again under the lock: the current values
            if per_user is not None:
                prefs.google.per_user_per_minute = per_user
            if per_project is not None:
                prefs.google.per_project_per_minute = per_project

        return self._modify(change).google

    def check_request_budget(self, *, per_user: int | None = None, per_project: int | None = None) -> None:
        """InputError when these budget numbers cannot be saved (before anything else is changed)."""
        check_budget(self.get().google, per_user, per_project)

    def client_secrets_path(self) -> Path | None:
        path = self._datadir.secrets / CLIENT_SECRETS_NAME
        return path if path.exists() else None

    def client_config(self) -> ClientConfig | None:
        """The studio's OAuth client (file + secret from the keyring), or None before `prefs google`."""
        from studiosync.core.google.oauth import parse_client_config

        path = self.client_secrets_path()
        if path is None:
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(
                f"the stored Google API settings ({path}) cannot be read: {exc}",
                fix="studiosync prefs google --client-secrets FILE (Company Preferences > Google)",
            ) from None
        if isinstance(data, dict):
            for section in data.values():
                if isinstance(section, dict) and not section.get("client_secret"):
                    section["client_secret"] = self._secrets().get_secret(CLIENT_SECRET) or ""
        config = parse_client_config(data, source=str(path))
        _never_log(config.client_secret)
        return config


def _never_log(secret: str | None) -> None:
    """Once a secret is in memory, the log redacts it wherever it would appear."""
    if secret:
        from studiosync.core.logs import register_secret

        register_secret(secret)
