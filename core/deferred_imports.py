"""Start-up: standard modules that other standard modules import but a plain command never uses,
loaded on first use instead of at start.

`dataclasses` imports `inspect` (which imports `ast`, `dis`, `tokenize`, `linecache`: about 5 ms, a
quarter of `python -c "import tinydb"`) only to write a docstring for a dataclass that has none; and
`pathlib` imports `urllib.parse`, which imports `ipaddress` only to check a bracketed host. IT scripts run
`studiosync users list` thousands of times, so the `studiosync` entry point calls `defer_stdlib()` before
anything else: each module named in DEFERRED gets a placeholder in `sys.modules`, and the first attribute
read on it imports the real module (the technique of Mercurial's demandimport, for two modules only).

Every dataclass in the product has a docstring (tests/test_deferred_imports.py checks it), so none of
them asks for `inspect` at import. This module must never import anything but the interpreter's own
builtin modules, and never defer a module whose import has side effects beyond defining names.
"""

from __future__ import annotations

import sys
from _thread import RLock  # `threading` itself costs start-up

DEFERRED: tuple[str, ...] = ("inspect", "ipaddress")

# Reentrant: loading one deferred module may read another (in the same thread).
_loading = RLock()


class DeferredModule(type(sys)):  # type: ignore[misc]  # types.ModuleType, without importing types
    """A placeholder in `sys.modules` that imports its real module on the first attribute read.

    Only attributes it lacks reach `__getattr__`: `__name__` and `__spec__` (None, so the import system
    treats it as a loaded module and `import inspect` elsewhere costs nothing) are its own. The first read
    copies the real module's names in, its `__spec__` among them: code that imported the placeholder keeps
    working at full speed, `sys.modules` then holds the real module, and a later read of a missing name
    does not copy them again."""

    def __getattr__(self, name: str) -> object:
        with _loading:
            if self.__spec__ is None:  # still a placeholder: the first read
                if sys.modules.get(self.__name__) is self:
                    del sys.modules[self.__name__]
                self.__dict__.update(__import__(self.__name__).__dict__)
        return getattr(__import__(self.__name__), name)


def defer_stdlib(names: tuple[str, ...] = DEFERRED) -> None:
    """Put a placeholder for each of `names` not imported yet (nothing to gain once one is)."""
    for name in names:
        if name not in sys.modules:
            sys.modules[name] = DeferredModule(name)
