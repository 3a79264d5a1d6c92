"""What one pull decided, before anything is applied: the writes, purges, cleared pending entries and
pushes of the run (`Decisions`), each push (`PushOp`) and each deletion the mass-deletion guard counts
(`Deletion`).

core.sync.plan fills them, core.sync.guard may hold deletions back, core.sync.commit writes the studio
side and core.sync.push sends the rest. Plain data and small queries over it: this module never reads
or writes the book, never calls Google and never decides anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from studiosync.core.model.appointments import Appointment
from studiosync.core.sync.commit import Clear, Purge, Write
from studiosync.core.sync.rules import Act

Side = Literal["google", "studio"]  # where a deletion was made: Google's side or the studio's


@dataclass
class PushOp:
    """One call to make on Google for an appointment's event (`kind`), from the appointment as of
    `base_revision`; `restore` brings back an event deleted on Google."""

    kind: str  # insert | patch | delete | fetch (events.get: Google's version of a refused change)
    appt: Appointment
    base_revision: int | None
    event_id: str
    restore: bool = False
    bounced: bool = False  # already retried once in the other form (409 <-> 404)

    @property
    def key(self) -> str:
        return self.appt.id


@dataclass
class Deletion:
    """A deletion of a linked pair decided in this run, not yet applied (its Purge or its delete PushOp)."""

    side: Side  # "google": deleted on Google, the studio copy would go; "studio": the other way round
    appt: Appointment
    event_id: str
    series: str | None = None  # Google's side: the recurring series the event is an instance of

    @property
    def item(self) -> str:
        """What the guard counts as one deletion: an appointment deleted in the studio; an event deleted
        on Google -- a whole series (or its "this and following") being one."""
        if self.side == "studio":
            return self.appt.id
        return self.series or self.event_id


@dataclass
class Decisions:
    """Everything one pull decided, not yet applied: the book's writes, purges and cleared pending entries,
    the pushes to Google, and the deletions the guard counts."""

    writes: list[Write] = field(default_factory=list)
    purges: list[Purge] = field(default_factory=list)
    clears: list[Clear] = field(default_factory=list)
    pushes: list[PushOp] = field(default_factory=list)
    decided: dict[str, Act] = field(default_factory=dict)  # appointment id -> what the rules decided
    deletions: dict[str, Deletion] = field(default_factory=dict)  # what the mass-deletion guard counts
    empty_listing: int = 0  # a full listing with no live event while this many appointments are linked

    def count(self, *acts: Act) -> int:
        """How many pairs got one of these acts (e.g. rules.DELETIONS), before anything is applied."""
        return sum(1 for act in self.decided.values() if act in acts)

    def on_side(self, side: Side) -> dict[str, Deletion]:
        return {aid: d for aid, d in self.deletions.items() if d.side == side}

    def withdraw(self, ids: set[str]) -> None:
        """Take these deletions back: their Purge / delete PushOp is not applied in this run."""
        self.purges = [p for p in self.purges if p.appointment_id not in ids]
        self.pushes = [p for p in self.pushes if not (p.kind == "delete" and p.key in ids)]


def copy(appt: Appointment) -> Appointment:
    """A copy safe to change (its trace list is its own)."""
    return replace(appt, trace=list(appt.trace))
