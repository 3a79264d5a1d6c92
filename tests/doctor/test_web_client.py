"""The doctor on a Google "web" OAuth client: only usable through `studiosync web`'s callback."""

from __future__ import annotations

import json
from pathlib import Path

from studiosync.core.studio.studio import Studio

from tests.doctor.helpers import doctor
from tests.sync.helpers import SyncWorld


def load_web_client(studio: Studio, world: SyncWorld, tmp_path: Path, redirects: list[str]) -> None:
    section = dict(world.emu.client_secrets("studiosync-test-client")["installed"], redirect_uris=redirects)
    path = tmp_path / "web.json"
    path.write_text(json.dumps({"web": section}))
    studio.prefs.set_google(client_secrets=path, api_endpoint=world.emu.url, published=True)


def test_a_web_client_needs_the_public_url_and_its_callback(world: SyncWorld, tmp_path: Path) -> None:
    studio = Studio.open(tmp_path / "home")
    load_web_client(studio, world, tmp_path, ["https://other.example.com/oauth2callback"])
    check = doctor(studio, None).check("oauth_client")
    assert check.status == "fail" and "no public URL" in check.detail and "--public-url" in check.fix

    studio.prefs.set_web(public_url="https://studio.example.com")
    check = doctor(studio, None).check("oauth_client")
    assert check.status == "fail" and "https://studio.example.com/oauth2callback" in check.detail
    assert "redirect_uri_mismatch" in check.detail and "Authorized redirect URIs" in check.fix

    load_web_client(studio, world, tmp_path, ["https://studio.example.com/oauth2callback"])
    check = doctor(studio, None).check("oauth_client")
    assert check.status == "pass" and "Web (browser console) OAuth client" in check.detail


def test_a_plain_http_public_url_fails_unless_on_this_machine(world: SyncWorld, tmp_path: Path) -> None:
    studio = Studio.open(tmp_path / "home")
    studio.prefs.set_web(public_url="http://studio.lan:8080")
    load_web_client(studio, world, tmp_path, ["http://studio.lan:8080/oauth2callback"])
    check = doctor(studio, None).check("oauth_client")
    assert check.status == "fail" and "not https" in check.detail
