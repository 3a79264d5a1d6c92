"""The log pane: structured log records as plain Text (never markup), grouped by job run.

Records are kept in memory (bounded) so filters and search re-draw instantly without re-reading the file.
While paused, or while the reader has scrolled up, new lines are counted ("+N new lines") instead of
yanking the view to the bottom.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from typing import Any
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.widgets import RichLog

MAX_RECORDS = 5000
LEVEL_STYLE = {
    "DEBUG": "dim",
    "INFO": "",
    "WARNING": "yellow",
    "ERROR": "bold red",
    "CRITICAL": "bold white on red",
}
LEVELS = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "ERROR": 40, "CRITICAL": 50}


def render_record(rec: Any, tz: ZoneInfo, search: str = "") -> Text:
    when = rec.time.astimezone(tz).strftime("%m-%d %H:%M:%S") if rec.time else "              "
    level = rec.level[:4]
    text = Text.assemble(
        (when, "dim"),
        " ",
        (f"{level:<4}", LEVEL_STYLE.get(rec.level, "")),
        " ",
        (f"{rec.user or '-':<8}", "cyan"),
        " ",
    )
    text.append(rec.message)  # untrusted (event titles, server answers): plain text
    extra = {
        k: v
        for k, v in (rec.fields or {}).items()
        if k not in ("exc_info", "traceback") and v not in (None, "")
    }
    if extra:
        text.append("  " + " ".join(f"{k}={v}" for k, v in list(extra.items())[:6]), style="dim")
    if search:
        text.highlight_words([search], style="reverse", case_sensitive=False)
    return text


class LogPane(RichLog):
    DEFAULT_CSS = """
    LogPane { height: 1fr; border: round $primary 40%; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            id=id, markup=False, highlight=False, wrap=False, max_lines=MAX_RECORDS, auto_scroll=True
        )
        self.records: deque[Any] = deque(maxlen=MAX_RECORDS)
        self.accepts: Callable[[Any], bool] = lambda rec: True
        self.search = ""
        self.tz = ZoneInfo("UTC")
        self.paused = False
        self.unseen = 0
        self._last_run: str | None = None

    def set_view(self, accepts: Callable[[Any], bool], search: str, tz: ZoneInfo) -> None:
        self.accepts, self.search, self.tz = accepts, search.lower(), tz
        self.redraw()

    def _visible(self, rec: Any) -> bool:
        if not self.accepts(rec):
            return False
        if self.search:
            haystack = f"{rec.message} {rec.user or ''} {rec.job or ''} " + " ".join(
                map(str, (rec.fields or {}).values())
            )
            return self.search in haystack.lower()
        return True

    def redraw(self) -> None:
        self.clear()
        self._last_run = None
        self.unseen = 0
        for rec in self.records:
            if self._visible(rec):
                self._write(rec)
        self.scroll_end(animate=False)

    def _write(self, rec: Any) -> None:
        # Lines of one job run are grouped under a header, like the Control Center's run logs.
        if rec.run_id and rec.run_id != self._last_run:
            self.write(Text(f"── {rec.job or 'job'} · run {rec.run_id[:8]} ──", style="bold magenta"))
        self._last_run = rec.run_id if rec.run_id else self._last_run
        self.write(render_record(rec, self.tz, self.search))

    @property
    def following(self) -> bool:
        return not self.paused and self.is_vertical_scroll_end

    def add(self, batch: Iterable[Any]) -> int:
        """Append a batch; returns how many of them are hidden (paused or scrolled up)."""
        follow = self.following
        shown = 0
        for rec in batch:
            self.records.append(rec)
            if not self._visible(rec):
                continue
            if follow:
                self._write(rec)
            else:
                self.unseen += 1
            shown += 1
        if follow and shown:
            self.scroll_end(animate=False)
        return self.unseen

    def resume(self) -> None:
        self.paused = False
        self.redraw()
