"""Driving the browser console in a real headless Chromium (selenium): for the browser test, the
benchmark (bench/console.py) and the screenshot script. Never used by the product at run time.

xterm.js draws on a canvas, so the screen is read from xterm's own buffer: a script injected before the
page loads keeps the Terminal object textual.js creates (it exports none). Keys go to xterm's textarea;
clicks go to a cell's position on the screen. Every wait polls with a deadline (no sleeps).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)

# Runs before textual.js: the first object given a `terminal` that looks like xterm's is kept in
# window.studiosyncTerminal, then the trap removes itself.
KEEP_TERMINAL = """
(function () {
  const key = "terminal";
  Object.defineProperty(Object.prototype, key, {
    configurable: true,
    get() { return undefined; },
    set(value) {
      Object.defineProperty(this, key, {value, writable: true, configurable: true, enumerable: true});
      if (value && value.buffer && value.buffer.active) {
        window.studiosyncTerminal = value;
        delete Object.prototype[key];
      }
    },
  });
})();
"""

SCREEN_JS = """
const t = window.studiosyncTerminal;
if (!t) return null;
const b = t.buffer.active, rows = [];
for (let y = 0; y < t.rows; y++) { const l = b.getLine(y); rows.push(l ? l.translateToString(true) : ""); }
return rows;
"""

CELL_JS = """
const t = window.studiosyncTerminal; const l = t.buffer.active.getLine(arguments[0]);
const c = l ? l.getCell(arguments[1]) : null;
return c ? [c.getChars(), c.getFgColorMode(), c.getFgColor(), c.getBgColorMode(), c.getBgColor()] : null;
"""

GEOMETRY_JS = """
const t = window.studiosyncTerminal; const r = t.element.querySelector(".xterm-screen").getBoundingClientRect();
return [t.cols, t.rows, r.width, r.height];
"""


def find_chromium() -> tuple[str, str] | None:
    """(chromium, chromedriver) paths, or None where this machine has no Chromium."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class WebServerProcess:
    """`studiosync --home HOME web --port PORT ...` as a child process, started when its port answers."""

    def __init__(self, home: str | os.PathLike[str], *extra: str, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        argv = [
            sys.executable,
            "-m",
            "studiosync",
            "--home",
            str(home),
            "web",
            "--port",
            str(self.port),
            *extra,
        ]
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.kill()
                    raise RuntimeError(f"studiosync web did not start: {self.proc.communicate()}") from None
                time.sleep(0.05)  # polling a port with a deadline

    def terminate(self, timeout: float = 10.0) -> tuple[int, str]:
        """SIGTERM, then (exit code, everything it wrote on stderr)."""
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=timeout)
        return code, self.proc.stderr.read() if self.proc.stderr else ""

    def stop(self) -> None:
        """SIGTERM (the server then ends its sessions), SIGKILL if it is still there after 10 s."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


def start_chromium(width: int = 1200, height: int = 800) -> Any:
    """A fresh headless Chromium (own profile dir, no network chatter) with the terminal hook installed."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    found = find_chromium()
    if found is None:
        raise RuntimeError(
            "no chromium + chromedriver on this machine (apt-get install chromium chromium-driver)"
        )
    options = webdriver.ChromeOptions()
    options.binary_location = found[0]
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tempfile.mkdtemp(prefix='studiosync-chromium-')}")
    options.add_argument(f"--window-size={width},{height}")
    driver = webdriver.Chrome(options=options, service=Service(found[1]))
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": KEEP_TERMINAL})
    return driver


@dataclass
class XtermPage:
    """The console page in one browser tab."""

    driver: Any
    timeout: float = 20.0

    def open(self, url: str) -> None:
        self.driver.get(url)

    # -- reading ---------------------------------------------------------------------------------------
    def lines(self) -> list[str]:
        return self.driver.execute_script(SCREEN_JS) or []

    def text(self) -> str:
        return "\n".join(self.lines())

    def wait_until(self, condition: Callable[[], Any], what: str, timeout: float | None = None) -> Any:
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            value = condition()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; screen:\n{self.text()}")
            time.sleep(0.03)  # polling interval of a wait with a deadline, not a synchronisation

    def wait_for(self, text: str, timeout: float | None = None) -> str:
        return self.wait_until(lambda: text in self.text() and self.text(), repr(text), timeout)

    def find(self, text: str, *, after_row: int = -1, max_col: int | None = None) -> tuple[int, int]:
        """(row, column) of the first occurrence of `text` below `after_row` (and left of `max_col`)."""
        for row, line in enumerate(self.lines()):
            col = line.find(text)
            if row > after_row and col >= 0 and (max_col is None or col < max_col):
                return row, col
        raise AssertionError(f"{text!r} is not on the screen:\n{self.text()}")

    def cell(self, row: int, col: int) -> tuple[Any, ...]:
        return tuple(self.driver.execute_script(CELL_JS, row, col) or ())

    # -- typing and clicking ---------------------------------------------------------------------------
    def keys(self, *keys: str) -> None:
        from selenium.webdriver.common.by import By

        self.driver.find_element(By.CSS_SELECTOR, ".xterm-helper-textarea").send_keys(*keys)

    def click(self, row: int, col: int) -> None:
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.by import By

        cols, rows, width, height = self.driver.execute_script(GEOMETRY_JS)
        screen = self.driver.find_element(By.CSS_SELECTOR, ".xterm-screen")
        # Selenium 4 offsets are from the element's centre.
        x = (col + 0.5) * width / cols - width / 2
        y = (row + 0.5) * height / rows - height / 2
        ActionChains(self.driver).move_to_element_with_offset(screen, int(x), int(y)).click().perform()

    def click_text(self, text: str, **where: Any) -> tuple[int, int]:
        """Click `text` once it is on the screen (a section may still be loading)."""

        def found() -> tuple[int, int] | None:
            try:
                return self.find(text, **where)
            except AssertionError:
                return None

        row, col = self.wait_until(found, repr(text))
        self.click(row, col + min(2, len(text) - 1))
        return row, col

    def field_border(self, label: str) -> tuple[Any, ...]:
        """Colour of the left border of the input under `label` (focused and blurred inputs differ)."""
        row, _ = self.find(label)
        line = self.lines()[row + 1]
        return self.cell(row + 1, line.index("▊"))[1:3]

    def log_in(self, login: str, password: str) -> None:
        """Type a login and password into the login screen and press Enter.

        Textual hands keys typed ahead to the field that had focus when they arrived, so each field is
        waited for: the login shows in its field, then the password field's border takes the colour the
        focused login field had (once the app has had input: before, no field looks focused)."""
        from selenium.webdriver.common.keys import Keys

        self.wait_for("Log in to the software")
        self.keys(login)
        self.wait_until(lambda: login in self.lines()[self.find("User")[0] + 2], "the typed login")
        # Read now: an input only shows its focus once the page (and so the app) has the focus.
        focused = self.field_border("User")
        self.keys(Keys.TAB)
        self.wait_until(lambda: self.field_border("Password") == focused, "focus on the password field")
        self.keys(password, Keys.ENTER)

    def closed(self) -> bool:
        """The session ended: textual.js marks the page closed when the websocket closes."""
        return bool(self.driver.execute_script("return document.body.classList.contains('-closed')"))


def log_records(home: Path, message: str) -> list[dict[str, Any]]:
    """The data dir's log records with this message (how the browser test follows the app's state)."""
    import json

    path = Path(home) / "logs" / "studiosync.log"
    if not path.exists():
        return []
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if record.get("message") == message:
            found.append(record)
    return found
