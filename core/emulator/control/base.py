"""The control API's common ground: the emulated world it acts on and how it names accounts/calendars.

Control calls act "as Google itself or a person in Google's own apps would" (editing on a phone, Gmail
adding a flight, Contacts syncing a birthday): they bump etag/updated/sequence and show up in sync
results, but ignore access roles and the restrictions Google puts on API clients. Must never import
anything outside the emulator package.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import ApiError, ControlError
from ..oauth import OAuthServer
from ..state import Account, CalendarData, EmulatorState


class ControllerBase:
    """State, base URL and lookups shared by every group of control methods. All methods are thread-safe."""

    def __init__(self, token_ttl: float = 3600.0) -> None:
        self.state = EmulatorState(token_ttl)
        self._oauth = OAuthServer(self.state)
        self._base_url = ""

    @property
    def url(self) -> str:
        """Base URL, e.g. `http://127.0.0.1:PORT` (no trailing slash)."""
        return self._base_url

    @property
    def token_ttl(self) -> float:
        return self.state.token_ttl

    @token_ttl.setter
    def token_ttl(self, seconds: float) -> None:
        """Lifetime of access tokens minted from now on."""
        self.state.token_ttl = float(seconds)

    def _account(self, email: str) -> Account:
        account = self.state.account(email)
        if account is None:
            raise ControlError(f"unknown account {email!r}")
        return account

    def _calendar(self, email: str, calendar_id: str) -> CalendarData:
        account = self._account(email)
        cid = account.email if calendar_id == "primary" else calendar_id
        cal = self.state.calendars.get(cid)
        if cal is None or account.email not in cal.acl:
            raise ControlError(f"account {email!r} has no calendar {calendar_id!r}")
        return cal

    @staticmethod
    def _check(action: Callable[[], Any]) -> Any:
        """Run `action`, turning API validation errors into ControlError for Python callers."""
        try:
            return action()
        except ApiError as err:
            raise ControlError(f"{err.code} {err.reason}: {err.message}") from err
        except ValueError as err:
            raise ControlError(str(err)) from err
