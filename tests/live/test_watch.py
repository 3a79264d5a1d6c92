"""The store's change signal: PendingWatcher wakes when ANOTHER process commits a studio change (the
`studiosync` CLI in a subprocess), with inotify and with the polling fallback, and names the user."""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from studiosync.core.store import layout
from studiosync.core.store.watch import PendingWatcher
from studiosync.core.studio.studio import Studio

from tests.conftest import studiosync_executable


def _watcher(studio: Studio, use_inotify: bool) -> PendingWatcher:
    store = studio.store
    return PendingWatcher(
        store.root / "pending",
        lambda key: store.file(layout.pending_file_of_key(key)).disk_version(),
        use_inotify=use_inotify,
    )


def _cli(home: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [studiosync_executable(), "--home", str(home), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize("use_inotify", [True, False], ids=["inotify", "poll"])
def test_a_cli_write_in_another_process_wakes_the_watcher(home: Path, use_inotify: bool) -> None:
    studio = Studio.open(home)
    studio.users.add("ann", "Ann")
    studio.users.add("bob", "Bob")
    watcher = _watcher(studio, use_inotify)
    try:
        assert watcher.mode == ("inotify" if use_inotify else "poll")
        watcher.watch([layout.user_key("ann"), layout.user_key("bob")])
        assert watcher.wait(0) == set()  # nothing happened yet

        proc = _cli(
            home,
            "appointments",
            "add",
            "bob",
            "--title",
            "Walk-in",
            "--start",
            "2031-05-02 10:00",
            "--end",
            "2031-05-02 11:00",
        )
        changed: set[str] = set()
        while not changed:  # each wait blocks until the signal (or 10 s); the CLI may take a moment
            changed = watcher.wait(10)
            assert changed or proc.poll() is None, proc.communicate()
        assert changed == {layout.user_key("bob")}
        assert proc.wait(30) == 0, proc.communicate()
        assert list(Studio.open(home).appointments.pending_ids("bob"))

        # A user nobody watches (not syncing) never wakes it.
        watcher.watch([layout.user_key("ann")])
        other = _cli(
            home,
            "appointments",
            "add",
            "bob",
            "--title",
            "Second",
            "--start",
            "2031-05-03 10:00",
            "--end",
            "2031-05-03 11:00",
        )
        assert other.wait(30) == 0, other.communicate()
        assert watcher.wait(0.3) == set()
    finally:
        watcher.close()


def test_wake_interrupts_a_wait(home: Path) -> None:
    studio = Studio.open(home)
    watcher = _watcher(studio, use_inotify=True)
    try:
        watcher.watch([layout.user_key("ann")])
        watcher.wake()
        assert watcher.wait(30) == set()  # returns at once: the stop path of the live sync thread
    finally:
        watcher.close()


def test_a_change_inotify_does_not_report_is_found_by_the_safety_net(home: Path) -> None:
    """On a network file system inotify only sees this computer's writes: a wait that times out compares
    the signatures once, so another computer's change is still noticed within one wait."""
    studio = Studio.open(home)
    studio.users.add("ann", "Ann")
    watcher = _watcher(studio, use_inotify=True)
    deaf_r, deaf_w = os.pipe()  # an inotify that never says anything, as over NFS
    real = watcher._inotify  # noqa: SLF001
    assert real is not None
    watcher._inotify = type(real)(deaf_r)  # noqa: SLF001
    try:
        watcher.watch([layout.user_key("ann")])
        Studio.open(home).appointments.add(
            "ann",
            title="Booked on the front-desk PC",
            start=datetime(2031, 5, 2, 10, tzinfo=UTC),
            end=datetime(2031, 5, 2, 11, tzinfo=UTC),
        )
        assert watcher.wait(0.5) == {layout.user_key("ann")}
        assert watcher.wait(0.2) == set()  # reported once
    finally:
        watcher.close()
        real.close()
        os.close(deaf_w)
