"""core.mail against a real local SMTP server (aiosmtpd), not mocks."""

from __future__ import annotations

from dataclasses import replace

import pytest
from studiosync.core.errors import InputError, OperationError
from studiosync.core.mail import EmailSettings, send_email, validate_email_address

from tests.smtp_server import LocalSMTPServer, free_port, silent_server, smtp_server  # noqa: F401

PASSWORD = "s3cret-Pa55"
PREFS = "Company Preferences > Email"


def settings_for(server: LocalSMTPServer | None = None, **changes: object) -> EmailSettings:
    base = EmailSettings(
        host=server.host if server else "127.0.0.1",
        port=server.port if server else free_port(),
        security="none",
        username=None,
        from_addr="studio@example.com",
        timeout=5.0,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def fails(settings: EmailSettings, password: str | None = PASSWORD, **kw: object) -> OperationError:
    with pytest.raises(OperationError) as info:
        send_email(settings, password, "ann@example.com", "Subject", "Body", **kw)  # type: ignore[arg-type]
    err = info.value
    # One line, with a fix, and never the password.
    assert "\n" not in str(err) and err.fix
    assert PASSWORD not in str(err) and PASSWORD not in err.fix
    return err


# --- sending ----------------------------------------------------------------------------------


def test_plain_send_returns_the_servers_answer(smtp_server: LocalSMTPServer) -> None:  # noqa: F811
    body = "Bonjour Zoë,\nyour session is confirmed.\n.a line starting with a dot\n" + "long " * 40
    reply = send_email(settings_for(smtp_server), None, ["ann@example.com"], "Séance confirmée", body)
    assert reply == "250 2.0.0 Message accepted for delivery"
    (got,) = smtp_server.messages
    assert got.mail_from == "studio@example.com"
    assert got.rcpt_tos == ["ann@example.com"]
    msg = got.message
    assert msg["From"] == "studio@example.com"
    assert msg["To"] == "ann@example.com"
    assert msg["Subject"] == "Séance confirmée"
    assert msg["Date"] and msg["Message-ID"].endswith("@example.com>")
    assert msg.get_content_type() == "text/plain"
    assert msg.get_content_charset() == "utf-8"
    assert msg["Content-Transfer-Encoding"] == "quoted-printable"  # not 8bit
    assert msg.get_content().replace("\r\n", "\n") == body + "\n"
    assert got.raw.isascii()
    assert not got.tls


def test_custom_server_answer_and_several_recipients() -> None:
    with LocalSMTPServer(reply="250 2.0.0 Ok: queued as 4F3A1C") as server:
        reply = send_email(
            settings_for(server), None, " ann@example.com, bob@example.org ;ANN@example.com", "Hi", "Body"
        )
        assert reply == "250 2.0.0 Ok: queued as 4F3A1C"
        (got,) = server.messages
        assert got.rcpt_tos == ["ann@example.com", "bob@example.org"]
        assert got.message["To"] == "ann@example.com, bob@example.org"


def test_subject_cannot_inject_headers(smtp_server: LocalSMTPServer) -> None:  # noqa: F811
    send_email(settings_for(smtp_server), None, "ann@example.com", "Hi\r\nBcc: evil@example.com", "x")
    msg = smtp_server.messages[0].message
    assert msg["Subject"] == "Hi Bcc: evil@example.com"
    assert msg["Bcc"] is None
    assert smtp_server.messages[0].rcpt_tos == ["ann@example.com"]


def test_a_long_hostile_non_ascii_subject_is_one_folded_encoded_header(
    smtp_server: LocalSMTPServer,  # noqa: F811
) -> None:
    from datetime import UTC, datetime
    from email import policy
    from email.parser import BytesParser
    from email.utils import parsedate_to_datetime

    from studiosync.core import clock

    clock.install(clock.fixed_clock(datetime(2026, 12, 1, 10, 0, tzinfo=UTC)))
    name = "Zoë Żółć-Łukasiewicz " * 6
    subject = f"studiosync: {name}\r\nBcc: evil@example.com\u2028X-Evil: 1\x1b[2J\x85 failed"
    send_email(settings_for(smtp_server), None, "ann@example.com", subject, "x")
    (got,) = smtp_server.messages
    assert got.rcpt_tos == ["ann@example.com"]  # nothing reached the envelope
    assert got.raw.isascii()  # encoded words, not raw UTF-8
    head = got.raw.split(b"\r\n\r\n")[0].split(b"\r\n")
    assert max(len(line) for line in head) <= 78  # folded, as RFC 5322 asks
    parsed = BytesParser(policy=policy.default).parsebytes(got.raw)
    assert "Bcc" not in parsed and "X-Evil" not in parsed and len(parsed.get_all("Subject")) == 1
    shown = str(parsed["Subject"])
    assert "\n" not in shown and "\r" not in shown and "\x1b" not in shown and "\u2028" not in shown
    # Every space kept (CPython's folder alone loses the one between two encoded words, gh-144156).
    assert shown == f"studiosync: {name.strip()} Bcc: evil@example.com X-Evil: 1\\x1b[2J failed"
    assert parsedate_to_datetime(parsed["Date"]) == datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # core.clock


# --- authentication ---------------------------------------------------------------------------


def test_login_success() -> None:
    with LocalSMTPServer(auth=("ann", PASSWORD)) as server:
        reply = send_email(settings_for(server, username="ann"), PASSWORD, "bob@example.com", "S", "B")
        assert reply.startswith("250 ")
        assert server.auth_attempts and set(server.auth_attempts) == {"ann"}
        assert len(server.messages) == 1


def test_login_failure_is_535_with_a_fix() -> None:
    with LocalSMTPServer(auth=("ann", "the-right-one")) as server:
        err = fails(settings_for(server, username="ann"))
        assert "rejected the username or password (535" in str(err)
        assert err.fix == f"check the username and password in {PREFS}"
        assert server.messages == []


def test_login_offered_only_after_tls_and_security_none() -> None:
    with LocalSMTPServer(auth=("ann", PASSWORD), starttls=True) as server:
        err = fails(settings_for(server, username="ann"))
        assert "does not offer login on this connection" in str(err)
        assert "starttls or ssl" in err.fix


# --- TLS --------------------------------------------------------------------------------------


def test_starttls_with_login() -> None:
    with LocalSMTPServer(auth=("ann", PASSWORD), starttls=True) as server:
        settings = settings_for(server, security="starttls", username="ann")
        reply = send_email(
            settings, PASSWORD, "bob@example.com", "S", "B", ssl_context=server.client_context()
        )
        assert reply.startswith("250 ")
        assert server.messages[0].tls


def test_starttls_checks_the_certificate_by_default() -> None:
    with LocalSMTPServer(starttls=True) as server:
        err = fails(settings_for(server, security="starttls"))
        assert "TLS certificate this computer can't verify" in str(err)
        assert server.messages == []


def test_starttls_not_offered_is_refused(smtp_server: LocalSMTPServer) -> None:  # noqa: F811
    err = fails(settings_for(smtp_server, security="starttls", username="ann"))
    assert "does not offer STARTTLS, so nothing was sent" in str(err)
    assert "587: starttls, 465: ssl" in err.fix
    assert smtp_server.messages == []


def test_implicit_tls() -> None:
    with LocalSMTPServer(implicit_tls=True, auth=("ann", PASSWORD)) as server:
        settings = settings_for(server, security="ssl", username="ann")
        reply = send_email(
            settings, PASSWORD, "bob@example.com", "S", "B", ssl_context=server.client_context()
        )
        assert reply.startswith("250 ")
        assert server.messages[0].tls


def test_ssl_against_a_plain_port(smtp_server: LocalSMTPServer) -> None:  # noqa: F811
    err = fails(settings_for(smtp_server, security="ssl"))
    assert "TLS with the mail server" in str(err) or "closed the connection" in str(err)
    assert "465: ssl" in err.fix


# --- network failures -------------------------------------------------------------------------


def test_connection_refused() -> None:
    err = fails(settings_for(None))
    assert "refused the connection" in str(err)
    assert err.fix == f"check the host and port in {PREFS} and that this computer is online"


def test_unknown_host() -> None:
    err = fails(settings_for(None, host="no-such-mail-server.invalid", port=25))
    assert "cannot find the mail server 'no-such-mail-server.invalid'" in str(err)
    assert "check the host and port" in err.fix


def test_timeout_when_the_server_never_answers() -> None:
    with silent_server() as port:
        err = fails(settings_for(None, port=port, timeout=0.3))
    assert f"127.0.0.1:{port} did not answer within 0.3 s" in str(err)
    assert "check the host, port and security" in err.fix and "465: ssl" in err.fix


def test_recipient_refused_sends_nothing() -> None:
    with LocalSMTPServer(refuse={"ghost@example.com"}) as server:
        with pytest.raises(OperationError) as info:
            send_email(settings_for(server), None, ["ann@example.com", "ghost@example.com"], "S", "B")
        assert "refused the recipient ghost@example.com (550 5.1.1" in str(info.value)
        assert "nothing was sent" in str(info.value)
        assert info.value.fix == "check the address"
        assert server.messages == []


# --- addresses and settings -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["ann@example.com", "  ann.lee+studio@mail.example.co.uk ", "o'neil@example.ie", "a_b-c@x-y.example"],
)
def test_valid_addresses(text: str) -> None:
    assert validate_email_address(text) == text.strip()


@pytest.mark.parametrize(
    "text",
    [
        "ann",
        "ann@",
        "@example.com",
        "ann@example",
        "ann@@example.com",
        "ann@exa mple.com",
        "an n@example.com",
        "ann@example..com",
        "ann@.example.com",
        "ann@example.com.",
        ".ann@example.com",
        "ann.@example.com",
        "a..nn@example.com",
        "ann@-example.com",
        "ann@1.2.3.4",
        "Ann <ann@example.com>",
        "ann@example.com,bob@example.com",
        "zoë@example.com",
        "ann@exämple.com",
        "a" * 65 + "@example.com",
        "ann@" + "a" * 250 + ".com",
    ],
)
def test_invalid_addresses(text: str) -> None:
    with pytest.raises(InputError, match="is not a valid email address") as info:
        validate_email_address(text)
    assert info.value.exit_code == 2


def test_empty_address() -> None:
    with pytest.raises(InputError, match="the email address is empty"):
        validate_email_address("   ")


def test_bad_inputs_fail_before_connecting() -> None:
    settings = settings_for(None)  # nothing listens: reaching the network would be a different error
    with pytest.raises(InputError, match="'bob@' is not a valid email address"):
        send_email(settings, None, ["ann@example.com", "bob@"], "S", "B")
    with pytest.raises(InputError, match="there is no recipient"):
        send_email(settings, None, [], "S", "B")
    with pytest.raises(InputError, match="'studio' is not a valid email address"):
        send_email(replace(settings, from_addr="studio"), None, "ann@example.com", "S", "B")
    with pytest.raises(InputError, match="'tls' is not a security setting"):
        send_email(replace(settings, security="tls"), None, "ann@example.com", "S", "B")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="port 0 is out of range"):
        send_email(replace(settings, port=0), None, "ann@example.com", "S", "B")
