"""Validation as you type, and what a form says when it cannot be saved.

Each Field carries textual validators; a form shows why a field is invalid in the Note under it (id
'<field id>-why') and keeps its Save button disabled until everything is valid. A cross-field rule ("the
end is before the start") is shown in the same note *after* the field's own reason, never instead of it.
ctrl+s on an invalid form names every problem (`explain_invalid`) and puts the focus on the first one.
"""

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
    root: Widget, fields: Iterable[Field], save: Button | None, extra: dict[str, str | None] | None = None
) -> bool:
    """Show each field's problem (or its normal note) and enable Save only if there is none.

    `extra` maps note ids to cross-field problems (e.g. "the two passwords differ"); a note that also
    belongs to an invalid field shows both reasons, the field's own first.
    """
    said: dict[str, list[str]] = {}
    order: list[str] = []
    for field in fields:
        problem = field_problem(field)
        field.set_class(problem is not None, "-invalid")
        note_id = f"{field.id}-why"
        order.append(note_id)
        said.setdefault(note_id, [])
        if problem:
            said[note_id].append(problem)
    for note_id, problem in (extra or {}).items():
        if note_id not in said:
            order.append(note_id)
            said[note_id] = []
        if problem and problem not in said[note_id]:
            said[note_id].append(problem)
    for note_id in order:
        _say(root, note_id, "; ".join(said[note_id]) or None)
    ok = not any(said.values())
    if save is not None:
        save.disabled = not ok
    return ok


def problems_of(root: Widget, fields: Iterable[Field], extra: dict[str, str | None] | None = None) -> list[tuple[str, str, Widget]]:
    """(label, reason, widget to focus) for every problem, in the form's order."""
    found: list[tuple[str, str, Widget]] = []
    by_note: dict[str, Field] = {}
    for field in fields:
        by_note[f"{field.id}-why"] = field
        problem = field_problem(field)
        if problem:
            found.append((field.label, problem, field))
    for note_id, problem in (extra or {}).items():
        if problem:
            owner = by_note.get(note_id)
            found.append((owner.label if owner else "", problem, owner if owner is not None else root))
    return found


def explain_invalid(root: Widget, problems: list[tuple[str, str, Widget]]) -> None:
    """ctrl+s on an invalid form: say what is wrong (all of it, one toast) and focus the first problem."""
    if not problems:
        return
    parts = [f"{label}: {reason}" if label else reason for label, reason, _w in problems]
    root.app.notify("Cannot save yet — " + "; ".join(parts), title="Fix first", severity="warning", timeout=8)
    first = problems[0][2]
    if first.focusable:
        first.focus()


def _say(root: Widget, note_id: str, problem: str | None) -> None:
    for note in root.query(f"#{note_id}").results(Note):
        note.explain(problem)
