"""Validation as you type: each Field carries textual validators; a form shows why a field is invalid
beside it (a Note with id '<field id>-why') and keeps its Save button disabled until everything is valid."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from studiosync.tui.widgets.field import Field
from studiosync.tui.widgets.note import Note
from textual.validation import Function, ValidationResult, Validator
from textual.widget import Widget
from textual.widgets import Button


def rule(check: Callable[[str], bool], why: str) -> Validator:
    return Function(check, why)


def field_problem(field: Field) -> str | None:
    result: ValidationResult | None = field.validate(field.value)
    if result is None or result.is_valid:
        return None
    return "; ".join(result.failure_descriptions) or "invalid"


def check_form(
    root: Widget, fields: Iterable[Field], save: Button, extra: dict[str, str | None] | None = None
) -> bool:
    """Show each field's problem (or its normal note) and enable Save only if there is none.

    `extra` maps note ids to cross-field problems (e.g. "the two passwords differ").
    """
    ok = True
    for field in fields:
        problem = field_problem(field)
        field.set_class(problem is not None, "-invalid")
        _say(root, f"{field.id}-why", problem)
        ok = ok and problem is None
    for note_id, problem in (extra or {}).items():
        _say(root, note_id, problem)
        ok = ok and problem is None
    save.disabled = not ok
    return ok


def _say(root: Widget, note_id: str, problem: str | None) -> None:
    for note in root.query(f"#{note_id}").results(Note):
        note.explain(problem)
