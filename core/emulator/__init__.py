"""Offline Google for studiosync: OAuth 2.0, Calendar v3, People v1 and batch, over real HTTP on loopback,
driven by the real google-api-python-client / google-auth / google-auth-oauthlib.

    from studiosync.core.emulator import GoogleEmulator
    with GoogleEmulator(token_ttl=3600) as emu:
        emu.add_account("ann@example.com", name="Ann", timezone="America/New_York")
        secrets = emu.register_client("client-1", "secret-1")   # {"installed": {...}} for InstalledAppFlow
        emu.set_consent_account("ann@example.com")
        doc = json.loads(get_static_doc("calendar", "v3")); doc["rootUrl"] = emu.url + "/"
        cal = build_from_document(doc, credentials=creds)

Endpoints: /o/oauth2/auth, /token, /revoke; /calendar/v3/...; /v1/people/...; POST /batch/calendar/v3
(and /batch/people/v1, /batch); JSON control under /_emulator/... (see control.py). Run standalone with
`python -m studiosync.core.emulator --port 8765 --seed seed.json`.
"""

from .control import Controller
from .emulator import GoogleEmulator
from .errors import ApiError, ControlError

__all__ = ["ApiError", "ControlError", "Controller", "GoogleEmulator"]
