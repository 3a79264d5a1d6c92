"""The emails a user's sync sends them: the warning emails of core.alerts and the detailed sync log.

Seed checklist: "Email Warnings and Errors to Me" (GooglePrefs.warn_email) and "Email Detailed Sync Logs
to Me" (GooglePrefs.detailed_logs), sent with the company's SMTP settings (core.studio.notify.deliver).

- `compose_alert`: the warning email of a state change (a problem starts, its cause changes, a reminder
  while it lasts, resolved). Which one, and when, core.alerts decides; core.sync.alerting sends it.
- `compose_log`: one run's detailed log, with the runs since the last log email summarized.

Emails are concise and carry no secrets and never a traceback: causes and fixes come from the error
classifier, which already scrubs tokens, the detailed log is the run's own (redacted) log lines, and any
traceback text is cut (it belongs to the debug log). Subjects are built from our own words, the user's
name (one line, cut short) and a cause id; core.mail escapes any control or bidi character left in a
subject or body (core.text). Composing never sends.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from studiosync.core import logs
from studiosync.core.explain import fill_login

if TYPE_CHECKING:
    from studiosync.core.model.users import GooglePrefs
    from studiosync.core.studio.studio import Studio
    from studiosync.core.sync.runs import UserRunResult

WARNING_LIMIT = 10
_TRACEBACK = re.compile(r"Traceback \(most recent call last\)|^\s*File \"[^\"]*\", line \d+")
TRACEBACK_CUT = "(details in the studiosync log)"


def compose_alert(
    studio: Studio,
    prefs: GooglePrefs,
    result: UserRunResult,
    kind: str,
    problem: dict[str, Any] | None,
    told_before: dict[str, Any] | None,
    *,
    severity: str = "error",
    remind_hours: int = 0,
) -> tuple[str, str]:
    """Subject and body of the warning email `kind` ("problem" | "changed" | "reminder" | "resolved").
    `problem` is what the run met now (core.alerts' current state), `told_before` what the last email said."""
    name = _name(studio, prefs.login)
    cause = (problem or told_before or {}).get("cause") or "unknown"
    trouble = "finished with warnings" if severity == "warn" else "failed"
    subject = {
        "problem": f"studiosync: Google sync for {name} {trouble} ({cause})",
        "changed": f"studiosync: Google sync for {name}: the problem changed ({cause})",
        "reminder": f"studiosync: reminder: Google sync for {name} still {_still(severity)} ({cause})",
        "resolved": f"studiosync: Google sync for {name} works again",
    }[kind]
    zone = _zone(studio)
    lines = [f"Hello {name},", ""]
    if kind == "resolved":
        before = told_before or {}
        lines += [
            "The Google sync of your studio appointments works again: the last run synced cleanly.",
            "",
            f"Resolved: {before.get('message') or cause}",
            f"(it started {_when(before.get('since'), zone)}; cause: {cause})",
        ]
    else:
        assert problem is not None
        intro = {
            "problem": f"The Google sync of your studio appointments {trouble}.",
            "changed": "The problem with the Google sync of your studio appointments has changed.",
            "reminder": f"Reminder: the Google sync of your studio appointments has {_since_words(severity)} "
            f"since {_when(problem.get('since'), zone)}.",
        }[kind]
        lines += [intro]
        if kind == "changed" and told_before:
            lines += [f"Before: {told_before.get('message')} (cause: {told_before.get('cause')})"]
        lines += ["", f"What happened: {problem.get('message')}"]
        if problem.get("fix"):
            lines += [f"What to do:    {problem.get('fix')}"]
        lines += [f"(cause: {cause})"]
        if result.warnings:
            lines += ["", "Warnings of the last run:"]
            lines += [f"- {w}" for w in result.warnings[:WARNING_LIMIT]]
            if len(result.warnings) > WARNING_LIMIT:
                lines.append(
                    f"- ... and {len(result.warnings) - WARNING_LIMIT} more (see the studiosync log)"
                )
    lines += ["", _counts_line(result), "", _when_you_hear(remind_hours), _footer(prefs, result)]
    return _one_line(subject, 200), clean_body(lines)


def compose_log(
    studio: Studio,
    prefs: GooglePrefs,
    result: UserRunResult,
    details: list[str],
    *,
    earlier: list[str] | None = None,
    not_listed: int = 0,
    quiet: int = 0,
) -> tuple[str, str]:
    """One run's detailed log. `earlier`: one line per run since the last log email (at most one goes per
    hour), `not_listed` more of them beyond those, `quiet` runs that changed nothing."""
    name = _name(studio, prefs.login)
    subject = f"studiosync: Google sync log for {name} ({result.status})"
    lines = [
        f"Google sync of {name} ({prefs.login}) -- run {result.run_id or '?'}",
        f"Started {result.started}, took {result.duration_s:.1f} s, status {result.status}.",
        _counts_line(result),
        "Google requests: " + (", ".join(f"{k} {v}" for k, v in sorted(result.requests.items())) or "none"),
    ]
    if result.error:
        lines += [f"Error: {result.error}", f"Fix:   {fill_login(result.fix or '-', prefs.login)}"]
    lines += _conflict_lines(result)
    runs = len(earlier or []) + not_listed + quiet
    if runs:
        lines += ["", f"{runs} more run{'s' if runs != 1 else ''} since the last log email:"]
        lines += [f"- {line}" for line in earlier or []]
        if not_listed:
            lines.append(f"- ... and {not_listed} more (the studiosync log has them)")
        if quiet:
            lines.append(f"- {quiet} run{'s' if quiet != 1 else ''} that changed nothing and met no problem")
    lines += ["", "Log:"]
    lines += [logs.redact(line) for line in details] or ["(nothing logged)"]
    lines += ["", "Detailed logs are emailed at most once an hour; the runs in between are listed above."]
    lines += [_footer(prefs, result)]
    return _one_line(subject, 200), clean_body(lines)


def run_line(studio: Studio, result: UserRunResult) -> str:
    """A run as the next log email lists it: its start (studio time) and its one-line outcome."""
    return f"{_when(result.started, _zone(studio))}: {_cut_traceback(result.one_line())}"


def clean_body(lines: list[str]) -> str:
    """The body, with any traceback text cut: a person reads causes and fixes, never a stack."""
    return "\n".join(_cut_traceback(line) for line in lines) + "\n"


def _cut_traceback(line: str) -> str:
    found = _TRACEBACK.search(line)
    if found is None:
        return line
    kept = line[: found.start()].rstrip(' "{:,\\n')
    return f"{kept} {TRACEBACK_CUT}".strip()


def _conflict_lines(result: UserRunResult) -> list[str]:
    if not result.conflicts:
        return []
    lines = ["", "Conflicts (a field changed in the studio and on Google; the later change was kept):"]
    for c in result.conflicts[:20]:
        s, g = c.get("studio") or {}, c.get("google") or {}
        lines.append(
            f"- {c.get('appointment_id')} (studio changed {s.get('updated')}, Google {g.get('updated')}):"
        )
        for field, v in (c.get("values") or {}).items():
            lines.append(
                f"    {field}: studio {v.get('studio')!r} / Google {v.get('google')!r}, kept {v.get('winner')}"
            )
    return lines


def _counts_line(result: UserRunResult) -> str:
    c = result.counts
    return (
        f"Sent to Google: {c.get('pushed_created', 0)} new, {c.get('pushed_updated', 0)} changed, "
        f"{c.get('pushed_deleted', 0)} deleted. From Google: {c.get('pulled_created', 0)} new, "
        f"{c.get('pulled_updated', 0)} changed, {c.get('pulled_deleted', 0)} deleted. "
        f"Contacts: {c.get('contacts_created', 0)} new, {c.get('contacts_updated', 0)} changed. "
        f"Field conflicts: {c.get('conflicts', 0)}."
    )


def _when_you_hear(remind_hours: int) -> str:
    remind = f"a reminder every {remind_hours} h while it lasts" if remind_hours else "no reminders"
    return (
        "You get one email when a problem starts or changes, "
        f"{remind}, and one when it is resolved (Company Preferences; CLI: studiosync prefs alerts)."
    )


def _footer(prefs: GooglePrefs, result: UserRunResult) -> str:
    return (
        f"Run {result.run_id or '?'} for user {prefs.login}. You get this email because of the "
        "'Email Warnings and Errors to Me' / 'Email Detailed Sync Logs to Me' options of your Google tab."
    )


def _still(severity: str) -> str:
    return "has warnings" if severity == "warn" else "failing"


def _since_words(severity: str) -> str:
    return "finished with warnings" if severity == "warn" else "been failing"


def _name(studio: Studio, login: str) -> str:
    user = studio.users.find(login)
    return _one_line(user.name if user else login, 60)


def _one_line(text: str, limit: int) -> str:
    """One line of at most `limit` characters; what is left unsafe, core.mail shows escaped (core.text)."""
    plain = " ".join(text.split())
    return plain if len(plain) <= limit else plain[: limit - 1] + "…"


def _zone(studio: Studio) -> Any:
    from studiosync.core.studio.timeparse import zone

    try:
        return zone(studio.prefs.timezone)
    except Exception:  # noqa: BLE001 - an unreadable zone: show UTC rather than no time at all
        return None


def _when(text: Any, tz: Any) -> str:
    """A stored stamp in studio time ("12 Dec 2026 09:30 Europe/Paris"), for people."""
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError:
        return str(text or "?")
    if tz is None or moment.tzinfo is None:
        return moment.strftime("%d %b %Y %H:%M UTC")
    return f"{moment.astimezone(tz).strftime('%d %b %Y %H:%M')} {tz.key}"
