"""Control methods for the machinery around the APIs: OAuth clients and grants, injected faults, quota
limits, sync-token invalidation and request counters (per account and per project = OAuth client).

Counters and limits: see meter.py (Calendar's usage-limits page); fault bodies: faults.py (Calendar's
errors page). Must never import anything outside the emulator package.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from typing import Any

from ..errors import ControlError
from ..meter import Limits
from ..state import OAuthClient
from .base import ControllerBase

DEFAULT_SCOPES = (
    "https://www.googleapis.com/auth/calendar",
    "https://www.googleapis.com/auth/contacts.readonly",
)


class OpsControl(ControllerBase):
    # ------------------------------------------------------------------ OAuth
    def register_client(
        self, client_id: str, client_secret: str, redirect_uris: Iterable[str] = ()
    ) -> dict[str, Any]:
        """Register an OAuth client; returns its client-secrets dict (`{"installed": {...}}`).
        Loopback http redirect URIs are always accepted; others must be listed in `redirect_uris`."""
        with self.state.lock:
            self.state.clients[client_id] = OAuthClient(client_id, client_secret, list(redirect_uris))
        return self.client_secrets(client_id)

    def client_secrets(self, client_id: str) -> dict[str, Any]:
        """The client-secrets JSON (type "installed") with auth_uri/token_uri pointing here."""
        with self.state.lock:
            client = self.state.clients.get(client_id)
            if client is None:
                raise ControlError(f"unknown client {client_id!r}")
            return {
                "installed": {
                    "client_id": client.client_id,
                    "project_id": "studiosync-emulator",
                    "auth_uri": f"{self.url}/o/oauth2/auth",
                    "token_uri": f"{self.url}/token",
                    "revoke_uri": f"{self.url}/revoke",
                    "auth_provider_x509_cert_url": f"{self.url}/oauth2/v1/certs",
                    "client_secret": client.client_secret,
                    "redirect_uris": ["http://localhost", *client.redirect_uris],
                }
            }

    def set_consent_account(self, email: str | None, *, deny: bool = False) -> None:
        """Who 'clicks Allow' on the consent screen (a known `login_hint` wins). With `deny=True` the user
        clicks Cancel instead: the redirect carries error=access_denied."""
        with self.state.lock:
            if email is not None:
                self._account(email)
            self.state.consent_account = email.lower() if email else None
            self.state.consent_deny = deny

    def authorize(self, email: str, client_id: str, scopes: Iterable[str] = DEFAULT_SCOPES) -> dict[str, Any]:
        """Skip the browser: grant `client_id` access to `email` and return authorized-user info, ready for
        `google.oauth2.credentials.Credentials.from_authorized_user_info`."""
        with self.state.lock:
            account = self._account(email)
            client = self.state.clients.get(client_id)
            if client is None:
                raise ControlError(f"unknown client {client_id!r}")
            grant, access = self._oauth.mint(account.email, client_id, list(scopes))
            expiry = dt.datetime.fromtimestamp(access.expires_at, dt.UTC)
            return {
                "type": "authorized_user",
                "client_id": client_id,
                "client_secret": client.client_secret,
                "refresh_token": grant.refresh_token,
                "token": access.token,
                "token_uri": f"{self.url}/token",
                "scopes": list(grant.scopes),
                "expiry": expiry.strftime("%Y-%m-%dT%H:%M:%SZ"),
            }

    def revoke_grant(self, email: str, client_id: str | None = None) -> int:
        """Revoke the account's grants (all clients, or one): refresh -> invalid_grant, API -> 401."""
        with self.state.lock:
            email = email.lower()
            hits = [
                g
                for g in self.state.grants.values()
                if g.email == email and not g.revoked and (client_id is None or g.client_id == client_id)
            ]
            for grant in hits:
                self._oauth.revoke_grant(grant)
            return len(hits)

    def expire_access_tokens(self, email: str | None = None) -> int:
        """Make current access tokens (of one account, or all) expired now; the API answers 401."""
        with self.state.lock:
            hits = [a for a in self.state.access_tokens.values() if email is None or a.email == email.lower()]
            past = time.time() - 1
            for access in hits:
                access.expires_at = min(access.expires_at, past)
            return len(hits)

    # ------------------------------------------------------------------ faults
    def inject_fault(
        self,
        kind: str | int,
        count: int | None = 1,
        *,
        retry_after: float | None = None,
        seconds: float | None = None,
        seconds_active: float | None = None,
        account: str | None = None,
        project: str | None = None,
        path: str | None = None,
        method: str | None = None,
        in_batch: bool | None = False,
        reason: str | None = None,
        items: int = 0,
    ) -> int:
        """Fail the next `count` matching requests, or every one for `seconds_active` seconds (count=None),
        or whichever ends first; returns the fault id.

        kind: "429" / "403_rate" (rateLimitExceeded), "403_user_rate" (userRateLimitExceeded), "403_quota"
        (quotaExceeded), "500", "503" — each optionally with `retry_after` seconds (a Retry-After header);
        "drop" (close the socket without answering), "latency" (sleep `seconds`, then answer normally),
        "short_page" (events.list pages hold at most `items` items while more remain).
        Filters: `account` (token owner), `project` (OAuth client id), `path` (substring of the request
        path; needed to hit the OAuth endpoints), `method`. `in_batch`: False = top-level requests only (a
        batch POST itself included), True = only sub-calls inside batches, None = both. `reason`
        overrides the error reason.
        """
        fault = self._check(
            lambda: self.state.faults.add(
                kind,
                count,
                retry_after=retry_after,
                seconds=seconds,
                seconds_active=seconds_active,
                account=account,
                project=project,
                path=path,
                method=method,
                in_batch=in_batch,
                reason=reason,
                items=items,
            )
        )
        return int(fault.id)

    def clear_faults(self) -> None:
        self.state.faults.clear()

    def faults(self) -> list[dict[str, Any]]:
        """Faults not yet used up."""
        return [f.describe() for f in self.state.faults.pending()]

    def set_quota(
        self,
        per_user_per_minute: int | None = None,
        per_project_per_minute: int | None = None,
        retry_after: float | None = None,
    ) -> dict[str, Any]:
        """Enforce Google's per-minute quotas (sliding window): past a limit, Calendar/People calls answer
        403 rateLimitExceeded (with Retry-After when given). None = unlimited (the default)."""
        for value in (per_user_per_minute, per_project_per_minute):
            if value is not None and value < 0:
                raise ControlError("quota limits must be >= 0")
        with self.state.lock:
            self.state.meter.limits = Limits(per_user_per_minute, per_project_per_minute, retry_after)
        return self.request_report(window=60.0)["limits"]

    # ------------------------------------------------------------------ sync tokens and counters
    def invalidate_sync_tokens(
        self, email: str | None = None, *, calendar: bool = True, people: bool = True
    ) -> None:
        """Make outstanding sync tokens stale: Calendar then answers 410 fullSyncRequired, People
        400 EXPIRED_SYNC_TOKEN. `email` limits it to that account's calendars/contacts."""
        with self.state.lock:
            accounts = [self._account(email)] if email else list(self.state.accounts.values())
            for account in accounts:
                if calendar:
                    for cid in account.calendar_ids:
                        self.state.calendars[cid].changes.epoch += 1
                if people:
                    account.contacts.changes.epoch += 1

    def request_counts(self, email: str | None = None, *, project: str | None = None) -> dict[str, int]:
        """Requests seen per kind: calendar and people calls (batch sub-calls included), outer batch
        requests, OAuth requests. `email=None` (and no project) sums every account (and unauthenticated
        requests); `project` counts one OAuth client's requests."""
        return self.state.meter.counts(account=email, project=project)

    def request_report(
        self, email: str | None = None, *, project: str | None = None, window: float = 60.0
    ) -> dict[str, Any]:
        """Totals, the last `window` seconds, every account's and project's counts, and the quota limits."""
        return self.state.meter.report(account=email, project=project, window=window)

    def reset_counts(self, email: str | None = None) -> None:
        self.state.meter.reset(email)
