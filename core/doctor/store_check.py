"""The doctor's `store` check: every store file against the schema, and how to repair a corrupt one.

A corrupt file is named with its first bad record; the fix is the restore command for the newest backup
that holds a good copy of it (`studiosync backup restore store/...json`), or, when no backup can help,
what to do by hand. Reads only; never repairs on its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from studiosync.core.doctor.checks import make
from studiosync.core.doctor.report import Check
from studiosync.core.store.backups import copies
from studiosync.core.store.verify import FileProblem, check_store

if TYPE_CHECKING:
    from studiosync.core.store.store import Store
    from studiosync.core.studio.studio import Studio

NAME = "store"


def store(studio: Studio) -> Check:
    checked, problems = check_store(studio.store.root)
    if not problems:
        return make(NAME, "pass", f"All {checked} store files are whole and of the expected shape.")
    first = problems[0]
    more = f" ({len(problems) - 1} more corrupt file(s): {_names(problems[1:])})" if len(problems) > 1 else ""
    records = f", {first.bad_records} bad record(s)" if first.bad_records > 1 else ""
    detail = f"{first.shown} is corrupt{records}: {first.problem}{more}."
    return make(NAME, "fail", detail, " ".join(repair(studio.store, p) for p in problems[:3]))


def _names(problems: list[FileProblem]) -> str:
    shown = [p.shown for p in problems[:5]]
    return ", ".join(shown) + (", ..." if len(problems) > 5 else "")


def repair(store: Store, problem: FileProblem) -> str:
    """How to repair one corrupt store file: restore its newest good backup, else what to do by hand."""
    good = next((c for c in copies(store, problem.name) if c.good), None)
    if good is not None:
        return (
            f"Restore the newest good backup of it (from {good.backup}): studiosync backup restore "
            f"{problem.shown} -- or by hand: stop studiosync everywhere, copy backups/{good.backup}/"
            f"{problem.shown} over {problem.shown}, start it again."
        )
    return (
        f"No backup holds a good copy of {problem.shown}: stop studiosync, move the file aside (that part of "
        "the studio then starts empty; a Google sync brings synced appointments back) or fix the record "
        "named above by hand."
    )
