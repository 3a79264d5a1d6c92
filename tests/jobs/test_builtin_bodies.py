"""The catalogue names built-in job bodies by import path (it never imports them): each path must load."""

from __future__ import annotations

from studiosync.core.jobs.base import load_body
from studiosync.core.jobs.catalogue import kinds


def test_every_builtin_body_path_loads_a_function() -> None:
    builtin = [k for k in kinds() if isinstance(k.body, str)]
    assert {k.name for k in builtin} >= {"google-sync", "backup", "compact", "log-cleanup"}
    for k in builtin:
        assert callable(load_body(k)), k.body
