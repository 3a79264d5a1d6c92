"""Run functions in forked child processes that start at the same moment (for concurrency tests)."""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable

ChildFn = Callable[[Callable[[str], None]], None]


def run_forked(functions: list[ChildFn], timeout: float = 120.0) -> list[list[str]]:
    """Fork one child per function, release them together, return the lines each one emitted.

    Each function gets `emit(line)`; a child that raises makes this raise with its traceback. Children
    never return into the test runner (they leave with os._exit).
    """
    import select
    import time

    children: list[tuple[int, int, int]] = []  # pid, read end of its output, write end of its go pipe
    for fn in functions:
        out_r, out_w = os.pipe()
        go_r, go_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - child
            code = 0
            try:
                os.close(out_r)
                os.close(go_w)
                os.read(go_r, 1)

                def emit(line: str, _fd: int = out_w) -> None:
                    os.write(_fd, (line + "\n").encode())

                fn(emit)
            except BaseException:  # noqa: BLE001
                os.write(out_w, ("!! " + traceback.format_exc().replace("\n", " | ") + "\n").encode())
                code = 1
            finally:
                os._exit(code)
        os.close(out_w)
        os.close(go_r)
        children.append((pid, out_r, go_w))
    for _, _, go_w in children:  # start them together
        os.write(go_w, b"g")
        os.close(go_w)
    buffers = {fd: b"" for _, fd, _ in children}
    open_fds = set(buffers)
    deadline = time.monotonic() + timeout
    while open_fds:
        left = deadline - time.monotonic()
        if left <= 0:
            for pid, _, _ in children:
                os.kill(pid, 9)
            raise TimeoutError("child processes did not finish in time")
        ready, _, _ = select.select(list(open_fds), [], [], left)
        for fd in ready:
            chunk = os.read(fd, 65536)
            if chunk:
                buffers[fd] += chunk
            else:
                open_fds.discard(fd)
                os.close(fd)
    results = []
    for pid, fd, _ in children:
        _, status = os.waitpid(pid, 0)
        lines = buffers[fd].decode().splitlines()
        failures = [line for line in lines if line.startswith("!! ")]
        if failures or os.waitstatus_to_exitcode(status) != 0:
            raise AssertionError(f"child {pid} failed: {failures[0] if failures else status}")
        results.append(lines)
    return results
