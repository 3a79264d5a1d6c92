"""studiosync doctor [LOGIN] | status | prefs escalation -- the troubleshooting checklist, sync health,
and the "Email sync failures to admins" company setting."""

from __future__ import annotations

import argparse

from studiosync.core.cli.common import CliContext, add_command, add_json_flag, print_json, print_table
from studiosync.core.errors import InputError

_DEFAULT_ADDRESS = "\0default"  # --send-test without ADDR: LOGIN's warning address, else the From address


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(sub, "doctor", "check the Google sync setup (the troubleshooting checklist)", _doctor)
    p.add_argument(
        "login", nargs="?", help="check this user in depth (default: studio-wide checks + a line per user)"
    )
    p.add_argument(
        "--send-test",
        nargs="?",
        const=_DEFAULT_ADDRESS,
        metavar="ADDR",
        help="also send a test email: to ADDR, else to LOGIN's warning address, else to the company's From address",
    )
    p.add_argument(
        "--timeout", type=_timeout, default=5.0, metavar="SECONDS", help="per network probe (default 5)"
    )
    add_json_flag(p)
    p = add_command(sub, "status", "sync health of every user, failing users first", _status)
    add_json_flag(p)


def register_escalation(prefs: argparse._SubParsersAction) -> None:
    """`prefs escalation`: prefs_cmd hangs it under `prefs`; it lives here, beside admin escalation's doctor
    check and status."""
    p = add_command(prefs, "escalation", "Email sync failures to admins (company setting)", _escalation)
    g = p.add_mutually_exclusive_group()
    g.add_argument("--enable", dest="enabled", action="store_true", default=None)
    g.add_argument("--disable", dest="enabled", action="store_false")
    p.add_argument(
        "--after", type=int, metavar="N", help="email after N failed runs in a row (1-100, default 3)"
    )
    add_json_flag(p)


def _timeout(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"timeout {text!r} is not a number") from None
    if not 0.1 <= value <= 120:
        raise argparse.ArgumentTypeError("timeout must be 0.1-120 seconds")
    return value


# -- doctor -------------------------------------------------------------------------------------------
def _doctor(ctx: CliContext, args: argparse.Namespace) -> int:
    from studiosync.core.doctor import run_doctor
    from studiosync.core.mail import validate_email_address

    studio = ctx.studio
    login, send_test = args.login, args.send_test
    if send_test not in (None, _DEFAULT_ADDRESS) and "@" not in send_test and login is None:
        # `doctor --send-test ann`: argparse hands "ann" to --send-test; a user's login is the LOGIN.
        if studio.users.find(send_test) is None:
            raise InputError(
                f"--send-test {send_test!r} is neither an email address nor a user's login",
                fix="studiosync doctor [LOGIN] --send-test [ADDR] (see studiosync users list)",
            )
        login, send_test = send_test, _DEFAULT_ADDRESS
    if send_test == _DEFAULT_ADDRESS:
        send_test = _default_test_address(studio, login)
    elif send_test is not None:
        send_test = validate_email_address(send_test)
    report = run_doctor(studio, login, send_test=send_test, timeout=args.timeout)
    if args.json:
        print_json(report.to_json())
    else:
        _print_report(report)
    return 1 if report.failed else 0


def _default_test_address(studio, login: str | None) -> str | None:  # noqa: ANN001 - Studio
    """LOGIN's warning address when it has a valid one, else the company's From address. None when email is
    not set up at all: the company_email check then fails and says so."""
    from studiosync.core.errors import StudioSyncError
    from studiosync.core.mail import validate_email_address

    if login and studio.users.find(login) is not None:
        warn = studio.users.google_prefs(login).warn_email
        if warn:
            try:
                return validate_email_address(warn)
            except StudioSyncError:
                pass  # the warn_email check reports the bad address; the test still goes somewhere
    return studio.prefs.get().email.from_addr or None


_MARK = {"pass": "PASS", "warn": "WARN", "fail": "FAIL"}


def _print_report(report) -> None:  # noqa: ANN001 - DoctorReport, imported lazily
    title = f"user {report.login}" if report.login else "studio-wide"
    print(f"studiosync doctor ({title})")
    width = max((len(c.title) for c in report.checks), default=0)
    for c in report.checks:
        print(f"  {_MARK[c.status]}  {c.title.ljust(width)}  {c.detail}")
        if c.fix and c.status != "pass":
            print(f"        {''.ljust(width)}  fix: {c.fix}")
    if report.verdicts:
        print("users:")
        lw = max(len(v.login) for v in report.verdicts)
        for v in report.verdicts:
            print(f"  {v.status.upper():8}  {v.login.ljust(lw)}  {v.line}")
            if v.fix and v.status in ("fail", "warn"):
                print(f"  {'':8}  {''.ljust(lw)}  fix: {v.fix}")
    counts = report.counts()
    bad_users = sum(1 for v in report.verdicts if v.failed)
    users = f", {bad_users} user(s) failing" if bad_users else ""
    hint = "; details of one user: studiosync doctor LOGIN" if report.login is None else ""
    print(f"{counts['pass']} passed, {counts['warn']} warning(s), {counts['fail']} failed{users}{hint}")


# -- status -------------------------------------------------------------------------------------------
def _status(ctx: CliContext, args: argparse.Namespace) -> int:
    """Each user's first cause (core.diagnosis, as the dashboard and the doctor name it) and when they were
    last emailed about it (core.alerts); --json adds the whole diagnosis and the alert fields."""
    from studiosync.core.doctor.checks import ago
    from studiosync.core.health.users import seconds_since, sync_health
    from studiosync.core.studio.timeparse import now_utc

    health = sync_health(ctx.studio)
    if args.json:
        print_json({"users": [h.to_json() for h in health]})
        return 0
    rows = []
    now = now_utc()
    for h in health:
        cause = "" if h.cause == "ok" else h.cause_message or ""
        if h.status == "failing" and h.consecutive_failures:
            cause = f"{h.consecutive_failures}x {cause}"
        emailed = (
            f"{ago(seconds_since(h.last_emailed, now))}: {h.last_emailed_why}" if h.last_emailed else "-"
        )
        rows.append(
            [
                h.login,
                h.status_text,
                h.account_email or "",
                ago(h.lag_s) if h.last_sync else ("-" if h.status in ("resource", "not_set_up") else "never"),
                ago(h.push_age_s) if h.last_push else "-",
                ago(h.pull_age_s) if h.last_pull else "-",
                str(h.pending) if h.enabled else "-",
                h.last_run_summary,
                _cut(cause, 70),
                _cut(emailed, 50),
            ]
        )
    print_table(
        rows,
        ["USER", "STATUS", "ACCOUNT", "LAST SYNC", "PUSHED", "PULLED", "PENDING", "LAST RUN", "CAUSE", "EMAILED"],
    )
    return 0


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


# -- prefs escalation ---------------------------------------------------------------------------------
def _escalation(ctx: CliContext, args: argparse.Namespace) -> int:
    from studiosync.core.escalation import admin_recipients

    studio = ctx.studio
    if args.enabled is None and args.after is None:
        prefs = studio.prefs.get()
    else:
        current = studio.prefs.get().escalate_to_admins
        prefs = studio.prefs.set_escalation(current if args.enabled is None else args.enabled, args.after)
    recipients = admin_recipients(studio)
    if args.json:
        print_json(
            {"enabled": prefs.escalate_to_admins, "after": prefs.escalate_after, "recipients": recipients}
        )
        return 0
    state = "on" if prefs.escalate_to_admins else "off"
    print(f"email sync failures to admins: {state}, after {prefs.escalate_after} failed run(s) in a row")
    print(f"admin addresses: {', '.join(recipients) or '(none: set an admin Google tab warning address)'}")
    return 0
