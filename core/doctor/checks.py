"""Building checks: the catalogue fills in titles and sections; fixes get the user's login filled in."""

from __future__ import annotations

from studiosync.core.doctor.catalogue import BY_NAME
from studiosync.core.doctor.report import Check, Status
from studiosync.core.explain import fill_login


def make(name: str, status: Status, detail: str, fix: str = "", *, login: str | None = None) -> Check:
    info = BY_NAME[name]
    fix, detail = fill_login(fix, login), fill_login(detail, login)
    return Check(name, status, _one_line(detail), _one_line(fix), info.section, info.title)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def ago(seconds: float | None) -> str:
    """'3 min ago' style, for details."""
    if seconds is None:
        return "never"
    s = int(max(0, seconds))
    if s < 90:
        return f"{s} s ago"
    if s < 90 * 60:
        return f"{round(s / 60)} min ago"
    if s < 36 * 3600:
        return f"{round(s / 3600)} h ago"
    return f"{round(s / 86400)} days ago"
