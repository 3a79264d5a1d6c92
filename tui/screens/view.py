"""Base class of the main screen's sections (Dashboard, Users, ...): shared plumbing, no layout.

A section loads its data in a worker; `loaded()` marks the first load done and runs what waited for it
(a palette command opened from another section acts on the loaded table, not on an empty one).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar, cast

from studiosync.tui.workers import WorkerErrors
from textual.containers import Vertical
from textual.timer import Timer

if TYPE_CHECKING:
    from studiosync.tui.backend import Backend
    from studiosync.tui.host import Console


class View(WorkerErrors, Vertical):
    SECTION: ClassVar[str] = ""
    TITLE: ClassVar[str] = ""
    ADMIN_ONLY: ClassVar[bool] = True
    HELP: ClassVar[str] = ""

    DEFAULT_CSS = """
    View { height: 1fr; padding: 0 1; }
    View > .view-title { text-style: bold; color: $accent; height: 1; }
    """

    _activated = False
    _loaded = False
    _waiting: list[Callable[[], object]]
    # Sections that keep themselves current set this; their `_load` worker calls `_schedule_refresh`
    # when it ends.
    REFRESH_SECONDS: ClassVar[float | None] = None
    _timer: Timer | None = None

    @property
    def backend(self) -> Backend:
        return self.console.backend

    @property
    def console(self) -> Console:
        return cast("Console", self.app)

    def activate(self) -> None:
        """The section became visible: load on first show, refresh on later ones."""
        self._activated = True
        self.reload()

    def reload(self) -> None:
        """Re-read data (in a worker)."""

    def _load(self) -> None:
        """Read the section's data in a worker (sections that refresh themselves override this)."""

    def loaded(self) -> None:
        """The section's data is on screen: run what waited for it (once)."""
        self._loaded = True
        waiting, self._waiting = getattr(self, "_waiting", []), []
        for run in waiting:
            run()

    def when_loaded(self, run: Callable[[], object]) -> None:
        if self._loaded:
            run()
        else:
            self._waiting = [*getattr(self, "_waiting", []), run]

    def unsaved(self) -> bool:
        """True while the section holds edits that are not saved (forms override this)."""
        return False

    def _schedule_refresh(self) -> None:
        # Chained, not an interval: a slow store read can never pile refreshes up.
        if self._timer is not None:
            self._timer.stop()
        if self.REFRESH_SECONDS is not None:
            self._timer = self.set_timer(self.REFRESH_SECONDS, self._tick)

    def _tick(self) -> None:
        self._timer = None
        if not self.display or self.app.screen is not self.screen:
            self._schedule_refresh()  # hidden or under a dialog: look again later, draw nothing
            return
        self._load()

    def focus_first(self) -> None:
        """Put the focus on the section's main widget (its first focusable one) once it is laid out."""

        def _focus() -> None:
            for widget in self.screen.focus_chain:
                if self in widget.ancestors:
                    widget.focus()
                    return

        self.call_after_refresh(_focus)
