"""The details panel under the log pane: the selected record in full, wrapped, with its explanation.

A log line is cut at the pane's right edge, often before the part that matters (the cause of an ERROR);
here nothing is cut. Every value is untrusted (event titles, server answers): plain Text, never markup.
"""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo

from studiosync.tui.safe_text import Text
from studiosync.tui.widgets.log_pane import LEVEL_STYLE
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static


def describe_record(rec: Any, tz: ZoneInfo, explanation: Any | None = None) -> Text:
    """Time, level, who/what/which run, the whole message, cause and fix when known, then every field."""
    # Labels are styled; values are appended as plain strings, so "[b]" in a message stays "[b]".
    text = Text()
    when = rec.time.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S %Z") if rec.time else "no time"
    text.append(when, style="dim")
    text.append("  ")
    text.append(rec.level, style=LEVEL_STYLE.get(rec.level, "") or "bold")
    for label, value in (("user", rec.user), ("job", rec.job), ("run", rec.run_id), ("process", rec.process)):
        if value:
            text.append(f"  {label} ", style="dim")
            text.append(str(value))
    text.append("\n")
    text.append(rec.message)
    if explanation is not None:
        # Our own failure lines often quote the explainer already: say the cause only when it adds to it.
        if explanation.message.rstrip(".") not in rec.message:
            text.append("\nCause: ", style="bold red")
            text.append(explanation.message)
        text.append("\nFix: ", style="bold green")
        text.append(explanation.fix)
    for key, value in (rec.fields or {}).items():
        if key == "fix" and explanation is not None:
            continue  # already shown as "Fix:" (the explainer takes the line's own fix first)
        text.append(f"\n{key}: ", style="bold dim")
        text.append(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str))
    return text


class LogDetail(VerticalScroll):
    DEFAULT_CSS = """
    LogDetail {
        height: auto;
        max-height: 40%;  /* 8 rows at 80x24, more on a tall terminal; longer records scroll */
        background: $boost;
        padding: 0 1;
        display: none;
    }
    LogDetail.-shown { display: block; }
    """

    def compose(self) -> ComposeResult:
        yield Static(Text(""), id="log-detail-text")

    def show(self, text: Text | None) -> None:
        """Show a record's description, or hide the panel (None)."""
        self.set_class(text is not None, "-shown")
        if text is not None:
            self.query_one("#log-detail-text", Static).update(text)
            self.scroll_home(animate=False)
