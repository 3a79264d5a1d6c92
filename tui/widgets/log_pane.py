"""The log pane: structured log records as plain Text (never markup), grouped by job run.

Records are kept in memory (bounded) so filters and search re-draw instantly without re-reading the file.
While paused, or while the reader has scrolled up, new lines are counted ("+N new lines") instead of
yanking the view to the bottom.

Whether we follow is explicit state, changed only by the reader's own scrolling. Asking the scroll offset
instead ("are we at the end?") is wrong between two quick batches: RichLog scrolls to the end only after
the next refresh, so the second batch would see a stale offset and stop following by itself.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from typing import Any
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.message import Message
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
        self.follow = True  # False once the reader scrolls up; True again at the bottom or on End
        self.unseen = 0
        self._last_run: str | None = None
        self._redrawing = False

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
        """Re-draw every visible record and follow again (filters changed, End, resume)."""
        self._redrawing = True
        try:
            self.clear()
            self._last_run = None
            self.unseen = 0
            self.follow = True
            for rec in self.records:
                if self._visible(rec):
                    self._write(rec)
            self.scroll_end(animate=False)
        finally:
            self._redrawing = False

    def _write(self, rec: Any) -> None:
        # Lines of one job run are grouped under a header, like the Control Center's run logs.
        if rec.run_id and rec.run_id != self._last_run:
            header = Text(f"── {rec.job or 'job'} · run {rec.run_id[:8]} ──", style="bold magenta")
            self.write(header, scroll_end=self.follow)
        self._last_run = rec.run_id if rec.run_id else self._last_run
        self.write(render_record(rec, self.tz, self.search), scroll_end=self.follow)

    @property
    def following(self) -> bool:
        return not self.paused and self.follow

    def add(self, batch: Iterable[Any]) -> int:
        """Append a batch; returns how many of them are not in view (paused or scrolled up)."""
        for rec in batch:
            self.records.append(rec)
            if not self._visible(rec):
                continue
            if self.paused:
                self.unseen += 1  # held back: drawn on resume
                continue
            self._write(rec)  # scrolled up: drawn below the view, which stays where the reader put it
            if not self.follow:
                self.unseen += 1
        return self.unseen

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if self._redrawing:
            return
        if new_value >= self.max_scroll_y:
            self.follow, self.unseen = True, 0  # back at the bottom: following again
        elif new_value < old_value:
            self.follow = False  # only the reader ever scrolls up
        self.post_message(self.FollowChanged())

    class FollowChanged(Message):
        """The reader scrolled: the status line may need repainting."""

    def resume(self) -> None:
        self.paused = False
        self.redraw()
