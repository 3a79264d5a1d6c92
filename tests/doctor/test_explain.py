"""The error explainer: Google causes reuse core.google.errors' texts; SMTP and store causes are ours."""

from __future__ import annotations

import errno
import smtplib
import socket
import ssl

import pytest
from google.auth.exceptions import RefreshError
from studiosync.core import explain
from studiosync.core.errors import OperationError, StoreError
from studiosync.core.google import errors as gerrors
from studiosync.core.logs import LogRecordView

from tests.google.helpers import http_error


def test_every_cause_has_message_and_fix_and_google_texts_are_reused() -> None:
    assert set(gerrors.CAUSES) <= set(explain.CAUSES)
    assert len(set(explain.CAUSES)) == len(explain.CAUSES)
    for cause in explain.CAUSES:
        e = explain.explain_cause(cause)
        assert e.cause == cause and e.message.strip() and e.fix.strip()
        assert "\n" not in e.message and "\n" not in e.fix
    for cause in gerrors.CAUSES:
        assert (explain.explain_cause(cause).message, explain.explain_cause(cause).fix) == gerrors.explain(
            cause
        )
    assert explain.explain_cause("no-such-cause").cause == "unknown"


def test_google_exceptions_are_classified_by_core_google() -> None:
    revoked = RefreshError("invalid_grant: Token has been expired or revoked.", {"error": "invalid_grant"})
    e = explain.explain_exception(revoked).for_login("ann")
    assert e.cause == "grant_revoked" and not e.transient
    assert "studiosync google auth ann" in e.fix and "LOGIN" not in e.fix
    gone = http_error(404, "notFound", uri="https://www.googleapis.com/calendar/v3/calendars/x/events?a=1")
    assert explain.explain_exception(gone).cause == "calendar_gone"
    assert explain.explain_exception(gerrors.as_google_error(gone)).cause == "calendar_gone"
    assert explain.explain_exception(socket.gaierror(-2, "Name or service not known")).cause == "network"


@pytest.mark.parametrize(
    ("exc", "cause"),
    [
        (smtplib.SMTPAuthenticationError(535, b"5.7.8 bad credentials"), "smtp_auth"),
        (smtplib.SMTPRecipientsRefused({"x@y.z": (550, b"no such user")}), "smtp_recipient"),
        (smtplib.SMTPSenderRefused(553, b"not yours", "a@b.c"), "smtp_sender"),
        (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), "smtp_connection"),
        (smtplib.SMTPConnectError(421, b"busy"), "smtp_connection"),
        (smtplib.SMTPNotSupportedError("STARTTLS extension not supported by server."), "smtp_tls"),
        (smtplib.SMTPDataError(554, b"spam"), "smtp_rejected"),
        (ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number"), "smtp_tls"),
    ],
)
def test_smtp_exceptions(exc: BaseException, cause: str) -> None:
    e = explain.explain_exception(exc)
    assert e.cause == cause
    assert e.fix == explain.explain_cause(cause).fix


def test_smtp_context_settles_bare_network_errors() -> None:
    refused = ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused")
    assert explain.explain_exception(refused, context="smtp").cause == "smtp_connection"
    assert explain.explain_exception(refused).cause == "network"  # default: Google's vocabulary
    assert "connection refused" in explain.explain_exception(refused, context="smtp").message


def test_wrapped_errors_keep_their_specific_fix() -> None:
    try:
        try:
            raise smtplib.SMTPAuthenticationError(535, b"nope")
        except smtplib.SMTPException as inner:
            raise OperationError("the SMTP server refused the login", fix="use an app password") from inner
    except OperationError as exc:
        e = explain.explain_exception(exc)
    assert e.cause == "smtp_auth" and e.fix == "use an app password"
    tagged = OperationError("boom", fix="do this")
    tagged.cause = "smtp_tls"  # type: ignore[attr-defined]
    assert explain.explain_exception(tagged).cause == "smtp_tls"
    assert explain.explain_exception(OperationError("odd", fix="try X")).fix == "try X"


@pytest.mark.parametrize(
    ("exc", "cause"),
    [
        (
            StoreError("store file /d/store/studio.json is corrupt (Expecting value); it was left untouched"),
            "store_corrupt",
        ),
        (StoreError("cannot read store file /d/x.json: Permission denied"), "store_permissions"),
        (StoreError("cannot open lock file /d/locks/x.lock: Resource busy"), "store_lock"),
        (StoreError("the data in /d was written by a newer studiosync (schema 9)"), "store_newer_version"),
        (StoreError("cannot write store file /d/x.json: No space left on device"), "store_disk_full"),
        (StoreError("something else"), "store_error"),
    ],
)
def test_store_errors(exc: StoreError, cause: str) -> None:
    assert explain.explain_exception(exc).cause == cause


def test_store_error_from_permission_error_cause() -> None:
    try:
        try:
            raise PermissionError(errno.EACCES, "Permission denied")
        except OSError as inner:
            raise StoreError("cannot write store file /d/x.json", fix="chmod it") from inner
    except StoreError as exc:
        e = explain.explain_exception(exc)
    assert e.cause == "store_permissions" and e.fix == "chmod it"


def _record(message: str, **fields: object) -> LogRecordView:
    return LogRecordView(None, "ERROR", "daemon", "google-sync", "r1", "ann", message, dict(fields), "")


def test_explain_log_record() -> None:
    by_field = explain.explain_log_record(_record("sync failed", cause="grant_revoked"))
    assert by_field is not None
    message, fix = by_field
    assert message == gerrors.explain("grant_revoked")[0]
    assert "studiosync google auth ann" in fix  # the line's user fills in LOGIN
    own_fix = explain.explain_log_record(_record("x", cause="smtp_auth", fix="ask IT for the app password"))
    assert own_fix == (explain.explain_cause("smtp_auth").message, "ask IT for the app password")
    by_text = explain.explain_log_record(_record(gerrors.explain("calendar_gone")[0] + " (Not Found)"))
    assert by_text is not None and by_text[1] == gerrors.explain("calendar_gone")[1]
    by_exc = explain.explain_log_record(
        _record("mail failed", exc="smtplib.SMTPAuthenticationError: (535, b'x')")
    )
    assert by_exc is not None and by_exc[1] == explain.explain_cause("smtp_auth").fix
    assert explain.explain_log_record(_record("synced ann: pushed 3")) is None
    assert explain.explain_log_record({"message": "x", "cause": "store_lock"}) is not None


def test_log_line_with_only_a_fix_still_explains() -> None:
    line = _record(
        "could not send the warning email to a@b.c: the mail server refused the connection",
        fix="check the host",
    )
    assert explain.explain_log_record(line) == (line.message, "check the host")
    for cause in ("no_calendar", "not_authenticated", "store"):  # the processor's own cause ids
        found = explain.explain_record(_record("sync failed", cause=cause))
        assert found is not None and "LOGIN" not in found.fix
