"""The section list on the left: every section with its key, highlighted when active.

Below 100 columns it collapses to its F-keys (the top bar names the section), so tables keep their
important columns at 80x24; ctrl+b hides or shows it.
"""

from __future__ import annotations

from studiosync.tui.safe_text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

COLLAPSE_BELOW = 100  # terminal columns


class Sidebar(OptionList):
    DEFAULT_CSS = """
    Sidebar { width: 20; height: 1fr; border: none; border-right: vkey $primary 50%; padding: 0; }
    Sidebar.-collapsed { width: 5; }
    /* OptionList's focus border would move every entry down a row between a click's press and release,
       so the release would pick the entry above: focus only recolours the right edge. */
    Sidebar:focus { border: none; border-right: vkey $accent; }
    Sidebar.-hidden { display: none; }
    """

    def __init__(self, sections: list[tuple[str, str, str]], *, id: str | None = None) -> None:
        self._section_items = sections
        self._keys_only = False
        super().__init__(*self._make_options(), id=id)

    def _make_options(self) -> list[Option]:
        if self._keys_only:
            return [Option(Text(f"{key:>3}"), id=section) for section, _title, key in self._section_items]
        return [
            Option(Text.assemble((f"{key:>3} ", "dim"), title), id=section)
            for section, title, key in self._section_items
        ]

    def collapse(self, collapsed: bool) -> None:
        """Show only the F-keys (True) or keys and titles (False)."""
        if collapsed == self._keys_only:
            return
        self._keys_only = collapsed
        highlighted = self.highlighted
        self.set_class(collapsed, "-collapsed")
        self.set_options(self._make_options())
        self.highlighted = highlighted

    def select_section(self, section: str) -> None:
        index = self.get_option_index(section)
        if self.highlighted != index:
            self.highlighted = index
