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
    treats it as a loaded module and `import inspect` elsewhere costs nothing) are its own. After the
    first read it holds a copy of the real module's names, so code that imported the placeholder keeps
    working at full speed; `sys.modules` then holds the real module."""

    def __getattr__(self, name: str) -> object:
        with _loading:
            if sys.modules.get(self.__name__) is self:
                del sys.modules[self.__name__]
            real = __import__(self.__name__)
            self.__dict__.update(real.__dict__)
        return getattr(real, name)


def defer_stdlib(names: tuple[str, ...] = DEFERRED) -> None:
    """Put a placeholder for each of `names` not imported yet (nothing to gain once one is)."""
    for name in names:
        if name not in sys.modules:
            sys.modules[name] = DeferredModule(name)
