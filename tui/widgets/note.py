"""The explanation printed next to a form field (the Google tab quotes the setup guide this way)."""

from __future__ import annotations

from studiosync.tui.safe_text import Text
from textual.widgets import Static


class Note(Static):
    DEFAULT_CSS = """
    Note { color: $text-muted; padding: 0 0 0 4; width: 1fr; height: auto; }
    Note.-error { color: $text-error; }
    Note.-ok { color: $text-success; }
    """

    def __init__(self, text: str = "", *, id: str | None = None, classes: str = "") -> None:
        super().__init__(Text(text), id=id, classes=classes)
        self.base_text = text  # what the note says while the field is fine

    def say(self, text: str, *, error: bool = False, ok: bool = False) -> None:
        """Replace the text; always plain Text: the text may come from Google or a server."""
        self.update(Text(text))
        self.set_class(error, "-error")
        self.set_class(ok, "-ok")

    def explain(self, problem: str | None) -> None:
        """Show a problem, or the field's normal explanation when there is none."""
        if problem:
            self.say(problem, error=True)
        elif self.has_class("-error"):
            self.say(self.base_text)

    def set_base(self, text: str) -> None:
        self.base_text = text
        if not self.has_class("-error"):
            self.say(text)
