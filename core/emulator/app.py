"""Request dispatch: control, OAuth, batch and API requests, with counting, quotas and fault injection.

Independent of sockets so batch sub-calls go through exactly the same path as top-level requests. The
control API answers under `/_emulator/...`, and under `/control/...` as an alias. Must never import
anything outside the emulator package.
"""

from __future__ import annotations

import time

from . import batch
from .calendar import CalendarApi
from .errors import ApiError, DropConnection, bad_request, not_found
from .faults import Hit, quota_error
from .oauth import OAuthServer
from .people import PeopleApi
from .state import EmulatorState
from .wire import Request, Response, Router

CONTROL_PREFIX = "/_emulator"
CONTROL_ALIAS = "/control"


class App:
    def __init__(self, state: EmulatorState, control: Router) -> None:
        self.state = state
        self.oauth = OAuthServer(state)
        self.calendar = CalendarApi(state)
        self.people = PeopleApi(state)
        self.control = control

    def handle(self, req: Request) -> Response:
        """Answer one top-level HTTP request. Raises DropConnection for a 'drop' fault."""
        try:
            if req.path == CONTROL_ALIAS or req.path.startswith(CONTROL_ALIAS + "/"):
                req.path = CONTROL_PREFIX + req.path[len(CONTROL_ALIAS) :]
            if req.path.startswith(CONTROL_PREFIX):
                handler, params = self.control.match(req.method, req.path)
                return handler(req, **params)
            if self.oauth.handles(req.path):
                hit = self._faults(None, None, req)
                return self._fault_response(hit) or self.oauth.handle(req)
            if req.path.rstrip("/") in batch.BATCH_PATHS and req.method == "POST":
                return self._batch(req)
            return self.api(req)
        except ApiError as err:
            return Response.error(err)

    def _who(self, header: str | None) -> tuple[str | None, str | None]:
        """(account, project) a bearer token was minted for, even an expired one."""
        token = OAuthServer.bearer(header)
        with self.state.lock:
            access = self.state.access_tokens.get(token or "")
            return (access.email, access.client_id) if access else (None, None)

    def _faults(self, account: str | None, project: str | None, req: Request) -> Hit:
        hit = self.state.faults.take(account, project, req.path, req.method, req.in_batch)
        if hit.delay:
            time.sleep(hit.delay)  # outside the state lock: other requests keep flowing
        req.page_cap = hit.page_cap
        return hit

    @staticmethod
    def _fault_response(hit: Hit) -> Response | None:
        if hit.error is None:
            return None
        if hit.error.kind == "drop":
            raise DropConnection()
        return Response.error(hit.error.error())

    def _over_quota(self, account: str | None, project: str | None) -> Response | None:
        if not self.state.meter.over_limit(account, project):
            return None
        return Response.error(quota_error("403_rate", self.state.meter.limits.retry_after))

    def api(self, req: Request, outer_auth: str | None = None) -> Response:
        """One Calendar/People call; `outer_auth` is the enclosing batch's Authorization header."""
        header = req.header("authorization") or outer_auth
        if req.path.startswith("/calendar/"):
            kind, service = "calendar", self.calendar
        elif req.path.startswith("/v1/"):
            kind, service = "people", self.people
        else:
            return Response.error(not_found(f"No such endpoint: {req.method} {req.path}"))
        account, project = self._who(header)
        self.state.meter.record(account, project, kind, write=req.method != "GET")
        try:
            refused = self._fault_response(self._faults(account, project, req))
            refused = refused or self._over_quota(account, project)
            if refused is not None:
                return refused
            auth = self.oauth.authenticate(header)
            return service.handle(auth, req)
        except ApiError as err:
            return Response.error(err)

    def _batch(self, req: Request) -> Response:
        header = req.header("authorization")
        account, project = self._who(header)
        self.state.meter.record(account, project, "batch")
        refused = self._fault_response(self._faults(account, project, req))
        if refused is not None:
            return refused
        if header:
            self.oauth.authenticate(header)  # a bad outer token fails the whole batch with 401
        parts = batch.parse(req.body, req.header("content-type") or "")
        if not parts:
            raise bad_request("A batch request needs at least one part.", "badContent")
        if len(parts) > batch.MAX_CALLS:
            raise bad_request(
                f"Too many requests in the batch: {len(parts)} (at most {batch.MAX_CALLS}).",
                "batchSizeTooLarge",
            )
        return batch.render([(part.content_id, self.api(part.request, header)) for part in parts])
