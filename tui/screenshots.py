"""Make the SVG screenshots in screenshots/: `python -m studiosync.tui.screenshots [--out DIR]`.

Shows a healthy demo, the way it looks after it has run a while: the demo studio is built under a fake
clock (core.clock), then the clock is moved on minute by minute while this process does what the
console's scheduler does -- its heartbeat, and the Google Sync Processor at each fire time -- so the
Control Center shows the job running on a live computer, the doctor passes and the Logs hold real runs.
Ben stays failing on purpose (his grant was revoked at "Google"): the shots show how a failure is
explained. Every screen is saved at 80x24, 100x30 and 120x40 the way harlequin's
scripts/export_screenshots.py does it: run_test() + save_screenshot(). Never edit the SVGs by hand.
Then web-google-tab.png: the browser console in headless Chromium (tui.web.screenshot; skipped with a
message where there is no Chromium). `--web-only` makes just that one.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from textual.pilot import Pilot

Step = Callable[[Pilot], Awaitable[None]]
SIZES = [(80, 24), (100, 30), (120, 40)]
START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # a Tuesday morning; any fixed moment would do
SCHEDULER_MINUTES = 6  # long enough for several runs of the one-minute demo job


async def settle(pilot: Pilot) -> None:
    for _ in range(2):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def until(pilot: Pilot, condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        await pilot.pause(0.05)


def keys(*pressed: str) -> Step:
    async def run(pilot: Pilot) -> None:
        await settle(pilot)
        for key in pressed:
            await pilot.press(key)
            await settle(pilot)

    return run


def user_section(section: str, login: str, *more: str) -> Step:
    async def run(pilot: Pilot) -> None:
        await settle(pilot)
        app = pilot.app
        if section == "google":
            app.open_google_tab(login)  # type: ignore[attr-defined]
        else:
            app.open_appointments(login)  # type: ignore[attr-defined]
        await settle(pilot)
        await settle(pilot)
        for key in more:
            await pilot.press(key)
            await settle(pilot)

    return run


async def google_auth(pilot: Pilot) -> None:
    await user_section("google", "cara")(pilot)
    pilot.app.screen.query_one("#g-auth").press()
    await until(pilot, lambda: getattr(pilot.app.screen, "session", None) is not None)
    await pilot.pause()


async def logs(pilot: Pilot) -> None:
    await keys("f9")(pilot)
    pane = pilot.app.screen.query_one("#log-pane")
    await until(pilot, lambda: len(pane.records) > 5)  # type: ignore[attr-defined]
    await pilot.pause()


async def logs_explained(pilot: Pilot) -> None:
    """An ERROR line selected: the details panel with its cause and fix."""
    await logs(pilot)
    screen = pilot.app.screen
    screen.query_one("#log-level").value = "ERROR"  # type: ignore[attr-defined]
    await settle(pilot)
    pane = screen.query_one("#log-pane")
    for _ in range(10):  # up from the newest error to one the explainer knows (a user's failed sync)
        await pilot.press("up")
        selected = pane.selected  # type: ignore[attr-defined]
        if selected is not None and (selected.fields or {}).get("cause"):
            break
    await settle(pilot)


async def login(pilot: Pilot) -> None:
    await settle(pilot)


TOUR: dict[str, Step] = {
    "01-login": login,
    "02-dashboard": keys(),
    "03-users": keys("f3"),
    "04-user-edit": keys("f3", "e"),
    "05-google-tab": user_section("google", "ann"),
    "06-google-auth": google_auth,
    "07-appointments": user_section("appointments", "ann"),
    "08-appointment-edit": user_section("appointments", "ann", "e"),
    "09-trace": user_section("appointments", "ann", "t"),
    "10-client-groups": keys("f6"),
    "11-company-prefs": keys("f7"),
    "12-control-center": keys("f8"),
    "13-job-editor": keys("f8", "e"),
    "14-run-history": keys("f8", "h"),
    "15-logs": logs,
    "16-doctor": keys("f10"),
    "17-help": keys("f4", "f1"),
    "18-confirm-remove-account": user_section("google", "ann", "ctrl+a"),
    "19-logs-explained": logs_explained,
}


def run_demo_scheduler(studio: object, minutes: int) -> datetime:
    """Move the fake clock on minute by minute, doing what the embedded scheduler does each minute: beat
    the heartbeat and run the Google Sync Processor at its fire time. Returns the final moment."""
    from studiosync.core import clock
    from studiosync.core.jobs.computers import Heartbeat
    from studiosync.core.jobs.runner import run_job

    heartbeat = Heartbeat(studio.store, "console")  # type: ignore[attr-defined]
    moment = clock.now()
    for _ in range(minutes):
        moment = moment + timedelta(minutes=1)
        clock.install(clock.fixed_clock(moment))
        heartbeat.beat(time.monotonic())
        run_job(studio, "google-sync", trigger="schedule", scheduled_for=moment, process="console")  # type: ignore[arg-type]
    moment = moment + timedelta(seconds=20)  # a little after the last run: "just now" / "20 s ago"
    clock.install(clock.fixed_clock(moment))
    heartbeat.beat(time.monotonic())
    return moment


async def shoot(out: Path) -> list[Path]:
    from studiosync.core import clock as core_clock
    from studiosync.core import logs as core_logs
    from studiosync.core.demo import build_demo
    from studiosync.tui.app import StudioSyncApp
    from studiosync.tui.clock import fixed_clock

    # The same pictures on every machine: a fixed computer name and time zone, and log lines stamped by the
    # fake clock like everything else (logging stamps records with the wall clock).
    os.environ["STUDIOSYNC_COMPUTER"] = "studio-pc"
    os.environ["TZ"] = "Europe/London"
    time.tzset()
    previous = core_clock.install(fixed_clock(START))
    demo = build_demo()
    saved: list[Path] = []
    try:
        core_logs.configure(demo.studio.datadir.logs, process="console")  # lines stamped by core.clock
        now = run_demo_scheduler(demo.studio, SCHEDULER_MINUTES)
        out.mkdir(parents=True, exist_ok=True)
        for name, step in TOUR.items():
            # The QR code of the sign-in link needs a tall terminal: one more shot of that screen.
            sizes = [*SIZES, (100, 60)] if name == "06-google-auth" else SIZES
            for width, height in sizes:
                app = StudioSyncApp(
                    demo.studio,
                    clock=fixed_clock(now),
                    login=None if name == "01-login" else "pat",
                    demo=True,
                    embedded_scheduler=False,
                    blink_cursor=False,
                    login_hint="Demo: nobody has a password yet, so pick any user and press Enter.",
                )
                app.backend.login_hints = dict(demo.accounts)
                async with app.run_test(size=(width, height)) as pilot:
                    await step(pilot)
                    path = out / f"{name}-{width}x{height}.svg"
                    app.save_screenshot(path.name, path=str(out))
                    saved.append(path)
                    print(path, flush=True)
    finally:
        core_logs.shutdown()
        demo.close()
        core_clock.install(previous)
    return saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m studiosync.tui.screenshots", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--out", default="screenshots", help="output directory (default: screenshots)")
    parser.add_argument("--web-only", action="store_true", help="only the browser screenshot (PNG)")
    args = parser.parse_args(argv)
    from studiosync.tui.web.screenshot import shoot_web

    saved = [] if args.web_only else asyncio.run(shoot(Path(args.out)))
    web = shoot_web(Path(args.out))
    if web is not None:
        print(web, flush=True)
        saved.append(web)
    print(f"{len(saved)} screenshots in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
