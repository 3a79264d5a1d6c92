"""Request dispatch: control, OAuth, batch and API requests, with counting and fault injection.

Independent of sockets so batch sub-calls go through exactly the same path as top-level requests.
"""

from __future__ import annotations

import time

from . import batch
from .calendar import CalendarApi
from .errors import ApiError, DropConnection, bad_request, not_found
from .faults import Fault
from .oauth import OAuthServer
from .people import PeopleApi
from .state import EmulatorState
from .wire import Request, Response, Router


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
            if req.path.startswith("/_emulator"):
                handler, params = self.control.match(req.method, req.path)
                return handler(req, **params)
            if self.oauth.handles(req.path):
                hit = self._faults(None, req)
                return hit or self.oauth.handle(req)
            if req.path.rstrip("/") in batch.BATCH_PATHS and req.method == "POST":
                return self._batch(req)
            return self.api(req)
        except ApiError as err:
            return Response.error(err)

    def _faults(self, account: str | None, req: Request) -> Response | None:
        delay, fault = self.state.faults.take(account, req.path, req.method, req.in_batch)
        if delay:
            time.sleep(delay)  # outside the state lock: other requests keep flowing
        return self._fault_response(fault)

    @staticmethod
    def _fault_response(fault: Fault | None) -> Response | None:
        if fault is None:
            return None
        if fault.kind == "drop":
            raise DropConnection()
        return Response.error(fault.error())

    def api(self, req: Request, outer_auth: str | None = None) -> Response:
        """One Calendar/People call; `outer_auth` is the enclosing batch's Authorization header."""
        header = req.header("authorization") or outer_auth
        if req.path.startswith("/calendar/"):
            kind, service = "calendar", self.calendar
        elif req.path.startswith("/v1/"):
            kind, service = "people", self.people
        else:
            return Response.error(not_found(f"No such endpoint: {req.method} {req.path}"))
        account = self.oauth.peek_account(header)
        self.state.count(account, kind)
        try:
            hit = self._faults(account, req)
            if hit is not None:
                return hit
            auth = self.oauth.authenticate(header)
            return service.handle(auth, req)
        except ApiError as err:
            return Response.error(err)

    def _batch(self, req: Request) -> Response:
        header = req.header("authorization")
        account = self.oauth.peek_account(header)
        self.state.count(account, "batch")
        hit = self._faults(account, req)
        if hit is not None:
            return hit
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
