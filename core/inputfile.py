"""Reading a small file a person points us at (the OAuth client file), without ever hanging.

`--client-secrets /dev/zero` must not read forever and a FIFO must not block: the path is stat'ed first
and only a regular file under the limit is opened; the open is non-blocking (a FIFO swapped in between
cannot block it) and checked again on the open descriptor; at most limit + 1 bytes are read. Text must
be strict UTF-8 (a Latin-1 file is refused, not guessed). Every refusal is a one-line InputError.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from studiosync.core.errors import InputError
from studiosync.core.text import escape_line

SMALL_FILE_MAX = 1024 * 1024


def read_small_file(path: str | os.PathLike[str], what: str, *, limit: int = SMALL_FILE_MAX) -> bytes:
    """The bytes of a regular file of at most `limit` bytes, or a one-line InputError.

    Never hangs and never reads forever: a FIFO, a device (/dev/zero), a directory or a socket is refused
    from its stat before it is opened; the open is non-blocking (a FIFO swapped in meanwhile cannot block
    it) and checked again on the open file; at most limit + 1 bytes are read.
    """
    p = Path(path).expanduser()
    try:
        st = os.stat(p)
    except FileNotFoundError:
        raise InputError(f"{what} not found: {p}") from None
    except OSError as exc:
        raise InputError(f"cannot read {what} {p}: {exc.strerror or exc}") from None
    except ValueError:  # a NUL in the path: no file can have that name
        raise InputError(f"{what} {escape_line(str(p))!r} is not a valid file name") from None
    _regular_and_small(st, p, what, limit)
    try:
        fd = os.open(
            p, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
        )
    except OSError as exc:
        raise InputError(f"cannot read {what} {p}: {exc.strerror or exc}") from None
    try:
        _regular_and_small(os.fstat(fd), p, what, limit)
        chunks: list[bytes] = []
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 65536))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as exc:
        raise InputError(f"cannot read {what} {p}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:
        raise InputError(f"{what} {p} is larger than {limit // 1024} KiB")
    return data


def _regular_and_small(st: os.stat_result, p: Path, what: str, limit: int) -> None:
    if not stat.S_ISREG(st.st_mode):
        kind = (
            "a directory"
            if stat.S_ISDIR(st.st_mode)
            else "a FIFO (named pipe)"
            if stat.S_ISFIFO(st.st_mode)
            else "a device"
            if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)
            else "a socket"
            if stat.S_ISSOCK(st.st_mode)
            else "not a regular file"
        )
        raise InputError(f"{what} {p} is {kind}, not a regular file")
    if st.st_size > limit:
        raise InputError(f"{what} {p} is larger than {limit // 1024} KiB")


def read_text_file(path: str | os.PathLike[str], what: str, *, limit: int = SMALL_FILE_MAX) -> str:
    """A small regular file as strict UTF-8 text (a Latin-1 file is refused, not guessed)."""
    data = read_small_file(path, what, limit=limit)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{what} {Path(path).expanduser()} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset "
            f"{exc.start})",
            fix="save it again as UTF-8, or download it again",
        ) from None
    return text.removeprefix("\ufeff")
