"""The demo studio headless: its mailbox takes the warning and detailed-log emails a sync run sends, and
the test email, so a newcomer sees email work offline too."""

from __future__ import annotations

import email
import email.policy
import smtplib
from email.message import EmailMessage
from pathlib import Path

import pytest
from studiosync.core.demo import STUDIO_EMAIL, build_demo
from studiosync.core.demo_mailbox import DemoMailbox
from studiosync.core.jobs.service import Jobs
from studiosync.core.studio.notify import send_test_email


def test_demo_sync_run_delivers_its_emails_to_the_demo_mailbox(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    demo = build_demo(tmp_path / "demo")
    try:
        assert demo.mailbox is not None
        record = Jobs(demo.studio).run("google-sync")
        assert record.status == "error"  # Ben's grant was revoked on purpose
        sent = [email.message_from_bytes(p.read_bytes()) for p in demo.mailbox.messages()]
        by_recipient = {m["To"]: m for m in sent}
        assert set(by_recipient) == {demo.accounts["ann"], demo.accounts["ben"]}
        assert all(m["From"] == STUDIO_EMAIL for m in sent)
        assert "could not send" not in caplog.text
        assert "Google Sync Processor finished" in caplog.text  # the log was captured at all

        answer = send_test_email(demo.studio, "it@studio-demo.test")
        assert "queued as DEMO" in answer
        assert any(
            email.message_from_bytes(p.read_bytes())["To"] == "it@studio-demo.test"
            for p in demo.mailbox.messages()
        )
    finally:
        demo.close()


def test_mailbox_keeps_messages_intact_through_dot_stuffing(tmp_path: Path) -> None:
    with DemoMailbox(tmp_path / "box") as box:
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = "a@example.org", "b@example.org", "dots"
        msg.set_content(".starts with a dot\n..two dots\n.\nend\n")
        with smtplib.SMTP("127.0.0.1", box.port, timeout=5) as smtp:
            refused = smtp.send_message(msg)
            code, _ = smtp.noop()
        assert refused == {} and code == 250
        (kept,) = box.messages()
        message = email.message_from_bytes(kept.read_bytes(), policy=email.policy.default)
        body = message.get_content()  # type: ignore[attr-defined]
        assert body.replace("\r\n", "\n") == ".starts with a dot\n..two dots\n.\nend\n"
        with smtplib.SMTP("127.0.0.1", box.port, timeout=5) as smtp:
            code, _ = smtp.docmd("DATA")
            assert code == 503  # no recipients yet: refused, as a real server would
