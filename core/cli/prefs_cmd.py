"""studiosync prefs email|timezone|google|alerts|deletions|name|web|show"""

from __future__ import annotations

import argparse

from studiosync.core.cli.common import (
    CliContext,
    add_command,
    add_group,
    add_json_flag,
    item_count,
    minutes,
    percent,
    port_number,
    print_json,
    read_secret_stdin,
    reminder_hours,
)
from studiosync.core.errors import InputError
from studiosync.core.model import to_doc


def register(sub: argparse._SubParsersAction) -> None:
    prefs = add_group(sub, "prefs", "company (studio) preferences")
    p = add_command(prefs, "email", "SMTP settings for warning and log emails", _email)
    p.add_argument("--host")
    p.add_argument("--port", type=port_number)
    p.add_argument("--security", choices=["none", "starttls", "ssl"])
    p.add_argument("--username")
    p.add_argument("--password-stdin", action="store_true")
    p.add_argument("--from", dest="from_addr", metavar="ADDR")
    p.add_argument(
        "--allow-plaintext",
        action="store_true",
        help="allow --security none to send the password in clear to a host that is not this computer",
    )
    p.add_argument("--test", metavar="ADDR", help="send a test email and print the server's answer")
    p = add_command(prefs, "timezone", "the studio time zone (IANA name)", _timezone)
    p.add_argument("zone")
    p = add_command(prefs, "google", "Google API settings", _google)
    p.add_argument("--client-secrets", metavar="FILE", help="the OAuth client file (Desktop app)")
    p.add_argument(
        "--api-endpoint",
        metavar="URL",
        help="API root URL such as http://127.0.0.1:PORT/ (default: real Google)",
    )
    g = p.add_mutually_exclusive_group()
    g.add_argument(
        "--published",
        dest="published",
        action="store_true",
        default=None,
        help='the OAuth app is published ("In production") on Google\'s consent screen',
    )
    g.add_argument(
        "--testing",
        dest="published",
        action="store_false",
        help='the OAuth app is still in "Testing" (every authorization expires after 7 days)',
    )
    p.add_argument(
        "--per-user-per-minute",
        type=_count,
        metavar="N",
        help="Calendar requests per minute per user the sync may send (Google's default quota: 600)",
    )
    p.add_argument(
        "--per-project-per-minute",
        type=_count,
        metavar="N",
        help="Calendar requests per minute for the whole Google Cloud project (Google's default: 10000)",
    )
    p = add_command(
        prefs, "alerts", "warning emails: sent when a problem starts, changes or ends; reminders", _alerts
    )
    p.add_argument(
        "--remind-hours",
        type=reminder_hours,
        metavar="N",
        help="while a problem lasts, remind every N hours (default 24; 0: no reminders)",
    )
    add_json_flag(p)
    p = add_command(
        prefs, "deletions", "the mass-deletion guard: how many deletions in one run need a person", _deletions
    )
    p.add_argument(
        "--max-count",
        type=item_count,
        metavar="N",
        help="hold a run's deletions on one side when they are more than N items (default 10) ...",
    )
    p.add_argument(
        "--max-percent",
        type=percent,
        metavar="P",
        help="... and more than P%% of the user's linked items (default 25; 100 turns the guard off)",
    )
    add_json_flag(p)
    p = add_command(prefs, "name", "the studio's name (the browser console's page title)", _name)
    p.add_argument("name")
    p = add_command(prefs, "web", "the browser console (studiosync web): public address, idle timeout", _web)
    g = p.add_mutually_exclusive_group()
    g.add_argument(
        "--public-url",
        metavar="URL",
        help="the address people open (the TLS reverse proxy's), e.g. https://studio.example.com",
    )
    g.add_argument("--no-public-url", action="store_true", help="forget the public address")
    p.add_argument(
        "--idle-timeout",
        metavar="MINUTES",
        type=minutes,
        help="log a browser session out after this many minutes without input (default 30)",
    )
    p = add_command(prefs, "show", "show company preferences", _show)
    add_json_flag(p)
    from studiosync.core.cli.doctor_cmd import register_escalation

    register_escalation(prefs)


def _name(ctx: CliContext, args: argparse.Namespace) -> int:
    prefs = ctx.studio.prefs.set_name(args.name)
    print(f"studio name set to {prefs.name}")
    return 0


def _web(ctx: CliContext, args: argparse.Namespace) -> int:
    if args.public_url is None and not args.no_public_url and args.idle_timeout is None:
        raise InputError("prefs web needs --public-url URL, --no-public-url or --idle-timeout MINUTES")
    web = ctx.studio.prefs.set_web(
        public_url=args.public_url, clear_public_url=args.no_public_url, idle_minutes=args.idle_timeout
    )
    print(
        f"web console: public URL {web.public_url or '(none: http://HOST:PORT as started)'}, "
        f"idle timeout {web.idle_minutes} min"
    )
    return 0


def _count(text: str) -> int:
    try:
        return int(text.replace(",", "").replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None


def _deletions(ctx: CliContext, args: argparse.Namespace) -> int:
    prefs = ctx.studio.prefs
    if args.max_count is None and args.max_percent is None:
        company = prefs.get()  # no change asked: show the setting
    else:
        company = prefs.set_deletion_limits(args.max_count, args.max_percent)
    if args.json:
        print_json({"max_count": company.deletion_max_count, "max_percent": company.deletion_max_percent})
    else:
        print(_deletion_rule(company.deletion_max_count, company.deletion_max_percent))
    return 0


def _deletion_rule(count: int, percent: int) -> str:
    if percent >= 100:
        return "mass-deletion guard: off (--max-percent 100); every deletion goes through"
    return (
        f"mass-deletion guard: a run deleting more than {count} of a user's linked items on one side and "
        f"more than {percent}% of them deletes none until someone decides (studiosync sync LOGIN "
        "--allow-deletions | --restore-deleted)"
    )


def _alerts(ctx: CliContext, args: argparse.Namespace) -> int:
    from studiosync.core.alerts.machine import LOG_EVERY

    prefs = ctx.studio.prefs
    company = prefs.get() if args.remind_hours is None else prefs.set_alert_reminder(args.remind_hours)
    log_minutes = int(LOG_EVERY.total_seconds() // 60)
    if args.json:
        print_json({"remind_hours": company.alert_remind_hours, "detailed_log_every_minutes": log_minutes})
    else:
        print(_alert_rule(company.alert_remind_hours))
    return 0


def _alert_rule(hours: int) -> str:
    remind = f"a reminder every {hours} h while it lasts" if hours else "no reminders"
    return (
        f"warning emails: one when a problem starts, changes or ends, {remind}; "
        "detailed logs at most once an hour per user"
    )


def _email(ctx: CliContext, args: argparse.Namespace) -> int:
    from studiosync.core.mail import validate_email_address

    studio = ctx.studio
    setting = any(v is not None for v in (args.host, args.port, args.security, args.username, args.from_addr))
    setting = setting or args.allow_plaintext
    # Every input is checked before anything is saved: exit 2 must leave the settings as they were.
    test_to = validate_email_address(args.test) if args.test is not None else None
    if setting or args.password_stdin:
        if not args.host or not args.port or not args.from_addr:
            raise InputError("prefs email needs --host, --port and --from")
        password = read_secret_stdin("password") if args.password_stdin else None
        if password is not None and not args.username:
            raise InputError("--password-stdin needs --username")
        email = studio.prefs.set_email(
            host=args.host,
            port=args.port,
            security=args.security or "starttls",
            username=args.username,
            password=password,
            from_addr=args.from_addr,
            allow_plaintext=args.allow_plaintext,
        )
        print(f"email settings saved ({email.host}:{email.port}, {email.security})")
    if test_to is not None:
        from studiosync.core.studio.notify import send_test_email

        answer = send_test_email(studio, test_to)
        print(f"test email sent to {test_to}: {answer}")
    if not setting and not args.password_stdin and test_to is None:
        raise InputError("prefs email needs --host, --port and --from (or --test ADDR)")
    return 0


def _timezone(ctx: CliContext, args: argparse.Namespace) -> int:
    ctx.studio.prefs.set_timezone(args.zone)
    print(f"studio time zone set to {args.zone}")
    return 0


def _google(ctx: CliContext, args: argparse.Namespace) -> int:
    prefs = ctx.studio.prefs
    budget = args.per_user_per_minute is not None or args.per_project_per_minute is not None
    if budget:  # every input checked before anything is saved
        prefs.check_request_budget(per_user=args.per_user_per_minute, per_project=args.per_project_per_minute)
    if args.client_secrets is None:
        if args.api_endpoint is not None:
            raise InputError("--api-endpoint needs --client-secrets FILE")
        if args.published is None and not budget:
            raise InputError(
                "prefs google needs --client-secrets FILE, --published or --testing (or a request budget: "
                "--per-user-per-minute N, --per-project-per-minute N)"
            )
        if args.published is not None:  # first: it is refused before the Google API settings exist
            google = prefs.set_app_published(args.published)
            print(f"Google OAuth app of client {google.client_id} marked {_publishing(google.app_published)}")
        if budget:
            _budget(prefs, args)
        return 0
    google = prefs.set_google(
        client_secrets=args.client_secrets, api_endpoint=args.api_endpoint, published=args.published
    )
    print(
        f"Google API settings saved (client {google.client_id}, {google.client_type} app, "
        f"{_publishing(google.app_published)})"
    )
    if budget:
        _budget(prefs, args)
    return 0


def _budget(prefs, args: argparse.Namespace) -> None:  # noqa: ANN001 - core.studio.prefs.Prefs
    google = prefs.set_request_budget(
        per_user=args.per_user_per_minute, per_project=args.per_project_per_minute
    )
    print(
        f"Calendar request budget saved: {google.per_user_per_minute:,}/min per user, "
        f"{google.per_project_per_minute:,}/min for the project"
    )


def _publishing(published: bool) -> str:
    return "published" if published else "in Testing"


def _show(ctx: CliContext, args: argparse.Namespace) -> int:
    prefs = ctx.studio.prefs.get()
    doc = to_doc(prefs)
    if args.json:
        print_json(doc)
    else:
        print(f"studio name      {prefs.name}")
        print(f"time zone        {prefs.timezone}")
        e = prefs.email
        print(f"email            {e.host or '(not set)'}:{e.port} {e.security} from {e.from_addr or '-'}")
        g = prefs.google
        print(f"google client    {g.client_id or '(not set)'} ({g.client_type or '-'})")
        print(f"google API root  {g.api_endpoint or 'https://www.googleapis.com/ (Google)'}")
        print(f"deletions        {_deletion_rule(prefs.deletion_max_count, prefs.deletion_max_percent)}")
        if g.client_id:
            status = (
                "published (In production)"
                if g.app_published
                else "Testing: authorizations expire after 7 days (if published: prefs google --published)"
            )
            print(f"google app       {status}")
        print(
            f"google budget    {g.per_user_per_minute:,} Calendar requests/min per user, "
            f"{g.per_project_per_minute:,}/min for the project"
        )
        print(f"alerts           {_alert_rule(prefs.alert_remind_hours)}")
        w = prefs.web
        print(f"web console      {w.public_url or '(no public URL)'}; idle timeout {w.idle_minutes} min")
    return 0
