"""One line at the top: product, section, who is logged in, studio time (from the injected clock)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from studiosync.tui.safe_text import Text
from textual.widgets import Static


class TopBar(Static):
    DEFAULT_CSS = """
    TopBar { height: 1; background: $primary 40%; color: $text; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def show(self, *, section: str, who: str, admin: bool, now: datetime, tz: ZoneInfo, demo: bool) -> None:
        text = Text.assemble(
            ("studiosync ", "bold"),
            ("demo " if demo else "", "bold yellow"),
            " ",
            (section, "bold"),
            "  ·  ",
            who,
            (" (admin)" if admin else "", "dim"),
            "  ·  ",
            (now.astimezone(tz).strftime("%a %d %b %H:%M ") + tz.key, "dim"),
        )
        self.update(text)
