"""DataTable column widths that fit the terminal: one flexible column takes the room the others leave."""

from __future__ import annotations

from collections.abc import Sequence

from studiosync.tui.safe_text import Text
from textual.widgets import DataTable


def content_width(header: str, cells: Sequence[Text]) -> int:
    """What a column needs: its widest line (a cell may hold two lines) or its header."""
    lines = [line.cell_len for cell in cells for line in cell.split("\n")]
    return max([len(header), *lines])


def flex_width(
    table: DataTable[object],
    *,
    before: Sequence[int],
    after: Sequence[int],
    optional: Sequence[int] = (),
    minimum: int = 12,
) -> int:
    """Width of the flexible column between `before` and `after` (content widths, padding added here).

    The trailing `optional` columns get their room only when the flexible one can still have `minimum`;
    otherwise it stretches to the edge and they stay reachable by scrolling right, rather than showing
    a sliver of the next column.
    """
    pad = 2 * table.cell_padding
    room = table.scrollable_content_region.width - sum(w + pad for w in (*before, *after)) - pad
    with_optional = room - sum(w + pad for w in optional)
    if with_optional >= minimum:
        return with_optional
    return max(minimum, room)
