"""Input with the console's defaults: no cursor blink when the app asks (snapshots), no markup anywhere."""

from __future__ import annotations

from typing import Any

from studiosync.tui.safe_text import ControlMarker
from textual.widgets import Input


class Field(Input):
    DEFAULT_CSS = """
    Field { width: 1fr; }
    Field.-invalid { border: tall $error 60%; }
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # A title pulled from Google may hold ESC or a bidi override: drawn as U+FFFD, never sent raw.
        kwargs.setdefault("highlighter", ControlMarker())
        super().__init__(*args, **kwargs)

    def on_mount(self) -> None:
        # A blinking cursor makes every screenshot different: the app turns it off for tests and docs.
        self.cursor_blink = getattr(self.app, "blink_cursor", True)
