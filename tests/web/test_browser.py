"""`studiosync web` in a real headless Chromium: log in, set up a Google tab, throttling, shutdown.

One server and one browser for the module (the demo studio with its Google emulator in this process);
everything is read back from outside: the screen through xterm.js's buffer, the studio through the CLI
(`google show --json`) and the log file. Skips only where no Chromium exists (.ci/run installs it).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from studiosync.tui.web.browser import (
    WebServerProcess,
    XtermPage,
    find_chromium,
    free_port,
    log_records,
    start_chromium,
)

pytestmark = [
    pytest.mark.xdist_group("browser"),
    pytest.mark.skipif(
        find_chromium() is None,
        reason="no Chromium on this machine: apt-get install chromium chromium-driver (.ci/run does as root)",
    ),
]
selenium = pytest.importorskip("selenium", reason="selenium is missing: pip install -e '.[test]'")

STUDIO_NAME = "Lumen Photo Studio"
PASSWORDS = {"cara": "cara-pass-2026", "ben": "ben-pass-2026"}


def studiosync(home: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "studiosync", "--home", str(home), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env=_env(),
    )


def _env() -> dict[str, str]:
    return dict(os.environ, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from studiosync.core.demo import build_demo

    home = tmp_path_factory.mktemp("web") / "home"
    built = build_demo(home)
    for login, password in PASSWORDS.items():
        # The contract: an admin sets a password from a script, on stdin.
        done = studiosync(home, "users", "passwd", login, "--password-stdin", stdin=password + "\n")
        assert done.returncode == 0, done.stderr
    assert studiosync(home, "prefs", "name", STUDIO_NAME).returncode == 0
    yield built
    built.close()


@pytest.fixture(scope="module")
def server(demo: object) -> Iterator[WebServerProcess]:
    web = WebServerProcess(demo.home)  # type: ignore[attr-defined]
    yield web
    web.stop()


@pytest.fixture(scope="module")
def driver() -> Iterator[object]:
    browser = start_chromium()
    yield browser
    browser.quit()


@pytest.fixture
def page(driver: object, server: WebServerProcess) -> Iterator[XtermPage]:
    """A fresh session: the page (re)loaded, any extra tabs closed afterwards."""
    page = XtermPage(driver)
    main = driver.current_window_handle  # type: ignore[attr-defined]
    page.open(server.url)
    yield page
    for handle in driver.window_handles:  # type: ignore[attr-defined]
        if handle != main:
            driver.switch_to.window(handle)  # type: ignore[attr-defined]
            driver.close()  # type: ignore[attr-defined]
    driver.switch_to.window(main)  # type: ignore[attr-defined]
    driver.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {}})  # type: ignore[attr-defined]


def test_the_page_is_titled_with_the_studio_name_and_lists_nobody(page: XtermPage) -> None:
    screen = page.wait_for("Log in to the software")
    assert page.driver.title == STUDIO_NAME
    assert STUDIO_NAME in screen
    assert "Cara" not in screen and "Pat Owner" not in screen  # the web login is typed, not picked


def test_a_photographer_sets_up_her_google_tab_in_the_browser(
    page: XtermPage, demo: object, tmp_path: Path
) -> None:
    home: Path = demo.home  # type: ignore[attr-defined]
    page.log_in("cara", PASSWORDS["cara"])
    top = page.wait_for("Cara Singh (cara)")
    assert "Google tab" in top.splitlines()[0] and "Dashboard" not in top  # a non-admin's sections only

    # Every section by mouse (the sidebar) and by the palette, whatever keys the browser keeps.
    page.click_text("Appointments", max_col=20)
    page.wait_until(lambda: "Appointments" in page.lines()[0], "the Appointments section")
    page.keys(selenium.webdriver.common.keys.Keys.CONTROL + "p")
    page.wait_for("Search for commands")
    page.keys("go: google")
    page.wait_for("go: google tab")
    page.keys(selenium.webdriver.common.keys.Keys.ENTER)
    page.wait_until(lambda: "Google tab" in page.lines()[0], "the Google tab")

    # Authenticate My Google Account opens Google's page (here the emulator's) in a new browser tab.
    # On Google's page the person picks the account to allow (the emulator's control API plays that).
    demo.emulator.set_consent_account("cara@studio-demo.test")  # type: ignore[attr-defined]
    tabs_before = set(page.driver.window_handles)
    page.click_text("Authenticate My Google Account")
    page.wait_until(lambda: set(page.driver.window_handles) - tabs_before, "Google's page in a new tab")
    page.wait_for("Authenticated as cara@", timeout=30)  # the emulator consents; the redirect comes back
    page.wait_until(lambda: "Authenticate My Google Account" not in page.text(), "the dialog to close")

    # Change a setting with the mouse, save, and read it back through the CLI.
    row, col = page.find("Download Tentative")
    box = page.cell(row, col - 2)
    page.click(row, col + 3)
    page.wait_until(lambda: page.cell(row, col - 2) != box, "the checkbox to turn on")
    page.click_text("Save", after_row=row)
    page.wait_for("Saved the Google tab of cara")
    shown = json.loads(studiosync(home, "google", "show", "cara", "--json").stdout)
    assert shown["tentative"] is True and shown["account_email"] == "cara@studio-demo.test"
    shot = tmp_path / "web-google-tab.png"
    assert page.driver.save_screenshot(str(shot)) and shot.read_bytes()[:4] == b"\x89PNG"

    # Log out with the visible button: the session ends and the log says who, from where.
    page.click_text("Log out")
    page.wait_until(page.closed, "the session to end")
    logins = [r for r in log_records(home, "web login") if r.get("login") == "cara"]
    assert logins and logins[-1]["address"] == "127.0.0.1" and logins[-1]["user"] == "cara"
    logouts = page.wait_until(
        lambda: [r for r in log_records(home, "web logout") if r.get("login") == "cara"], "the logout record"
    )
    assert logouts[-1]["reason"] == "logged out" and logouts[-1]["address"] == "127.0.0.1"


def test_six_wrong_passwords_are_throttled(page: XtermPage, demo: object) -> None:
    home: Path = demo.home  # type: ignore[attr-defined]
    # As if through the TLS proxy on this machine: its X-Forwarded-For names the client.
    page.driver.execute_cdp_cmd("Network.enable", {})
    page.driver.execute_cdp_cmd(
        "Network.setExtraHTTPHeaders", {"headers": {"X-Forwarded-For": "203.0.113.7"}}
    )
    page.open(page.driver.current_url)
    page.log_in("ben", "not-his-password-1")
    failed = lambda: [r for r in log_records(home, "web login failed") if r.get("address") == "203.0.113.7"]  # noqa: E731
    page.wait_until(lambda: len(failed()) == 1, "the first failure")
    from selenium.webdriver.common.keys import Keys

    for attempt in range(2, 6):
        page.keys(f"not-his-password-{attempt}", Keys.ENTER)
        page.wait_until(lambda n=attempt: len(failed()) == n, f"failure {attempt}")
    page.wait_for("too many failed logins")
    page.keys("not-his-password-6", Keys.ENTER)  # the sixth: refused without a look at the password
    page.wait_until(lambda: log_records(home, "web login refused: locked"), "the lock")
    page.keys(PASSWORDS["ben"], Keys.ENTER)  # even the right one, during the lock
    page.wait_until(lambda: len(log_records(home, "web login refused: locked")) == 2, "the second refusal")
    assert "try again in" in page.text() and "Ben Ortiz (ben)" not in page.text()
    assert failed()[-1]["locked"] in ("login", "address") and failed()[-1]["lock_seconds"] == 30
    log_text = (home / "logs" / "studiosync.log").read_text()
    assert "not-his-password" not in log_text and PASSWORDS["ben"] not in log_text


def test_sigterm_ends_the_server_and_its_sessions_within_ten_seconds(demo: object, driver: object) -> None:
    home: Path = demo.home  # type: ignore[attr-defined]
    web = WebServerProcess(home, "--idle-timeout", "5")
    try:
        page = XtermPage(driver)
        page.open(web.url)
        page.wait_for("Log in to the software")
        opened = page.wait_until(
            lambda: [r for r in log_records(home, "web session opened") if r.get("pid")], "the session"
        )
        console_pid = opened[-1]["pid"]
        started = time.monotonic()
        code, err = web.terminate(timeout=10)
        assert code == 0 and time.monotonic() - started < 10
        assert err.splitlines()[-1] == "studiosync web: stopped"
        with pytest.raises(ProcessLookupError):
            os.kill(console_pid, 0)
        page.wait_until(page.closed, "the page to show the session ended")
    finally:
        web.stop()


def test_with_a_public_url_and_a_web_client_sign_in_comes_straight_back(
    demo: object, driver: object, tmp_path: Path
) -> None:
    """Google redirects to `studiosync web`'s /oauth2callback; no paste. The doctor agrees with the setup."""
    emu = demo.emulator  # type: ignore[attr-defined]
    home = tmp_path / "home"
    port = free_port()
    public = f"http://127.0.0.1:{port}"  # Google allows plain http only on loopback: fine for a test
    secrets = emu.register_client("web-console-client", "web-secret", [f"{public}/oauth2callback"])
    section = dict(secrets["installed"], redirect_uris=[f"{public}/oauth2callback"])
    client_file = tmp_path / "web_client.json"
    client_file.write_text(json.dumps({"web": section}))
    emu.add_account("dan@studio-demo.test", name="Dan Web")
    emu.set_consent_account("dan@studio-demo.test")
    assert (
        studiosync(
            home, "users", "add", "dan", "--name", "Dan Web", "--password-stdin", stdin="dan-pass-2026\n"
        ).returncode
        == 0
    )
    done = studiosync(
        home,
        "prefs",
        "google",
        "--client-secrets",
        str(client_file),
        "--api-endpoint",
        emu.url,
        "--published",
    )
    assert done.returncode == 0, done.stderr
    web = WebServerProcess(home, "--public-url", public, port=port)
    try:
        doctor = json.loads(studiosync(home, "doctor", "--json").stdout)
        oauth = next(c for c in doctor["checks"] if c["name"] == "oauth_client")
        assert oauth["status"] == "pass", oauth
        page = XtermPage(driver)
        page.open(web.url)
        page.log_in("dan", "dan-pass-2026")
        page.wait_for("Dan Web (dan)")
        tabs_before = set(page.driver.window_handles)
        page.click_text("Authenticate My Google Account")
        new = page.wait_until(
            lambda: set(page.driver.window_handles) - tabs_before, "Google's page in a new tab"
        )
        page.wait_for("Authenticated as dan@studio-demo.test", timeout=30)
        main = page.driver.current_window_handle
        page.driver.switch_to.window(new.pop())
        assert page.driver.current_url.startswith(f"{public}/oauth2callback?")
        assert "Google sign-in received" in page.driver.page_source
        page.driver.close()
        page.driver.switch_to.window(main)
    finally:
        web.stop()
