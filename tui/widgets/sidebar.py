"""The section list on the left: every section with its key, highlighted when active."""

from __future__ import annotations

from studiosync.tui.safe_text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option


class Sidebar(OptionList):
    DEFAULT_CSS = """
    Sidebar { width: 20; height: 1fr; border: none; border-right: vkey $primary 50%; padding: 0; }
    /* OptionList's focus border would move every entry down a row between a click's press and release,
       so the release would pick the entry above: focus only recolours the right edge. */
    Sidebar:focus { border: none; border-right: vkey $accent; }
    Sidebar.-hidden { display: none; }
    """

    def __init__(self, sections: list[tuple[str, str, str]], *, id: str | None = None) -> None:
        options = [
            Option(Text.assemble((f"{key:>3} ", "dim"), title), id=section)
            for section, title, key in sections
        ]
        super().__init__(*options, id=id)

    def select_section(self, section: str) -> None:
        index = self.get_option_index(section)
        if self.highlighted != index:
            self.highlighted = index
