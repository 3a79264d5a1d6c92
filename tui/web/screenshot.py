"""screenshots/web-google-tab.png: the browser console (`studiosync web`) in headless Chromium, showing a
photographer's Google tab in the offline demo studio. Made by `python -m studiosync.tui.screenshots`."""

from __future__ import annotations

import sys
from pathlib import Path

NAME = "web-google-tab.png"
LOGIN, PASSWORD = "ann", "ann demo password"
STUDIO_NAME = "Lumen Photo Studio"


def shoot_web(out: Path) -> Path | None:
    """The PNG's path, or None (with a line on stderr) where this machine has no Chromium or selenium."""
    from studiosync.tui.web.browser import WebServerProcess, XtermPage, find_chromium, start_chromium

    try:
        import selenium  # noqa: F401
    except ImportError:
        print("web screenshot skipped: selenium is missing (pip install -e '.[test]')", file=sys.stderr)
        return None
    if find_chromium() is None:
        print(
            "web screenshot skipped: no chromium (apt-get install chromium chromium-driver)", file=sys.stderr
        )
        return None
    from studiosync.core.demo import build_demo

    demo = build_demo()
    web = driver = None
    try:
        demo.studio.users.set_password(LOGIN, PASSWORD)
        demo.studio.prefs.set_name(STUDIO_NAME)
        web = WebServerProcess(demo.home)
        driver = start_chromium(1280, 820)
        page = XtermPage(driver, timeout=30)
        page.open(web.url)
        page.log_in(LOGIN, PASSWORD)
        page.wait_for("Authenticated as ann@")
        page.wait_until(lambda: "loading calendars" not in page.text(), "the calendar list")
        out.mkdir(parents=True, exist_ok=True)
        path = out / NAME
        driver.save_screenshot(str(path))
        return path
    finally:
        if driver is not None:
            driver.quit()
        if web is not None:
            web.stop()
        demo.close()
