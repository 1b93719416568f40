"""SMTP down: mails wait in the outbox and go when the mail server is back.

tests/test_outbox.py proves the outbox's rules with a fake send function. Here the real
SMTP path (smtplib) talks to a real mail server on the loopback, started and stopped by
the test: first nothing listens (connection refused), then the server answers "try later"
(451), then it accepts. The worker (`flask jobfair send-mail`) keeps the message until
it is accepted, then sends it exactly once.
"""
import threading
import warnings
from datetime import timedelta
from email import message_from_bytes, policy

import pytest

from jobfair.auth import services
from jobfair.extensions import db
from jobfair.models import OutboxMessage, utcnow

from .conftest import free_port

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import asyncore  # noqa: E402 - deprecated, still in Python 3.11's standard library
    import smtpd

pytestmark = pytest.mark.resilience


class MailServer(smtpd.SMTPServer):
    """A mail server on the loopback that keeps what it accepts (or refuses with ``answer``)."""

    def __init__(self, port, answer=None):
        super().__init__(("127.0.0.1", port), None, decode_data=False)
        self.answer = answer
        self.received = []

    def process_message(self, peer, mailfrom, rcpttos, data, **kwargs):
        if self.answer:
            return self.answer
        self.received.append((rcpttos, message_from_bytes(data, policy=policy.default)))
        return None


class Running:
    """Serve ``MailServer`` in a thread until the block ends."""

    def __init__(self, port, answer=None):
        self.server = MailServer(port, answer)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self):
        while not self.stop.is_set():
            asyncore.loop(timeout=0.05, count=1)

    def __enter__(self):
        self.thread.start()
        return self.server

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(5)
        asyncore.close_all()


def send_mail(runner):
    result = runner.invoke(args=["jobfair", "send-mail"])
    assert result.exit_code == 0, result.output
    return result.output


def make_due(message_id):
    """The retry delay has passed (the worker runs every minute in production)."""
    message = db.session.get(OutboxMessage, message_id)
    message.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()


def test_mail_waits_while_smtp_is_down_and_goes_once_when_it_is_back(app, make, runner,
                                                                     monkeypatch):
    port = free_port()
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    services.create_invitation("nouvelle@example.ma", "staff", invited_by=make.user())
    db.session.commit()
    message_id = db.session.query(OutboxMessage.id).scalar()

    # Nothing listens: the message stays, with the reason, for a later attempt.
    assert send_mail(runner).startswith("0 sent, 1 to retry (backend: smtp)")
    message = db.session.get(OutboxMessage, message_id)
    assert (message.status, message.attempts) == ("pending", 1)
    assert "ConnectionRefused" in message.last_error
    assert message.next_attempt_at > utcnow()

    # The server is back but busy ("451 try later"): still kept.
    make_due(message_id)
    with Running(port, answer="451 Requested action aborted: try again later") as busy:
        assert send_mail(runner).startswith("0 sent, 1 to retry")
    assert busy.received == []
    message = db.session.get(OutboxMessage, message_id)
    assert (message.status, message.attempts) == ("pending", 2)
    assert "451" in message.last_error

    # The server accepts: the message goes, once.
    make_due(message_id)
    with Running(port) as inbox:
        assert send_mail(runner).startswith("1 sent, 0 to retry")
        make_due(message_id)  # even if it were "due" again, a sent message is never resent
        assert send_mail(runner).startswith("0 sent, 0 to retry")
    [(recipients, email)] = inbox.received
    assert recipients == ["nouvelle@example.ma"]
    assert "invitation" in email["Subject"].lower()
    assert "http://localhost/invitation/" in email.get_body().get_content()
    message = db.session.get(OutboxMessage, message_id)
    assert (message.status, message.attempts, message.last_error) == ("sent", 3, None)
