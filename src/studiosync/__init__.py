"""studiosync: a photo studio's appointment book in two-way sync with each staff member's Google Calendar.

The code lives in the repository's top-level folders `core/` (headless) and `tui/` (the Textual console);
they install as `studiosync.core` and `studiosync.tui` (see `package-dir` in pyproject.toml), so nothing
named `core` or `tui` lands at the top of site-packages. This folder holds only the package's own
`__init__` and `__main__`; it sits under src/ so that no folder named `studiosync` in a working directory
can shadow the installed package.
"""

from studiosync.core import __version__

__all__ = ["__version__"]
