"""F1: what the current section is for, and its keys (taken from the live bindings, so never stale)."""

from __future__ import annotations

from studiosync.tui.screens.modal import Modal
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Button, Markdown, Static

GLOBAL_KEYS = """\
| Key | Does |
| --- | --- |
| F1 | this help |
| F2 … F10 (or 1 … 9) | switch section (see the sidebar) |
| Tab / Shift+Tab | move between fields |
| ctrl+p | command palette, from anywhere: "users: add", "jobs: run now", "go: logs"… |
| ctrl+b | hide or show the section list (below 100 columns it shows only the F-keys) |
| s | sync now (from the dashboard) |
| ctrl+q | quit |
"""


class HelpScreen(Modal[None]):
    AREA = "help"
    BINDINGS = [Binding("escape,f1,q", "close", "Close", id="help.close")]
    DEFAULT_CSS = """
    HelpScreen > .dialog { width: 90; height: 90%; }
    HelpScreen VerticalScroll { height: 1fr; }
    """

    def __init__(self, title: str, text: str, keys: list[tuple[str, str]]) -> None:
        super().__init__()
        self._title, self._text, self._keys = title, text, keys

    def compose(self) -> ComposeResult:
        rows = "\n".join(f"| {key} | {desc} |" for key, desc in self._keys)
        table = f"| Key | Does |\n| --- | --- |\n{rows}\n" if rows else ""
        body = f"{self._text}\n\n### Keys here\n\n{table}\n### Everywhere\n\n{GLOBAL_KEYS}"
        with Vertical(classes="dialog"):
            yield Static(f"Help — {self._title}", classes="dialog-title", markup=False)
            with VerticalScroll(id="help-scroll"):
                yield Markdown(body)
            yield Button("Close", variant="primary", id="close")

    def on_mount(self) -> None:
        # The text has the focus, so PageUp/PageDown (and the arrows) scroll it at once; Esc closes.
        self.query_one("#help-scroll", VerticalScroll).focus()

    def on_button_pressed(self) -> None:
        self.dismiss(None)
