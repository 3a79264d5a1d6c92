"""Tables that fit the terminal and refresh in place.

`fit_columns` is the pure rule (tested as a table): every column has a priority; when the row is too wide,
the least important column shrinks to its minimum, then goes, before anything more important is touched.
The flexible column (a title, the last error) takes the room the others leave. Cells are single-line
Text with an ellipsis, so nothing is ever cut without one.

`FitTable.show_rows` diffs the new rows against the shown ones: changed cells are updated in place; the
table is only rebuilt when rows came, went or moved, or the columns must change. No flicker,
and the cursor stays on the same row (by key).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from studiosync.tui.safe_text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import RowDoesNotExist


@dataclass(frozen=True)
class Column:
    """One column of a FitTable: its key and header, how important it is when the row is too wide, and how
    much room it takes."""

    key: str
    header: str
    priority: int  # 1 = most important; the highest number goes first
    min_width: int = 4
    flex: bool = False  # takes the room left (at most one per table)
    want: int = 0  # flex only: the width it claims before less important columns (0: a third of the room)


def fit_columns(
    columns: Sequence[Column], natural: dict[str, int], room: int, padding: int = 2
) -> dict[str, int]:
    """Column key -> width for the columns that are shown, in `room` cells (each column also takes
    `padding`). Natural widths are the widest cell or header.

    The flexible column first asks for its natural width (up to `want`, or a third of the room) at the expense of
    the columns less important than it; if even that cannot fit, it settles for its minimum and every
    column, least important first, shrinks to its minimum or goes.
    """
    flex = next((c for c in columns if c.flex), None)
    if flex is not None:
        cap = flex.want or room // 3
        wanted = max(flex.min_width, min(natural.get(flex.key, flex.min_width), cap))
        found = _fit(columns, natural, room, padding, wanted, lambda c: c.priority > flex.priority)
        if found is not None:
            return found
    found = _fit(columns, natural, room, padding, flex.min_width if flex else 0, lambda c: True)
    assert found is not None  # every column may go: something always fits
    return found


def _fit(
    columns: Sequence[Column],
    natural: dict[str, int],
    room: int,
    padding: int,
    flex_need: int,
    may_go: Callable[[Column], bool],
) -> dict[str, int] | None:
    widths = {c.key: max(natural.get(c.key, len(c.header)), c.min_width) for c in columns}
    flex = next((c for c in columns if c.flex), None)
    if flex is not None:
        widths[flex.key] = flex_need

    def total() -> int:
        return sum(w + padding for w in widths.values())

    for column in sorted(columns, key=lambda c: -c.priority):
        if total() <= room:
            break
        if column.flex or not may_go(column):
            continue
        widths[column.key] = max(column.min_width, widths[column.key] - (total() - room))
        if total() > room and len(widths) > 1:
            del widths[column.key]
    if total() > room and not all(may_go(c) for c in columns if not c.flex):
        return None  # only the less important columns may give way here, and that was not enough
    if flex is not None and flex.key in widths:
        widths[flex.key] = max(flex.min_width, room - (total() - widths[flex.key] - padding) - padding)
    return {c.key: widths[c.key] for c in columns if c.key in widths}


def cell(value: object, style: str = "") -> Text:
    """A one-line cell that ends in an ellipsis when cut. Untrusted text stays plain (never markup)."""
    text = value.copy() if isinstance(value, Text) else Text(str(value), style=style)
    text.no_wrap = True
    text.overflow = "ellipsis"
    return text


def natural_width(header: str, cells: Sequence[Text]) -> int:
    lines = [line.cell_len for c in cells for line in c.split("\n")]
    return max([len(header), *lines])


class FitTable(DataTable[Text]):
    """A DataTable whose columns fit its width (by priority) and whose rows refresh by diff."""

    def __init__(self, columns: Sequence[Column], *, row_height: int = 1, **kwargs: object) -> None:
        kwargs.setdefault("cursor_type", "row")
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.fit = list(columns)
        self.row_height = row_height
        self._rows: list[tuple[str, dict[str, Text]]] = []
        self._shown: list[str] = []  # column keys as laid out
        self._widths: dict[str, int] = {}

    # -- layout --------------------------------------------------------------------------------------
    def _layout(self) -> dict[str, int]:
        room = self.scrollable_content_region.width or self.size.width or 80
        natural = {
            c.key: natural_width(c.header, [cells[c.key] for _k, cells in self._rows if c.key in cells])
            for c in self.fit
        }
        return fit_columns(self.fit, natural, room, 2 * self.cell_padding)

    def on_resize(self) -> None:
        if self._rows:
            self._rebuild()

    def _rebuild(self) -> None:
        keep = self.cursor_key()
        self._widths = self._layout()
        self._shown = list(self._widths)
        self.clear(columns=True)
        by_key = {c.key: c for c in self.fit}
        for key in self._shown:
            self.add_column(by_key[key].header, width=self._widths[key], key=key)
        for key, cells in self._rows:
            self.add_row(*(cells.get(k, Text("")) for k in self._shown), key=key, height=self.row_height)
        self.move_to(keep)

    # -- rows ----------------------------------------------------------------------------------------
    def show_rows(self, rows: Sequence[tuple[str, dict[str, Text]]]) -> None:
        """Show these rows (key, column key -> cell), changing only what changed."""
        old_keys = [k for k, _ in self._rows]
        self._rows = [(k, {c: cell(v) for c, v in cells.items()}) for k, cells in rows]
        if [k for k, _ in self._rows] != old_keys or not self.columns or self._layout() != self._widths:
            self._rebuild()  # rows came, went or moved, or the columns must change: lay out again
            return
        for key, cells in self._rows:
            for column in self._shown:
                value = cells.get(column, Text(""))
                try:
                    if self.get_cell(key, column) != value:
                        self.update_cell(key, column, value)
                except (RowDoesNotExist, KeyError):
                    self._rebuild()
                    return

    def cursor_key(self) -> str | None:
        if self.row_count == 0:
            return None
        try:
            value = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        except Exception:  # noqa: BLE001 - empty or shrinking table
            return None
        return str(value) if value is not None else None

    def move_to(self, key: str | None) -> None:
        if key is None or self.row_count == 0:
            return
        with contextlib.suppress(RowDoesNotExist):
            self.move_cursor(row=self.get_row_index(key))
