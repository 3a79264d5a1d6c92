"""Studio email: one message sent with the company's SMTP settings (`deliver`), and the SMTP test email
(`studiosync prefs email --test`, the console's Send test, the doctor's email check).

The emails a sync run sends its user (warnings and errors, the detailed log) are composed in
core.sync.emails; admin escalation emails in core.escalation; both send through `deliver` here.

Must never know about sync runs or their results (this module sits below the sync), and never let the
SMTP password reach a log line: it is registered as a secret before anything is sent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from studiosync.core import logs
from studiosync.core.errors import InputError

if TYPE_CHECKING:
    from studiosync.core.studio.studio import Studio


def send_test_email(studio: Studio, addr: str) -> str:
    """`studiosync prefs email --test ADDR`: send a short email; returns the SMTP server's answer.

    Raises (InputError / OperationError with a fix) when email is not set up or the server refuses.
    """
    from studiosync.core.mail import validate_email_address

    addr = validate_email_address(addr)
    subject = "studiosync test email"
    body = (
        "This is a test email from studiosync.\n\n"
        "If you can read it, the email settings in Company Preferences work: Google sync warnings, errors\n"
        "and detailed logs will reach the users who asked for them.\n"
    )
    return deliver(studio, addr, subject, body)


def deliver(studio: Studio, to: str, subject: str, body: str) -> str:
    """Send one email with the company's SMTP settings; returns the server's answer to the message."""
    from studiosync.core.mail import EmailSettings, send_email

    prefs = studio.prefs.get().email
    if not prefs.configured:
        raise InputError(
            "email is not set up (Company Preferences > Email), so nothing was sent",
            fix="studiosync prefs email --host HOST --port PORT --security starttls|ssl|none --from ADDR",
        )
    password = studio.prefs.smtp_password()
    logs.register_secret(password)  # whatever goes wrong below, the password never reaches the log
    settings = EmailSettings(
        host=prefs.host,
        port=prefs.port,
        security=prefs.security,
        username=prefs.username,
        from_addr=prefs.from_addr,
    )
    return send_email(settings, password, [to], subject, body)
