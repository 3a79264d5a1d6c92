"""`python -m studiosync`: the same entry point as the `studiosync` command."""

from studiosync.tui.cli import main

raise SystemExit(main())
