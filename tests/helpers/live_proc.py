"""A subprocess we talk to while it runs: lines read on threads, a deadline on every wait, always killed."""

from __future__ import annotations

import os
import queue
import subprocess
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import IO


class LiveProcess:
    """Popen with stdin kept open as a pipe and stdout/stderr collected line by line in the background."""

    def __init__(self, argv: Sequence[str], *, env: dict[str, str] | None = None) -> None:
        self.proc = subprocess.Popen(
            list(argv),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
            env=env,
        )
        self.out_lines: list[str] = []
        self.err_lines: list[str] = []
        self._out_queue: queue.Queue[str | None] = queue.Queue()
        self._threads = [
            threading.Thread(
                target=self._pump, args=(self.proc.stdout, self.out_lines, self._out_queue), daemon=True
            ),
            threading.Thread(target=self._pump, args=(self.proc.stderr, self.err_lines, None), daemon=True),
        ]
        for t in self._threads:
            t.start()

    @staticmethod
    def _pump(stream: IO[str] | None, lines: list[str], q: queue.Queue[str | None] | None) -> None:
        assert stream is not None
        for line in stream:
            lines.append(line.rstrip("\n"))
            if q is not None:
                q.put(line.rstrip("\n"))
        if q is not None:
            q.put(None)

    def wait_for_line(self, prefix: str, timeout: float = 10.0) -> str:
        """The first stdout line starting with `prefix` (AssertionError after `timeout` or at EOF)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(
                    f"no line starting with {prefix!r} within {timeout} s; stderr: {self.err_lines}"
                )
            try:
                line = self._out_queue.get(timeout=left)
            except queue.Empty:
                continue
            if line is None:
                raise AssertionError(f"stdout ended without {prefix!r}; stderr: {self.err_lines}")
            if line.startswith(prefix):
                return line

    def write(self, text: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(text)
        self.proc.stdin.flush()

    def wait(self, timeout: float = 20.0) -> int:
        """Exit code; the output threads are drained too, so out_lines/err_lines are complete."""
        code = self.proc.wait(timeout=timeout)
        for t in self._threads:
            t.join(timeout=5)
        return code

    @property
    def stdout(self) -> str:
        return "\n".join(self.out_lines)

    @property
    def stderr(self) -> str:
        return "\n".join(self.err_lines)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=5)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None:
                with suppress(OSError):
                    stream.close()


@contextmanager
def live_process(argv: Sequence[str], *, env: dict[str, str] | None = None) -> Iterator[LiveProcess]:
    """Run `argv`; whatever happens in the block, the process is killed and its pipes closed after it."""
    proc = LiveProcess(argv, env=env if env is not None else dict(os.environ))
    try:
        yield proc
    finally:
        proc.kill()
