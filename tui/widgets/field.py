"""Input with the console's defaults: no cursor blink when the app asks (snapshots), no markup anywhere.

Forms own validation (tui.widgets.form): the Input's own validate-on-change is off, so a field never turns
red by itself -- in particular not while its form is still loading its stored value.
"""

from __future__ import annotations

from typing import Any

from studiosync.tui.safe_text import ControlMarker
from textual.widgets import Input


class Field(Input):
    DEFAULT_CSS = """
    Field { width: 1fr; }
    Field.-invalid { border: tall $error 60%; }
    """

    def __init__(self, *args: Any, label: str = "", **kwargs: Any) -> None:
        # A title pulled from Google may hold ESC or a bidi override: drawn as U+FFFD, never sent raw.
        kwargs.setdefault("highlighter", ControlMarker())
        kwargs.setdefault("validate_on", ())
        super().__init__(*args, **kwargs)
        # What the form calls this field when it explains a problem ("End: not a date ...").
        self.label = label or (self.id or "").split("-", 1)[-1].replace("-", " ").capitalize()

    def on_mount(self) -> None:
        # A blinking cursor makes every screenshot different: the app turns it off for tests and docs.
        self.cursor_blink = getattr(self.app, "blink_cursor", True)
