"""A QR code drawn with half blocks (two modules per character cell), when the terminal is big enough.

Phones scan the authorization URL from the console: handy when the console runs on a server and the
person's browser is their phone. Drawn black on white regardless of the theme, or scanners fail.
"""

from __future__ import annotations

import segno
from studiosync.tui.safe_text import Text
from textual.widgets import Static

BORDER = 2  # quiet zone in modules; scanners need some


def qr_lines(data: str) -> list[str]:
    qr = segno.make(data, error="l", boost_error=False)
    rows = [list(r) for r in qr.matrix_iter(scale=1, border=BORDER)]
    if len(rows) % 2:
        rows.append([0] * len(rows[0]))
    lines = []
    for top, bottom in zip(rows[0::2], rows[1::2], strict=True):
        chars = []
        for t, b in zip(top, bottom, strict=True):
            chars.append("█" if t and b else "▀" if t else "▄" if b else " ")
        lines.append("".join(chars))
    return lines


def qr_size(data: str) -> tuple[int, int]:
    lines = qr_lines(data)
    return len(lines[0]), len(lines)


class QRCode(Static):
    DEFAULT_CSS = """
    QRCode { width: auto; height: auto; }
    """

    def show(self, data: str, *, max_width: int, max_height: int) -> bool:
        """Draw the code if it fits; otherwise say how big the terminal must be. True when drawn."""
        lines = qr_lines(data)
        width, height = len(lines[0]), len(lines)
        if width > max_width or height > max_height:
            self.styles.width = "1fr"  # a sentence wraps in the room there is; a code keeps its own size
            self.styles.margin = (1, 0, 0, 0)  # one line where the code would be: room for the steps
            self.update(Text(f"(A larger terminal, {width}x{height} or more, shows a QR code of it.)", style="dim"))
            return False
        self.styles.width = "auto"
        self.styles.margin = (1, 0, 1, 0)
        self.update(Text("\n".join(lines), style="black on white"))
        return True
