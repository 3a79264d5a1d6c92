"""`studiosync google auth NEWUSER --no-browser` in the demo, through the real installed script.

The demo's emulator asks on a real consent page: the address the command prints is opened with a plain
HTTP client (as `curl` or any browser would), Allow is posted, and the redirect reaches the command's
loopback listener. The demo runs in this process (its emulator on loopback), the CLI in a subprocess on
the same data directory, as IT would run it from a second SSH session while `studiosync demo` is open.
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from studiosync.core.demo import Demo, build_demo
from studiosync.core.google.tokens import TokenVault

from tests.conftest import studiosync_executable
from tests.helpers.browser import browse, consent_redirect, read_consent_page
from tests.helpers.live_proc import live_process

DAN = "dan@studio-demo.test"
ANN = "ann@studio-demo.test"


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    built = build_demo(tmp_path / "demo")
    built.studio.users.add("dan", "Dan New")  # a user added after the demo started: no Google account yet
    yield built
    built.close()


def auth(demo: Demo, *args: str):  # type: ignore[no-untyped-def]
    env = {k: v for k, v in os.environ.items() if k != "OAUTHLIB_INSECURE_TRANSPORT"}
    argv = [studiosync_executable(), "--home", str(demo.home), "google", "auth", "dan", "--no-browser", *args]
    return live_process(argv, env=env)


def test_new_user_allows_on_the_consent_page(demo: Demo) -> None:
    with auth(demo) as proc:
        url = proc.wait_for_line("http", timeout=20)
        page = read_consent_page(url)
        assert page.chosen is None  # the CLI has no hint: the page asks which account
        assert {ANN, "cara@studio-demo.test"} <= set(page.accounts)
        status, landed, body = browse(url, account=DAN)  # "Use another account": a fresh demo account
        assert status == 200 and "Signed in" in body and landed.startswith("http://localhost:")
        assert proc.wait(timeout=30) == 0, proc.err_lines
    assert proc.out_lines[-1] == f"authenticated dan as {DAN}"
    assert proc.err_lines == []
    assert demo.studio.users.google_prefs("dan").account_email == DAN
    assert TokenVault(demo.home).get("dan") is not None


def test_an_account_another_user_syncs_is_refused_in_one_line(demo: Demo) -> None:
    with auth(demo) as proc:
        url = proc.wait_for_line("http", timeout=20)
        status, _, body = browse(url, account=ANN)  # Ann's account is linked to user ann
        assert status == 400 and "already linked to user 'ann'" in html.unescape(
            body
        )  # the browser tab says so too
        assert proc.wait(timeout=30) == 2
    (line,) = proc.err_lines
    assert line.startswith(f"studiosync: error: Google account {ANN} is already linked to user 'ann'")
    assert "Traceback" not in "\n".join(proc.out_lines + proc.err_lines)
    assert demo.studio.users.google_prefs("dan").account_email is None
    assert TokenVault(demo.home).get("dan") is None


def test_cancel_on_the_consent_page_ends_in_one_line(demo: Demo) -> None:
    with auth(demo) as proc:
        url = proc.wait_for_line("http", timeout=20)
        status, _, body = browse(url, decision="cancel")
        assert status == 400 and "refused" in body
        assert proc.wait(timeout=30) == 1
    (line,) = proc.err_lines
    assert line.startswith("studiosync: error: Google sign-in was refused (access_denied")
    assert "run `studiosync google auth dan` again and click Allow" in line


def test_stale_pastes_are_explained_and_the_wait_goes_on(demo: Demo) -> None:
    with auth(demo) as proc:
        url = proc.wait_for_line("http", timeout=20)
        refused = consent_redirect(url, decision="cancel")
        good = consent_redirect(url, account=DAN)
        proc.write("https://www.example.com/\n")  # an unrelated address
        proc.write(good.replace("state=", "state=x") + "\n")  # another attempt's address
        proc.write(refused + "\n")  # Cancel was clicked: said, and the wait goes on
        proc.write(good + "\n")  # the good one: signs in
        assert proc.wait(timeout=30) == 0, proc.err_lines
    assert proc.out_lines[-1] == f"authenticated dan as {DAN}"
    assert len(proc.err_lines) == 3, proc.err_lines
    assert "no code=" in proc.err_lines[0] and "another sign-in attempt" in proc.err_lines[1]
    assert proc.err_lines[2].startswith("studiosync: Google sign-in was refused (access_denied")


def test_print_link_puts_only_the_address_on_stdout(demo: Demo) -> None:
    with auth(demo, "--print-link") as proc:
        url = proc.wait_for_line("http", timeout=20)
        browse(url, account=DAN)
        assert proc.wait(timeout=30) == 0, proc.err_lines
    assert proc.out_lines == [url]  # one line, the address alone
    assert url.startswith(f"{demo.emulator.url}/o/oauth2/auth?")
    assert proc.err_lines[-1] == f"authenticated dan as {DAN}"
