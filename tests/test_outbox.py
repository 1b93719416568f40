"""The mail outbox: stored with the change, retried on failure, never sent twice."""
from datetime import timedelta

from jobfair import mail
from jobfair.auth import services
from jobfair.extensions import db
from jobfair.models import OutboxMessage, utcnow


def _queue_invitation(make):
    services.create_invitation("new@example.ma", "staff", invited_by=make.user())


def test_a_message_is_stored_in_the_same_transaction_as_its_change(make):
    _queue_invitation(make)
    db.session.rollback()
    assert db.session.query(OutboxMessage).count() == 0
    _queue_invitation(make)
    db.session.commit()
    message = db.session.query(OutboxMessage).one()
    assert message.status == "pending" and message.recipient == "new@example.ma"
    # French by default, with a working link.
    assert "invitation" in message.subject.lower()
    assert "http://localhost/invitation/" in message.body_text


def test_send_mail_delivers_pending_messages_once(app, make, runner):
    _queue_invitation(make)
    db.session.commit()
    result = runner.invoke(args=["jobfair", "send-mail"])
    assert "1 sent" in result.output
    assert len(app.extensions["sent_mail"]) == 1
    assert runner.invoke(args=["jobfair", "send-mail"]).output.startswith("0 sent")
    assert len(app.extensions["sent_mail"]) == 1
    message = db.session.query(OutboxMessage).one()
    assert message.status == "sent" and message.sent_at is not None and message.attempts == 1


def test_a_failed_send_is_kept_and_retried_later(app, make):
    _queue_invitation(make)
    db.session.commit()

    def smtp_down(_message):
        raise ConnectionRefusedError("SMTP server unreachable")

    assert mail.send_pending(send=smtp_down) == (0, 1)
    message = db.session.query(OutboxMessage).one()
    assert message.status == "pending" and message.attempts == 1
    assert "unreachable" in message.last_error
    assert message.next_attempt_at > utcnow()
    # Not due yet: nothing happens.
    assert mail.send_pending() == (0, 0)
    message.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert mail.send_pending() == (1, 0)
    assert db.session.get(OutboxMessage, message.id).status == "sent"
    assert len(app.extensions["sent_mail"]) == 1


def test_a_message_that_keeps_failing_is_marked_failed(app, make):
    _queue_invitation(make)
    db.session.commit()
    message = db.session.query(OutboxMessage).one()

    def broken(_message):
        raise OSError("boom")

    for _ in range(app.config["MAIL_MAX_ATTEMPTS"]):
        message.next_attempt_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        mail.send_pending(send=broken)
    assert db.session.get(OutboxMessage, message.id).status == "failed"


def test_a_message_claimed_by_another_worker_is_not_sent_again(app, make):
    _queue_invitation(make)
    db.session.commit()
    message = db.session.query(OutboxMessage).one()
    message.status = "sending"  # another worker holds it, as a claim leaves it
    message.next_attempt_at = utcnow() + mail.SENDING_LEASE
    db.session.commit()
    assert mail.send_pending() == (0, 0)
    assert "sent_mail" not in app.extensions


def test_a_message_left_sending_by_a_dead_worker_goes_once_its_lease_is_over(app, make):
    _queue_invitation(make)
    db.session.commit()
    message = db.session.query(OutboxMessage).one()
    message.status, message.attempts = "sending", 1  # claimed, then the worker was killed
    message.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert mail.send_pending() == (1, 0)
    assert len(app.extensions["sent_mail"]) == 1
    message = db.session.query(OutboxMessage).one()
    assert message.status == "sent" and message.attempts == 2
    assert mail.send_pending() == (0, 0)


def test_retry_delays_grow_and_are_capped():
    assert mail.retry_delay(1) == timedelta(minutes=1)
    assert mail.retry_delay(3) == timedelta(minutes=4)
    assert mail.retry_delay(20) == timedelta(hours=6)


def test_an_attachment_travels_with_the_message(app, make):
    from jobfair.models import OutboxMessage as Message

    user = make.user()
    mail.queue(user.email, "password_reset", user=user, link="http://localhost/x",
               attachment=("entretien.ics", "text/calendar", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"))
    db.session.commit()
    assert mail.send_pending() == (1, 0)
    sent = app.extensions["sent_mail"][0]
    parts = [part for part in sent.iter_attachments()]
    assert [p.get_filename() for p in parts] == ["entretien.ics"]
    assert parts[0].get_content_type() == "text/calendar"
    assert "BEGIN:VCALENDAR" in parts[0].get_content()
    assert db.session.query(Message).one().attachment_name == "entretien.ics"
