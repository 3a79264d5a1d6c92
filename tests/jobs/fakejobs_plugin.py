"""The test job kinds as a STUDIOSYNC_JOB_PLUGINS module: importing it registers them (subprocesses only)."""

from __future__ import annotations

from studiosync.core.jobs.catalogue import register

from tests.jobs.fakejobs import KINDS

for _kind in KINDS:
    register(_kind)
