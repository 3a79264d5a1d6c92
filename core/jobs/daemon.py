"""`studiosync serve`: the job scheduler as a foreground process for a server (systemd, a terminal).

Logs go to the data dir's log file (JSON lines, the same file the console's log pane and `studiosync logs`
read). SIGTERM or SIGINT ends it: no new runs start, a running job gets the stop event (the sync finishes
the user it is on) and STOP_TIMEOUT seconds, then the process exits 0.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType

from studiosync.core import __version__
from studiosync.core.jobs.computers import ALIVE_SECONDS, Computers, same_computer, this_computer
from studiosync.core.jobs.scheduler import STOP_TIMEOUT, HeadlessScheduler
from studiosync.core.logs import configure, event
from studiosync.core.studio.studio import Studio

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


def serve(
    studio: Studio, *, stop: threading.Event | None = None, say: Callable[[str], None] | None = None
) -> int:
    say = say or (lambda text: print(f"studiosync serve: {text}", file=sys.stderr, flush=True))
    configure(studio.datadir.logs, process="daemon")
    stop = stop or threading.Event()
    previous = _install_signal_handlers(stop)
    scheduler = HeadlessScheduler(studio)
    try:
        _warn_other_daemons(studio, say)
        scheduler.start()
        here = this_computer()
        mine = sorted(scheduler.core.scheduled())
        event("INFO", "daemon started", computer=here, pid=os.getpid(), version=__version__, jobs=mine)
        say(
            f"running jobs for computer {here} (pid {os.getpid()}, data {studio.datadir.root}); "
            f"scheduled here: {', '.join(mine) or 'none yet'}; logs in {studio.datadir.logs}"
        )
        while not stop.wait(0.5):
            pass
        signame = getattr(stop, "signal_name", "stop requested")
        event("INFO", f"daemon stopping ({signame})")
        say(f"stopping ({signame}); letting the running job reach a safe point")
    finally:
        clean = scheduler.shutdown(STOP_TIMEOUT)
        _restore_signal_handlers(previous)
        event("INFO", "daemon stopped", clean=clean)
    say("stopped")
    return 0


def _install_signal_handlers(stop: threading.Event) -> dict[int, object]:
    previous: dict[int, object] = {}
    if threading.current_thread() is not threading.main_thread():
        return previous  # tests may run serve() in a thread; they set `stop` themselves

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.signal_name = signal.Signals(signum).name  # type: ignore[attr-defined]
        stop.set()

    for sig in STOP_SIGNALS:
        previous[sig] = signal.signal(sig, handler)
    return previous


def _restore_signal_handlers(previous: dict[int, object]) -> None:
    for sig, old in previous.items():
        signal.signal(sig, old)  # type: ignore[arg-type]


def _warn_other_daemons(studio: Studio, say: Callable[[str], None]) -> None:
    here = this_computer()
    computer = Computers(studio.store).find(here)
    others = [
        p for p in (computer.processes if computer else []) if p.kind == "daemon" and p.pid != os.getpid()
    ]
    if others and all(same_computer(p.host, here) for p in others):
        pids = ", ".join(str(p.pid) for p in others)
        text = (
            f"another daemon already runs on {here} (pid {pids}, seen within {ALIVE_SECONDS} s); "
            "jobs still run once at a time"
        )
        event("WARNING", text)
        say(f"warning: {text}")
