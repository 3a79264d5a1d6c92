"""`emu` (tests/conftest.py) and `world` (tests/helpers/emulator.py) are shared; here the SMTP server."""

from __future__ import annotations

from tests.smtp_server import smtp_server  # noqa: F401 - the real local SMTP server fixture
