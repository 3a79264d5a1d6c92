"""The shape of stored records, checked when they are read, and the error that names a corrupt one.

A store file holds {table: {record id: {field: value}}} (core.store.files checks that much when it loads
a file). The fields of each record must fit the domain dataclass it becomes (core.model): a `start` that
is a number, a user whose name is a list or a Google tab whose `enabled` is a string would otherwise
surface much later as `internal error: TypeError` -- in the middle of a sync, with no file named.

The shape is derived from the dataclasses' type hints, so it can never drift from the model: `str`,
`int` (not bool), `bool`, `X | None`, `list[X]`, `dict`, Literal aliases (text), nested dataclasses, and
appointment times stored as ISO text. Unknown fields are allowed (written by a newer version); missing
fields are fine when the dataclass has a default.

`CorruptRecord` is one line naming the file, the table and the record, with the way to repair it. A
service that lists many records skips a corrupt one and notes it in `Store.problems` (so other users'
records and every unrelated command still work, and the CLI still exits 1); one that reads a single
record raises. This module never writes.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, Literal, TypeVar, Union, get_args, get_origin

from studiosync.core.errors import StoreError

T = TypeVar("T")
Checker = Callable[[Any], str | None]  # None when the value fits, else what is wrong with it

__all__ = ["CorruptRecord", "load", "problem", "repair_hint"]


class CorruptRecord(StoreError):
    """A record of the wrong shape: exit 1, one line naming the file and the record, and the repair."""

    def __init__(self, path: Path, table: str, doc_id: str, why: str) -> None:
        self.path, self.table, self.doc_id, self.why = path, table, doc_id, why
        super().__init__(
            f"store file {path} is corrupt: record {doc_id!r} in table {table!r}: {why}; "
            f"the file was left untouched (repair: {repair_hint(path)})"
        )


def repair_hint(path: Path) -> str:
    """How to repair one store file: restore its newest good backup."""
    store_dir = path.parent
    while store_dir.name != "store" and store_dir.parent != store_dir:
        store_dir = store_dir.parent
    try:
        shown = "store/" + path.relative_to(store_dir).as_posix()
    except ValueError:
        shown = str(path)
    return f"studiosync backup restore {shown}"


def load(cls: type[T], doc: Any, *, path: Path, table: str, doc_id: str) -> T:
    """The dataclass for a stored document, or CorruptRecord naming it."""
    why = problem(cls, doc)
    if why is not None:
        raise CorruptRecord(path, table, doc_id, why)
    names = _field_names(cls)
    return cls(**{k: v for k, v in doc.items() if k in names})


def problem(cls: type, doc: Any, *, times: bool = True) -> str | None:
    """What is wrong with `doc` as a `cls` record, or None when it fits. `times=False`: appointment times
    are only checked to be text (the caller parses them and reports a bad one itself)."""
    return _dataclass_checker(cls, times)(doc)


# -- checkers derived from type hints ----------------------------------------------------------------------
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _is_time(options: tuple[Any, ...]) -> bool:
    """`datetime | date`: an appointment time, stored as ISO text. Told by name, so that the datetime
    module is loaded only where a record has times (start-up: `users list` has none)."""
    names = {(getattr(o, "__module__", None), getattr(o, "__qualname__", None)) for o in options}
    return names == {("datetime", "datetime"), ("datetime", "date")}


@cache
def _field_names(cls: type) -> frozenset[str]:
    return frozenset(f.name for f in dataclasses.fields(cls))


@cache
def _fields(cls: type) -> dict[str, tuple[bool, Checker]]:
    """name -> (required, checker) for every field of a dataclass."""
    hints = _hints(cls)
    found: dict[str, tuple[bool, Checker]] = {}
    for f in dataclasses.fields(cls):
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        found[f.name] = (required, _checker(hints[f.name]))
    return found


@cache
def _plan(cls: type, times: bool) -> tuple[tuple[str, bool, frozenset[type] | None, Checker], ...]:
    """The fields as (name, required, exact types that settle it, checker). Stored values come from
    json.loads, so their types are exactly str, int, float, bool, None, list or dict: a set lookup of
    type(value) settles most fields, which keeps a listing of thousands of appointments cheap.
    `times`: also parse appointment times (else only check they are text, for callers that parse them)."""
    hints = _hints(cls)
    return tuple(
        (name, required, _exact_types(hints[name], times), checker)
        for name, (required, checker) in _fields(cls).items()
    )


_EXACT = {str: str, bool: bool, int: int, float: float, dict: dict, type(None): type(None)}


def _exact_types(hint: Any, times: bool = True) -> frozenset[type] | None:
    """The exact types that make a value fit `hint` without a closer look, or None."""
    options = get_args(hint) if get_origin(hint) in (Union, types.UnionType) else (hint,)
    if _is_time(options):
        return None if times else frozenset({str})
    found = set()
    for option in options:
        base = get_origin(option) or option
        if base not in _EXACT:
            return None
        found.add(_EXACT[base])
    return frozenset(found)


@cache
def _dataclass_checker(cls: type, times: bool = True) -> Checker:
    plan = _plan(cls, times)
    # Fields whose value must be looked into even when its type is right (lists, times to parse).
    deep = tuple((name, checker) for name, _, exact, checker in plan if exact is None)
    # Records of one kind are written by the same code: the same keys with the same value types again
    # and again. A shape seen to fit is remembered, so most records cost one tuple and one set lookup.
    fitting: set[tuple[tuple[str, ...], tuple[type, ...]]] = set()

    def check(doc: Any) -> str | None:
        if not isinstance(doc, dict):
            return f"is {_kind(doc)}, expected an object"
        shape = (tuple(doc), tuple(map(type, doc.values())))
        if shape in fitting:
            for name, checker in deep:
                if name in doc:
                    why = checker(doc[name])
                    if why is not None:
                        return f"field {name!r} {why}"
            return None
        for name, required, exact, checker in plan:
            if name not in doc:
                if required:
                    return f"field {name!r} is missing"
                continue
            value = doc[name]
            if exact is not None and type(value) in exact:
                continue
            why = checker(value)
            if why is not None:
                return f"field {name!r} {why}"
        if len(fitting) < 1024:
            fitting.add(shape)
        return None

    return check


def _checker(hint: Any) -> Checker:
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        options = get_args(hint)
        if _is_time(options):
            return _iso_time
        checkers = [_checker(o) for o in options]
        return lambda v: (
            None if any(c(v) is None for c in checkers) else f"is {_kind(v)}, expected {_name(hint)}"
        )
    if origin is Literal:
        return _simple(str, "text")
    if origin is list:
        (item,) = get_args(hint) or (Any,)
        each = _checker(item)
        item_types = _exact_types(item)

        def check_list(v: Any) -> str | None:
            if not isinstance(v, list):
                return f"is {_kind(v)}, expected a list"
            for i, x in enumerate(v):
                if item_types is not None and type(x) in item_types:
                    continue
                why = each(x)
                if why is not None:
                    return f"item {i} {why}"
            return None

        return check_list
    if origin is dict or hint is dict:
        return _simple(dict, "an object")
    if hint is Any:
        return lambda v: None
    if hint is type(None):
        return lambda v: None if v is None else f"is {_kind(v)}, expected null"
    if hint is bool:
        return _simple(bool, "true or false")
    if hint is int:
        return lambda v: (
            None
            if isinstance(v, int) and not isinstance(v, bool)
            else f"is {_kind(v)}, expected a whole number"
        )
    if hint is float:
        return lambda v: (
            None
            if isinstance(v, int | float) and not isinstance(v, bool)
            else f"is {_kind(v)}, expected a number"
        )
    if hint is str:
        return _simple(str, "text")
    if dataclasses.is_dataclass(hint):
        return _dataclass_checker(hint)
    raise TypeError(f"no record check for type {hint!r}")  # a new kind of field: teach this module


def _simple(kind: type, name: str) -> Checker:
    return lambda v: None if isinstance(v, kind) else f"is {_kind(v)}, expected {name}"


def _iso_time(value: Any) -> str | None:
    from datetime import date, datetime  # loaded already: the record's class has times

    if not isinstance(value, str):
        return f"is {_kind(value)}, expected an ISO date or date-time"
    try:
        parsed: date = date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
    except ValueError:
        return f"{value[:40]!r} is not an ISO date or date-time"
    if isinstance(parsed, datetime) and parsed.tzinfo is None:
        return f"{value[:40]!r} has no UTC offset"
    return None


def _kind(value: Any) -> str:
    return {
        bool: "true/false",
        int: "a number",
        float: "a number",
        str: "text",
        list: "a list",
        dict: "an object",
        type(None): "null",
    }.get(type(value), type(value).__name__)


def _name(hint: Any) -> str:
    args = [a for a in get_args(hint) if a is not type(None)]
    base = " or ".join(_name(a) if get_args(a) else getattr(a, "__name__", str(a)) for a in args)
    names = {
        "str": "text",
        "int": "a whole number",
        "bool": "true or false",
        "list": "a list",
        "dict": "an object",
    }
    base = " or ".join(names.get(part.strip(), part.strip()) for part in base.split(" or "))
    return f"{base} or null" if type(None) in get_args(hint) else base
