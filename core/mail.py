"""Sending email (run reports, failure alerts) over SMTP with smtplib.

We drive the SMTP conversation ourselves (MAIL, RCPT, DATA) instead of ``sendmail``/``send_message``
because those return only the refused-recipients dict: the reply to DATA, e.g.
``250 2.0.0 Ok: queued as 4F3A1``, is what proves the server took the message, and we return it
so the console and the run records can show it.

Every failure becomes a one-line :class:`OperationError` naming the cause, with a ``fix``; the
password never appears in any message (it is also scrubbed from server replies, just in case).
"""

from __future__ import annotations

import logging
import re
import smtplib
import socket
import ssl
from dataclasses import dataclass
from email.header import Header
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Literal

from studiosync.core import clock
from studiosync.core.errors import InputError, OperationError
from studiosync.core.text import escape_line, escape_text, first_unsafe

__all__ = ["SECURITY_CHOICES", "EmailSettings", "send_email", "validate_email_address"]

SECURITY_CHOICES = ("none", "starttls", "ssl")
_PREFS = "Company Preferences > Email"
_log = logging.getLogger("studiosync.mail")

# Deliberately ASCII-only: an internationalised address needs SMTPUTF8 end to end, which many
# small-business relays lack; refusing it up front beats a bounce later.
_LOCAL_RE = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+")
_LABEL_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")


@dataclass
class EmailSettings:
    """How to reach the SMTP server: host, port, TLS mode, login and sender address (the password travels
    apart, never kept here)."""

    host: str
    port: int
    security: Literal["none", "starttls", "ssl"]
    username: str | None
    from_addr: str
    timeout: float = 15.0


def validate_email_address(text: str) -> str:
    """Return the stripped address, or raise InputError. Simple, strict enough for real mail:
    one @, a non-empty local part, a dotted domain, no spaces, at most 254 characters."""
    address = text.strip() if isinstance(text, str) else ""
    if not address:
        raise InputError("the email address is empty")
    if first_unsafe(text):  # a newline or CR in an address is a header injection waiting to happen
        raise InputError(
            f"'{escape_line(address)}' is not a valid email address (it holds a control character)"
        )
    local, at, domain = address.rpartition("@")
    labels = domain.split(".")
    valid = (
        len(address) <= 254
        and at
        and "@" not in local
        and 0 < len(local) <= 64
        and _LOCAL_RE.fullmatch(local)
        and not local.startswith(".")
        and not local.endswith(".")
        and ".." not in local
        and len(labels) >= 2
        and all(_LABEL_RE.fullmatch(label) for label in labels)
        and not labels[-1].isdigit()  # "1.2.3.4" is an IP, not a mail domain
    )
    if not valid:
        raise InputError(f"'{escape_line(address)}' is not a valid email address")
    return address


def send_email(
    settings: EmailSettings,
    password: str | None,
    to: list[str] | str,
    subject: str,
    body: str,
    *,
    ssl_context: ssl.SSLContext | None = None,
) -> str:
    """Send a plain-text email and return the server's reply to it, e.g. "250 2.0.0 Ok: queued".

    ``to`` may be a list or one string separated by commas or semicolons. ``ssl_context``
    replaces the default (system CAs, hostname checked), for a relay signed by a private CA and
    for tests.
    If the server refuses any recipient, nothing is sent.
    """
    if settings.security not in SECURITY_CHOICES:
        raise InputError(f"'{settings.security}' is not a security setting: use none, starttls or ssl")
    if not settings.host or not settings.host.strip():
        raise InputError("the mail server host is empty", fix=f"set it in {_PREFS}")
    if not 0 < settings.port < 65536:
        raise InputError(f"port {settings.port} is out of range 1-65535", fix=f"set it in {_PREFS}")
    sender = validate_email_address(settings.from_addr)
    recipients = _recipients(to)
    message = _build(sender, recipients, subject, body)
    context = ssl_context or ssl.create_default_context()

    smtp: smtplib.SMTP | None = None
    try:
        smtp = _connect(settings, context)
        if settings.security == "starttls":
            _starttls(smtp, settings, context)
        if settings.username:
            smtp.login(settings.username, password or "")
        reply = _transfer(smtp, sender, recipients, message)
    except OperationError:
        _close(smtp, polite=True)
        raise
    except (OSError, smtplib.SMTPException) as exc:
        _close(smtp, polite=False)
        raise _translate(exc, settings, password) from exc
    _close(smtp, polite=True)
    _log.info("email sent", extra={"fields": {"to": recipients, "subject": subject, "reply": reply}})
    return reply


def _recipients(to: list[str] | str) -> list[str]:
    # In a typed list, "ann@x.com, " is a trailing separator, not an empty address.
    items = [p for p in re.split(r"[,;]", to) if p.strip()] if isinstance(to, str) else list(to)
    result: list[str] = []
    for item in items:
        address = validate_email_address(item)
        if address.lower() not in (r.lower() for r in result):
            result.append(address)
    if not result:
        raise InputError("there is no recipient")
    return result


def _build(sender: str, recipients: list[str], subject: str, body: str) -> EmailMessage:
    msg = EmailMessage()
    # The product's one clock (core.clock), shown in this computer's zone like a mail client does.
    msg["Date"] = format_datetime(clock.now().astimezone())
    # Domain from our own address: make_msgid's default calls getfqdn(), a DNS lookup that can stall.
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    # Titles and names from Google end up in subjects: no CR/LF (header injection, folding surprises)
    # and no control characters for the mail reader's terminal (core.text). Bodies are plain text with
    # the same escapes, line breaks kept.
    _set_subject(msg, escape_line(" ".join(subject.split())))
    body = escape_text(body)
    # Non-ASCII bodies go quoted-printable, not 8bit: old relays without 8BITMIME mangle 8bit.
    msg.set_content(body, charset="utf-8", cte=None if body.isascii() else "quoted-printable")
    return msg


def _set_subject(msg: EmailMessage, subject: str) -> None:
    """One Subject header, folded to 78 columns; non-ASCII text as RFC 2047 encoded words.

    Non-ASCII is encoded here rather than by the policy's folder: CPython's (before the fix for
    gh-144156) leaves a word's space BETWEEN two encoded words, where RFC 2047 decoders drop it
    ("Łukasiewicz Zoë" arrives as "ŁukasiewiczZoë"). email.header keeps spaces inside the words."""
    if subject.isascii():
        msg["Subject"] = subject
        return
    msg.set_raw("Subject", Header(subject, "utf-8", maxlinelen=76, header_name="Subject").encode())


def _connect(settings: EmailSettings, context: ssl.SSLContext) -> smtplib.SMTP:
    host, port, timeout = settings.host.strip(), settings.port, settings.timeout
    if settings.security == "ssl":
        return smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    return smtplib.SMTP(host, port, timeout=timeout)


def _starttls(smtp: smtplib.SMTP, settings: EmailSettings, context: ssl.SSLContext) -> None:
    smtp.ehlo()
    if not smtp.has_extn("starttls"):
        # Carrying on would send the password and the message in clear text.
        raise OperationError(
            f"the mail server {settings.host.strip()}:{settings.port} does not offer STARTTLS, so nothing was sent",
            fix=f"check the port and security in {_PREFS} (587: starttls, 465: ssl); "
            "choose none only for a trusted local relay",
        )
    smtp.starttls(context=context)
    smtp.ehlo()


def _transfer(smtp: smtplib.SMTP, sender: str, recipients: list[str], message: EmailMessage) -> str:
    smtp.ehlo_or_helo_if_needed()
    code, reply = smtp.mail(sender)
    if code != 250:
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    refused: dict[str, tuple[int, bytes]] = {}
    for address in recipients:
        code, reply = smtp.rcpt(address)
        if code not in (250, 251):
            refused[address] = (code, reply)
    if refused:
        smtp.rset()  # all or nothing: a partial delivery is harder to explain than a refusal
        raise smtplib.SMTPRecipientsRefused(refused)
    data = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
    code, reply = smtp.data(data)  # raises SMTPDataError if DATA itself is refused
    if code != 250:
        raise smtplib.SMTPDataError(code, reply)
    return f"{code} {_text(reply)}"


def _close(smtp: smtplib.SMTP | None, *, polite: bool) -> None:
    if smtp is None:
        return
    try:
        if polite:
            smtp.quit()  # a failed QUIT after an accepted message doesn't un-send it
        else:
            smtp.close()
    except (OSError, smtplib.SMTPException):
        smtp.close()


def _text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(text.split())  # multi-line replies -> one line


def _caused_by_timeout(exc: BaseException | None) -> bool:
    # smtplib turns a read timeout into SMTPServerDisconnected("Connection unexpectedly closed:
    # timed out"), keeping the TimeoutError only as __context__.
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, TimeoutError):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def _translate(exc: BaseException, settings: EmailSettings, password: str | None) -> OperationError:
    host, port = settings.host.strip(), settings.port
    server = f"{host}:{port}"
    check_server = f"check the host and port in {_PREFS} and that this computer is online"
    check_security = f"check that the security setting matches the port in {_PREFS} (587: starttls, 465: ssl)"

    def answer(code: int, reply: bytes | str) -> str:
        text = _text(reply)
        if password:
            text = text.replace(password, "***")
        return f"{code} {text}".strip()

    match exc:
        case socket.gaierror():
            return OperationError(
                f"cannot find the mail server '{host}' (name lookup failed)", fix=check_server
            )
        case ConnectionRefusedError():
            return OperationError(f"the mail server {server} refused the connection", fix=check_server)
        case TimeoutError() | smtplib.SMTPServerDisconnected() if _caused_by_timeout(exc):
            return OperationError(
                f"the mail server {server} did not answer within {settings.timeout:g} s",
                fix=f"check the host, port and security in {_PREFS} (587: starttls, 465: ssl) "
                "and that this computer is online",
            )
        case ssl.SSLCertVerificationError():
            return OperationError(
                f"the mail server {server} has a TLS certificate this computer can't verify "
                f"({exc.verify_message})",
                fix="use the server's exact host name (the certificate must match it), "
                "or trust its certificate on this computer",
            )
        case ssl.SSLError():
            return OperationError(
                f"TLS with the mail server {server} failed ({exc.reason or exc})", fix=check_security
            )
        case smtplib.SMTPAuthenticationError():
            return OperationError(
                f"the mail server rejected the username or password ({answer(exc.smtp_code, exc.smtp_error)})",
                fix=f"check the username and password in {_PREFS}",
            )
        case smtplib.SMTPNotSupportedError() if settings.username:
            return OperationError(
                f"the mail server {server} does not offer login on this connection",
                fix=f"choose starttls or ssl in {_PREFS} (most servers only allow login over TLS), "
                "or leave the username empty",
            )
        case smtplib.SMTPSenderRefused():
            return OperationError(
                f"the mail server refused the sender {exc.sender} ({answer(exc.smtp_code, exc.smtp_error)})",
                fix=f"check the From address in {_PREFS} (many servers require it to match the username)",
            )
        case smtplib.SMTPRecipientsRefused():
            address, (code, reply) = next(iter(exc.recipients.items()))
            others = len(exc.recipients) - 1
            more = f" and {others} other{'s' if others > 1 else ''}" if others else ""
            return OperationError(
                f"the mail server refused the recipient {address}{more} ({answer(code, reply)}); nothing was sent",
                fix="check the address",
            )
        case smtplib.SMTPDataError():
            return OperationError(
                f"the mail server rejected the message ({answer(exc.smtp_code, exc.smtp_error)})",
                fix="the server's answer says why; check the From address and the server's limits",
            )
        case smtplib.SMTPServerDisconnected():
            return OperationError(
                f"the mail server {server} closed the connection unexpectedly", fix=check_security
            )
        case smtplib.SMTPResponseException():
            return OperationError(
                f"the mail server {server} answered {answer(exc.smtp_code, exc.smtp_error)}", fix=check_server
            )
        case smtplib.SMTPException():
            text = " ".join(str(exc).split())
            if password:
                text = text.replace(password, "***")
            return OperationError(f"sending email through {server} failed: {text}", fix=check_server)
        case OSError():
            reason = exc.strerror or " ".join(str(exc).split()) or type(exc).__name__
            return OperationError(f"cannot reach the mail server {server}: {reason}", fix=check_server)
    return OperationError(f"sending email through {server} failed: {type(exc).__name__}", fix=check_server)
