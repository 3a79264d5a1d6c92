"""The console's door to core's heavier services: jobs, Sync now, the dashboard's health, logs, doctor.

`CoreServices` is the half of tui.backend.Backend that reaches those services; each method imports its
service when first called, so the console's first paint does not pay for them. Like the Backend it
enforces who may see what and never imports Textual.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from studiosync.tui.rows import (
    AUTHENTICATED,
    ENABLED,
    FAILING,
    HELD,
    NO_ACCOUNT,
    NOT_SET_UP,
    SyncHealth,
    health_row,
)

if TYPE_CHECKING:
    from studiosync.core.explain import Explanation
    from studiosync.core.studio.studio import Studio


class CoreServices:
    studio: Studio

    # Provided by Backend (who is logged in, the clock).
    is_admin: bool
    me: str

    def require_admin(self) -> None: ...

    def require_self_or_admin(self, login: str) -> None: ...

    def now(self) -> datetime: ...

    # -- jobs and sync -------------------------------------------------------------------------------
    def jobs(self) -> Any:
        from studiosync.core.jobs.service import Jobs

        return Jobs(self.studio)

    def sync_logins(self) -> list[str] | None:
        """Who "Sync now" covers: everyone for an admin (None), else only the viewer."""
        return None if self.is_admin else [self.me]

    def run_sync(
        self,
        *,
        stop: Any = None,
        progress: Callable[[Any], None] | None = None,
        login: str | None = None,
        release: str | None = None,
    ) -> Any:
        """Sync now: everyone "Sync now" covers, or one user -- with `release` ("allow" | "restore"),
        a person's decision about that user's held deletions (admins only)."""
        from studiosync.core.jobs.sync_job import sync_options
        from studiosync.core.sync.processor import run_sync

        options = sync_options(self.studio)  # Run now goes by the google-sync job's options too
        if login is not None:
            self.require_self_or_admin(login)
            if release is not None:
                self.require_admin()
            return run_sync(self.studio, [login], stop=stop, progress=progress, options=options, release=release)
        return run_sync(self.studio, self.sync_logins(), stop=stop, progress=progress, options=options)

    def sync_health(self) -> list[SyncHealth]:
        """Per-user health for the dashboard (core.health), failing users first."""
        from studiosync.core.health.users import sync_health

        self.require_admin()
        users = {u.login: u for u in self.studio.users.list()}
        rows: list[SyncHealth] = []
        for h in sync_health(self.studio, now=self.now()):
            user = users.get(h.login)
            if user is None or not user.can_sync:
                continue
            rows.append(health_row(h, user))
        order = {FAILING: 0, HELD: 1, NO_ACCOUNT: 2, ENABLED: 3, AUTHENTICATED: 4, NOT_SET_UP: 5}
        rows.sort(key=lambda r: (order.get(r.status, 9), r.login))
        return rows

    # -- logs ----------------------------------------------------------------------------------------
    def log_dir(self) -> Any:
        return self.studio.datadir.logs

    def log_user_filter(self) -> str | None:
        """A non-admin reads only their own lines: the filter is applied by the reader, not just the view."""
        return None if self.is_admin else self.me

    def recent_logs(self, limit: int = 1000) -> list[Any]:
        from studiosync.core import logs

        return logs.read_logs(self.log_dir(), user=self.log_user_filter())[-limit:]

    def follow_logs(self, stop: Any, poll: float = 0.1) -> Any:
        from studiosync.core import logs

        return logs.follow_logs(self.log_dir(), user=self.log_user_filter(), stop=stop, poll=poll)

    def explain_log_record(self, record: Any) -> Explanation | None:
        """Cause and fix of a log line (core.explain), or None when it records no known failure.

        Pure text matching on a record the viewer already holds: cheap enough to call from the UI thread.
        """
        from studiosync.core.explain import explain_record

        return explain_record(record)

    # -- doctor --------------------------------------------------------------------------------------
    def run_doctor(self, login: str | None = None) -> Any:
        from studiosync.core.doctor.run import run_doctor

        self.require_admin()
        return run_doctor(self.studio, login)
