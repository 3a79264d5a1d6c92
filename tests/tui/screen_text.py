"""What the terminal shows, as plain text: lets pilot tests assert on the screen, not only on widgets."""

from __future__ import annotations

import io

from rich.console import Console
from textual.app import App


def screen_text(app: App) -> str:
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        record=True,
        legacy_windows=False,
        safe_box=False,
        color_system=None,
    )
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))  # noqa: SLF001
    return console.export_text()


async def settle(pilot, *, rounds: int = 2) -> None:  # type: ignore[no-untyped-def]
    """Let messages, workers and the messages they post all land (no sleeping)."""
    for _ in range(rounds):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def notices(app: App) -> list[str]:
    """The toasts (notify) raised so far and still current."""
    return [n.message for n in app._notifications]  # noqa: SLF001


async def wait_until(pilot, condition, *, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    """For what no worker tracks (the log reader thread, a socket): poll the condition between frames."""
    steps = int(timeout / 0.05)
    for _ in range(steps):
        if condition():
            return
        await pilot.pause(0.05)
    assert condition(), "condition not met in time"


async def type_into(pilot, field, prefix: str, typed: str) -> None:  # type: ignore[no-untyped-def]
    """Focus a field, start it with `prefix` (fast), then really type `typed` at its end."""
    field.focus()
    await pilot.pause()  # focusing selects all: let that happen before placing the cursor
    field.value = prefix
    field.cursor_position = len(prefix)
    await pilot.press(*typed)
