"""core.deferred_imports: a deferred standard module behaves as the real one from its first use, and no
dataclass of the product makes `dataclasses` load `inspect` (which would undo the deferral)."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import sys
import textwrap

import studiosync.core
import studiosync.tui
from studiosync.core.deferred_imports import defer_stdlib

from tests.helpers.installed import run_installed

# Runs in a fresh interpreter: this one (pytest) imported inspect long ago.
BEHAVIOUR = textwrap.dedent(
    '''
    import sys
    from studiosync.core.deferred_imports import defer_stdlib
    defer_stdlib()
    import dataclasses
    import inspect as early  # as `import inspect` at the top of dataclasses.py: the placeholder

    def state(name):
        return type(sys.modules[name]).__name__

    @dataclasses.dataclass
    class Documented:
        """Says what it holds."""
        a: int

    assert state("inspect") == "DeferredModule" and "ast" not in sys.modules, "loaded too early"

    @dataclasses.dataclass
    class Bare:
        a: int

    # dataclasses' own docstring needs inspect.signature: loaded on demand, as if never deferred.
    assert Bare.__doc__ == "Bare(a: int)", Bare.__doc__
    assert state("inspect") == "module" and "ast" in sys.modules
    from inspect import signature
    import inspect
    assert early.signature is signature is inspect.signature  # the early importers' copy is complete
    assert str(early.signature(lambda x, y=1: None)) == "(x, y=1)"
    assert not hasattr(early, "no_such_name")  # a missing name is missing, once loaded too
    assert early.__spec__ is inspect.__spec__ and early.__spec__ is not None

    import urllib.parse  # imports ipaddress: the placeholder, loaded by the first bracketed host
    assert state("ipaddress") == "DeferredModule"
    assert urllib.parse.urlsplit("http://[::1]:8080/").hostname == "::1"
    try:
        urllib.parse.urlsplit("http://[not-an-address]/")
    except ValueError as exc:
        assert "IPv6" in str(exc) or "not-an-address" in str(exc), exc
    else:
        raise AssertionError("a bad bracketed host was accepted")
    assert state("ipaddress") == "module"
    print("ok")
    '''
)

# Many threads reading a placeholder at once: each gets the real attribute, the module loads once.
THREADS = textwrap.dedent(
    """
    import sys, threading
    from studiosync.core.deferred_imports import defer_stdlib
    defer_stdlib(("ipaddress",))
    placeholder = sys.modules["ipaddress"]
    start = threading.Barrier(8)
    found = []

    def read():
        start.wait()
        found.append(placeholder.ip_address("10.0.0.1").is_private)

    workers = [threading.Thread(target=read) for _ in range(8)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    import ipaddress
    assert found == [True] * 8, found
    assert placeholder.ip_address is ipaddress.ip_address and type(ipaddress).__name__ == "module"
    print("ok")
    """
)


# Loading one deferred module that reads another deferred module while it loads (in the same thread).
NESTED = textwrap.dedent(
    """
    import os, sys, tempfile
    folder = tempfile.mkdtemp()
    with open(os.path.join(folder, "outer_mod.py"), "w") as f:
        f.write("import inner_mod\\nVALUE = inner_mod.VALUE + 1\\n")
    with open(os.path.join(folder, "inner_mod.py"), "w") as f:
        f.write("VALUE = 41\\n")
    sys.path.insert(0, folder)
    from studiosync.core.deferred_imports import defer_stdlib
    defer_stdlib(("outer_mod", "inner_mod"))
    import outer_mod
    assert outer_mod.VALUE == 42, outer_mod.VALUE
    print("ok")
    """
)


def _run(code: str) -> str:
    done = run_installed(code)  # without the editable install's hook, which imports ipaddress first
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip()


def test_a_deferred_module_loads_on_first_use_and_works_as_the_real_one() -> None:
    assert _run(BEHAVIOUR) == "ok"


def test_threads_reading_a_placeholder_at_once_all_get_the_real_module() -> None:
    assert _run(THREADS) == "ok"


def test_a_deferred_module_may_read_another_while_it_loads() -> None:
    assert _run(NESTED) == "ok"


def test_a_module_already_imported_is_left_alone() -> None:
    before = sys.modules["inspect"]
    defer_stdlib(("inspect",))
    assert sys.modules["inspect"] is before


def _product_modules() -> list[str]:
    names = []
    for package in (studiosync.core, studiosync.tui):
        names += [m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]
    return names


def test_every_dataclass_of_the_product_has_its_own_docstring() -> None:
    # Without one, `dataclasses` builds "Name(field: type, ...)" with inspect.signature, loading inspect
    # (and ast, dis, tokenize) at import: about 5 ms of every command that uses the class.
    names = _product_modules()
    assert "studiosync.core.model.users" in names and "studiosync.tui.rows" in names  # the walk sees both
    undocumented = []
    for name in names:
        module = importlib.import_module(name)
        for cls in vars(module).values():
            ours = inspect.isclass(cls) and cls.__module__ == name and dataclasses.is_dataclass(cls)
            if ours and (cls.__doc__ or "").startswith(cls.__name__ + "("):
                undocumented.append(f"{name}.{cls.__name__}")
    assert undocumented == []
