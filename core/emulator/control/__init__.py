"""The control surface: what tests, benchmarks and demos use to shape the emulated Google world.

`Controller` is the Python API (GoogleEmulator inherits it), assembled from one class per concern:
world.py (accounts, calendars, events, contacts, seeds), google_side.py (invitations, birthdays,
working location, out of office, focus time, Gmail events, people as Google shapes them), ops.py (OAuth,
faults, quotas, sync tokens, request counters). routes.py and routes_google.py expose the same methods as
JSON over HTTP under `/_emulator/...` (alias `/control/...`). Must never import anything outside the
emulator package.
"""

from __future__ import annotations

from .google_side import GoogleSideControl
from .ops import DEFAULT_SCOPES, OpsControl
from .routes import control_router


class Controller(GoogleSideControl, OpsControl):
    """Python control API of the emulator. All methods are thread-safe."""


__all__ = ["DEFAULT_SCOPES", "Controller", "control_router"]
