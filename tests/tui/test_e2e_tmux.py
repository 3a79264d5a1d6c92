"""End to end in a real terminal: tmux runs `studiosync demo`; keys go in, the screen is read back.

Covers what pilot tests cannot: the real entry point, the real driver, the embedded scheduler running the
Google Sync Processor against the emulator, the log file being followed, and a clean exit on ctrl+q.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

TMUX = shutil.which("tmux")
pytestmark = [pytest.mark.skipif(TMUX is None, reason="tmux is not installed"), pytest.mark.slow]


def command() -> str:
    script = Path(sys.executable).with_name("studiosync")
    if script.exists():
        return f"{script} demo"
    return f"{sys.executable} -m studiosync.tui.run --demo"  # not installed as a script: the module entry


class Terminal:
    def __init__(self, tmp: Path, *, exec_: bool = False, size: tuple[int, int] = (100, 30)) -> None:
        self.name = f"studiosync-e2e-{uuid.uuid4().hex[:8]}"
        self.rc = tmp / "rc"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "TEXTUAL"))}
        # exec_: the console IS the pane's process (pane pid = its pid), as with `ssh host studiosync demo`.
        shell = f"exec {command()}" if exec_ else f"{command()}; echo $? > {self.rc}; sleep 60"
        size = ["-x", str(size[0]), "-y", str(size[1])]
        subprocess.run(
            [TMUX, "new-session", "-d", "-s", self.name, *size, shell],
            check=True,
            env=env,
            cwd=Path(__file__).resolve().parents[2],
        )

    def pid(self) -> int:
        out = subprocess.run(
            [TMUX, "list-panes", "-t", self.name, "-F", "#{pane_pid}"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        return int(out.split()[0])

    def keys(self, *keys: str) -> None:
        subprocess.run([TMUX, "send-keys", "-t", self.name, *keys], check=True)

    def screen(self) -> str:
        return subprocess.run(
            [TMUX, "capture-pane", "-p", "-t", self.name], check=True, capture_output=True, text=True
        ).stdout

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = self.screen()
            if text in shown:
                return shown
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared; the screen shows:\n{self.screen()}")

    def wait_until(self, condition, timeout: float = 30.0) -> str:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = self.screen()
            if condition(shown):
                return shown
            time.sleep(0.2)
        raise AssertionError(f"the screen never got there; it shows:\n{self.screen()}")

    def close(self) -> None:
        subprocess.run([TMUX, "kill-session", "-t", self.name], check=False, capture_output=True)


def test_demo_in_a_real_terminal(tmp_path: Path) -> None:
    term = Terminal(tmp_path)
    try:
        term.wait_for("Log in to the software as the appropriate user", timeout=60)
        term.keys("Enter")  # Pat (the admin) is preselected; nobody has a password in the demo
        term.wait_for("Sync now")
        # Users > Cara > Google tab > Authenticate: the emulator consents, one key press.
        term.keys("F3")
        term.wait_for("cannot sync")
        # The focus lands on the table right after it is drawn; nothing on screen shows it, so give the
        # (possibly busy) machine a moment before keys that depend on it.
        time.sleep(1.0)
        term.keys("Down", "Down")
        term.keys("g")
        term.wait_for("Google tab of")
        term.wait_for("Not authenticated")
        time.sleep(0.6)
        term.keys("C-a")
        term.wait_for("Consent in the emulator")
        term.wait_for("localhost:")
        time.sleep(0.6)
        term.keys("Enter")
        shown = term.wait_for("Authenticated as cara@studio-demo.test")
        assert "Remove My Google Account" in shown
        # The embedded scheduler ran the Google Sync Processor at start; its lines are in the log pane.
        term.keys("F9")
        shown = term.wait_for("Google Sync Processor", timeout=60)
        term.wait_for("p Pause")  # the focus moved to the log pane: its keys are in the footer
        term.keys("C-q")
        deadline = time.monotonic() + 20
        while not term.rc.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert term.rc.read_text().strip() == "0"
    finally:
        term.close()


def test_demo_at_80x24(tmp_path: Path) -> None:
    """The console at 80x24 over a real terminal: the sidebar shows only its F-keys, tables keep their
    important columns, nothing is cut without an ellipsis and the footer fits; F-keys and the palette
    open sections."""
    term = Terminal(tmp_path, size=(80, 24))
    try:
        term.wait_for("Log in to the software as the appropriate user", timeout=60)
        term.keys("Enter")
        term.wait_for("Last error")  # the dashboard keeps its most important column at 80 columns
        shown = term.wait_until(
            lambda text: any(line.startswith(" F2 ▕") for line in text.splitlines())  # F-keys only
            and "f1 Help" in text.splitlines()[-1]
        )
        lines = shown.splitlines()
        assert all(len(line) <= 80 for line in lines)
        assert "Dashboard" not in "".join(line[:5] for line in lines)
        assert "palette" in lines[-1]  # the footer fits: nothing cut off at its end
        term.keys("F8")
        # The top bar names the section: the dashboard may mention the job too (a user's diagnosis).
        shown = term.wait_until(
            lambda text: "Control Center" in text.splitlines()[0] and "Google Sync Processor" in text
        )
        assert "Computer" in shown  # the seed's check (the computer running the job) stays visible
        # The palette opens another section's command from anywhere.
        term.keys("C-p")
        term.wait_for("Search for commands")
        term.keys(*"users: add")
        term.wait_for("users: add")
        time.sleep(0.3)
        term.keys("Enter")
        term.wait_for("Add a user or resource")
        term.wait_for("esc Cancel")  # the dialog shows its keys
        term.keys("Escape")
        term.wait_for("users and resources")
        term.keys("C-q")
        deadline = time.monotonic() + 20
        while not term.rc.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert term.rc.read_text().strip() == "0"
    finally:
        term.close()


def test_console_exits_when_the_terminal_goes_away(tmp_path: Path) -> None:
    term = Terminal(tmp_path, exec_=True)
    try:
        term.wait_for("Log in to the software as the appropriate user", timeout=60)
        pid = term.pid()
    finally:
        term.close()  # the terminal disappears: SIGHUP, like a dropped SSH connection
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    os.kill(pid, 9)
    raise AssertionError("the console kept running after its terminal went away")


def test_demo_sign_in_over_http(tmp_path: Path) -> None:
    """The demo's sign-in like Google's: the link copied from the bare "Show link" view, the emulator's
    consent page opened over plain HTTP, Allow posted, and the console shows the user authenticated."""
    from tests.helpers.browser import browse, read_consent_page

    term = Terminal(tmp_path)
    try:
        term.wait_for("Log in to the software as the appropriate user", timeout=60)
        term.keys("Enter")
        term.wait_for("Sync now")
        term.keys("F3")
        term.wait_for("cannot sync")
        time.sleep(1.0)  # the focus lands on the table right after it is drawn (see above)
        term.keys("Down", "Down")
        term.keys("g")
        term.wait_for("Google tab of")
        term.wait_for("Not authenticated")
        time.sleep(0.6)
        term.keys("C-a")
        term.wait_for("localhost:")
        time.sleep(0.6)
        term.keys("C-l")  # Show link: the console steps aside and prints the bare address
        term.wait_for("Press Enter to return to studiosync")
        joined = subprocess.run(  # -J joins the lines the terminal wrapped: what a mouse selection copies
            [TMUX, "capture-pane", "-p", "-J", "-t", term.name], check=True, capture_output=True, text=True
        ).stdout
        (url,) = [line.strip() for line in joined.splitlines() if line.startswith("http")]
        assert "/o/oauth2/auth?" in url and "state=" in url and "login_hint=cara" in url
        assert (
            read_consent_page(url).chosen == "cara@studio-demo.test"
        )  # the page asks; her account is preselected
        status, landed, body = browse(url)  # Allow, then the redirect reaches the console's loopback listener
        assert status == 200 and "Signed in" in body and landed.startswith("http://localhost:")
        term.keys("Enter")  # back to the console
        shown = term.wait_for("Authenticated as cara@studio-demo.test")
        assert "Remove My Google Account" in shown
        term.keys("C-q")
        deadline = time.monotonic() + 20
        while not term.rc.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert term.rc.read_text().strip() == "0"
    finally:
        term.close()
