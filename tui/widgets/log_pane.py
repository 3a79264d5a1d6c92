"""The log pane: structured log records as plain Text (never markup), grouped by job run, with a line cursor.

Records are kept in memory (bounded) so filters and search re-draw instantly without re-reading the file.
While paused, or while the reader has scrolled up, new lines are counted ("+N new lines") instead of
yanking the view to the bottom.

Whether we follow is explicit state, changed only by the reader's own scrolling. Asking the scroll offset
instead ("are we at the end?") is wrong between two quick batches: RichLog scrolls to the end only after
the next refresh, so the second batch would see a stale offset and stop following by itself.

The cursor selects a record (Up/Down/PageUp/PageDown/Home, or a click), so the screen can show it in full
with its explanation. A selected line pins the view exactly like scrolling up does: following stops and
new lines are counted, so the line being read never slides away. `unselect` (the screen's Escape) drops
the selection and follows again only if the view is at the bottom; End drops it and follows. Run headers
are not records: the cursor steps over them (a click on one selects the run's first line).

`_refs` maps each line of RichLog's `lines` to its record (None for a run header). It stays aligned by
measuring what every write added (a message with newlines makes several lines) and by dropping from its
front what RichLog trims at `max_lines`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from typing import Any
from zoneinfo import ZoneInfo

from rich.segment import Segment
from rich.style import Style
from studiosync.core.text import escape_line
from studiosync.tui.safe_text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.strip import Strip
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
    # Untrusted (event titles, server answers): escaped to one line (core.text), never markup.
    text.append(escape_line(rec.message))
    # No stack field ever gets here: the reader (core.logs.read) leaves them out; stacks are in crash files.
    extra = {k: v for k, v in (rec.fields or {}).items() if v not in (None, "")}
    if extra:
        text.append(escape_line("  " + " ".join(f"{k}={v}" for k, v in list(extra.items())[:6])), style="dim")
    if search:
        text.highlight_words([search], style="reverse", case_sensitive=False)
    # One line per record, cut at the pane's edge with an ellipsis (the details panel shows all of it).
    text.no_wrap, text.overflow = True, "ellipsis"
    return text


class LogPane(RichLog):
    BINDINGS = [
        Binding("up", "cursor_up", "Select", key_display="↑↓", id="logs.line_up"),
        Binding("down", "cursor_down", "Next line", show=False, id="logs.line_down"),
        Binding("pageup", "cursor_page(-1)", "Page up", show=False, id="logs.page_up"),
        Binding("pagedown", "cursor_page(1)", "Page down", show=False, id="logs.page_down"),
        Binding("home", "cursor_home", "First line", show=False, id="logs.first_line"),
        # Not in the footer (no room at 80 columns): F1 help lists it; the status line says "End follows".
        Binding("end", "follow", "Follow", key_display="End", id="logs.end", show=False),
    ]
    COMPONENT_CLASSES = {"log-pane--cursor"}
    DEFAULT_CSS = """
    /* Lines are cut to the pane's width (with an ellipsis): the gutter is kept for the vertical scrollbar
       from the start, so that width never changes under them, and there is nothing to scroll sideways. */
    LogPane { height: 1fr; border: round $primary 40%; scrollbar-gutter: stable; overflow-x: hidden; }
    LogPane > .log-pane--cursor { background: $block-cursor-blurred-background; }
    LogPane:focus > .log-pane--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    """

    class FollowChanged(Message):
        """The reader scrolled or (un)selected: the status line may need repainting."""

    class Selected(Message):
        """The selected record changed (None: nothing is selected any more)."""

        def __init__(self, record: Any | None) -> None:
            super().__init__()
            self.record = record

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            id=id, markup=False, highlight=False, wrap=False, max_lines=MAX_RECORDS, auto_scroll=True
        )
        self.records: deque[Any] = deque(maxlen=MAX_RECORDS)
        self.accepts: Callable[[Any], bool] = lambda rec: True
        self.search = ""
        self.tz = ZoneInfo("UTC")
        self.paused = False
        self.follow = True  # False once the reader scrolls up or selects a line; True at the bottom or on End
        self.unseen = 0
        self.selected: Any | None = None
        self._refs: list[Any] = []  # one entry per line of self.lines: its record, None for a run header
        self._cursor_abs = 0  # first line of the selected record, counted from the first line ever written
        self._last_run: str | None = None
        self._redrawing = False

    # -- drawing -------------------------------------------------------------------------------------
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
        """Re-draw every visible record (filters changed, resume) and follow again -- unless a selected
        record is still visible: then it stays selected and in view."""
        keep, self.selected = self.selected, None
        self._redrawing = True
        try:
            self.clear()
            self._refs.clear()
            self._last_run = None
            self.unseen = 0
            # Writing with scroll_end queues a scroll to the bottom that would run after we reveal the kept
            # selection: write without it while there is one to keep.
            self.follow = keep is None
            for rec in self.records:
                if self._visible(rec):
                    self._write(rec)
            if keep is not None and self._span(keep) is not None:
                self._select(keep, notify=False)
            else:
                self.follow = True
                self.scroll_end(animate=False)
        finally:
            self._redrawing = False
        if keep is not None and self.selected is None:
            self._selection_changed()

    def _write(self, rec: Any) -> None:
        if not self._size_known:
            # RichLog would defer the write and render it later, out of our line bookkeeping; the record
            # is kept, and the first resize redraws everything.
            return
        # Lines of one job run are grouped under a header, like the Control Center's run logs.
        if rec.run_id and rec.run_id != self._last_run:
            header = Text(f"── {rec.job or 'job'} · run {rec.run_id[:8]} ──", style="bold magenta")
            self._put(header, None)
        self._last_run = rec.run_id if rec.run_id else self._last_run
        self._put(render_record(rec, self.tz, self.search), rec)

    def _put(self, content: Text, ref: Any) -> None:
        end = self._start_line + len(self.lines)
        # Exactly the pane's width: a long line ends in an ellipsis there, not at the console's default 80.
        self.write(content, width=max(self.scrollable_content_region.width, 20), scroll_end=self.follow)
        self._refs.extend([ref] * (self._start_line + len(self.lines) - end))
        trimmed = len(self._refs) - len(self.lines)  # RichLog dropped that many lines at max_lines
        if trimmed > 0:
            del self._refs[:trimmed]

    _drawn_width = 0

    def on_resize(self, event: events.Resize) -> None:
        # Runs before RichLog's own handler, which is what marks the size as known.
        width_changed = event.size.width != self._drawn_width
        self._drawn_width = event.size.width
        if event.size.width and (not self._size_known or width_changed):
            self.call_later(self.redraw)  # lines are cut to the width: cut them again
        elif self.selected is not None:
            self.call_after_refresh(self._reveal)  # the details panel opened and took rows from us

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
        if self.selected is not None and self._span(self.selected) is None:
            self.selected = None  # its line was trimmed away at max_lines
            self._selection_changed()
        return self.unseen

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if self._redrawing:
            return
        if new_value >= self.max_scroll_y:
            self.unseen = 0  # everything below has been seen
            if self.selected is None:
                self.follow = True  # back at the bottom: following again (a selection keeps the view pinned)
        elif new_value < old_value:
            self.follow = False  # only the reader ever scrolls up
        self.post_message(self.FollowChanged())

    def resume(self) -> None:
        self.paused = False
        self.redraw()
        self.post_message(self.FollowChanged())

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        row = self.scroll_offset.y + y
        if self.selected is None or row >= len(self._refs) or self._refs[row] is not self.selected:
            return strip
        cursor = self.get_component_rich_style("log-pane--cursor")
        if not self.has_focus:
            cursor = Style(bgcolor=cursor.bgcolor)  # blurred: a tint that keeps the level colours
        return Strip(Segment.apply_style(list(strip), post_style=cursor), strip.cell_length)

    # -- the cursor ----------------------------------------------------------------------------------
    def _span(self, rec: Any) -> tuple[int, int] | None:
        """First and last line of `rec` in `lines`, or None when it is not drawn (filtered, trimmed)."""
        refs = self._refs
        row = self._cursor_abs - self._start_line
        if not (0 <= row < len(refs) and refs[row] is rec):
            row = next((i for i in range(len(refs) - 1, -1, -1) if refs[i] is rec), -1)
            if row < 0:
                return None
        first = last = row
        while first > 0 and refs[first - 1] is rec:
            first -= 1
        while last + 1 < len(refs) and refs[last + 1] is rec:
            last += 1
        self._cursor_abs = self._start_line + first
        return first, last

    def _record_row(self, row: int, step: int) -> int | None:
        """The first line at or after `row`, going by `step`, that belongs to a record (not a header)."""
        while 0 <= row < len(self._refs):
            if self._refs[row] is not None:
                return row
            row += step
        return None

    def _move_to(self, row: int, step: int) -> None:
        """Select the record drawn at `row`; on a run header, the nearest record going by `step`."""
        if not self._refs:
            return
        row = max(0, min(row, len(self._refs) - 1))
        found = self._record_row(row, step)
        if found is None:
            found = self._record_row(row, -step)
        if found is not None:
            self._select(self._refs[found])

    def _select(self, rec: Any, *, notify: bool = True) -> None:
        changed = rec is not self.selected
        self.selected = rec
        self.follow = False  # like scrolling up: the view stays on the line being read
        self._reveal()
        self.refresh()
        if changed and notify:
            self._selection_changed()
        self.post_message(self.FollowChanged())

    def _selection_changed(self) -> None:
        self.refresh()
        self.refresh_bindings()  # the screen's Escape shows in the footer only while a line is selected
        self.post_message(self.Selected(self.selected))
        self.post_message(self.FollowChanged())

    def _reveal(self) -> None:
        """Scroll just enough to show the selected record (its first line, if it is taller than the view)."""
        span = self._span(self.selected) if self.selected is not None else None
        if span is None:
            return
        first, last = span
        height = max(1, self.scrollable_content_region.height)
        top = self.scroll_offset.y
        if first < top:
            target = first
        elif last >= top + height:
            target = max(first, last - height + 1) if last - first < height else first
        else:
            return
        self.scroll_to(y=target, animate=False, immediate=True)

    def _top_row(self) -> int:
        return self.scroll_offset.y

    def _bottom_row(self) -> int:
        return min(
            self.scroll_offset.y + max(1, self.scrollable_content_region.height) - 1, len(self._refs) - 1
        )

    def action_cursor_up(self) -> None:
        span = self._span(self.selected) if self.selected is not None else None
        if span is None:
            self._move_to(self._bottom_row(), -1)  # the first Up picks the newest line in view
        elif span[0] > 0:
            self._move_to(span[0] - 1, -1)

    def action_cursor_down(self) -> None:
        span = self._span(self.selected) if self.selected is not None else None
        if span is None:
            self._move_to(self._top_row(), 1)
        elif span[1] + 1 < len(self._refs):
            self._move_to(span[1] + 1, 1)

    def action_cursor_page(self, direction: int) -> None:
        span = self._span(self.selected) if self.selected is not None else None
        height = max(1, self.scrollable_content_region.height)
        if span is None:
            anchor = self._bottom_row() if direction < 0 else self._top_row()
        else:
            anchor = span[0] if direction < 0 else span[1]
        self._move_to(anchor + direction * height, direction)

    def action_cursor_home(self) -> None:
        self._move_to(0, 1)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        row = self.scroll_offset.y + offset.y
        if row < len(self._refs):
            self._move_to(row, 1)  # a run header selects the run's first line

    def unselect(self) -> None:
        """Escape (bound by the screen, so it works from the details panel too)."""
        if self.selected is None:
            return
        self.selected = None
        # The view stays where it is; at the bottom that means following again, as after scrolling down.
        if self.scroll_offset.y >= self.max_scroll_y:
            self.follow, self.unseen = True, 0
        self._selection_changed()

    def action_follow(self) -> None:
        """End: drop the selection and follow the newest lines again (a paused pane also resumes)."""
        had_selection, self.selected = self.selected is not None, None
        if self.paused:
            self.resume()  # the held-back lines still have to be drawn
        else:
            self.follow, self.unseen = True, 0
            self.scroll_end(animate=False, immediate=True)
            self.post_message(self.FollowChanged())
        if had_selection:
            self._selection_changed()
