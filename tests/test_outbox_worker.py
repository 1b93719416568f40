"""Booking emails are rendered by the mail worker from their outbox row, not in the request.

The change stores what to send (kind + payload); ``flask jobfair send-mail`` renders subject,
body and .ics in the candidate's language, from the values of the moment of the change.
"""
from datetime import time, timedelta
from types import SimpleNamespace

import pytest
from babel.dates import format_time
from icalendar import Calendar
from sqlalchemy import select

from jobfair import mail
from jobfair.booking import services
from jobfair.extensions import db
from jobfair.i18n import babel_locale
from jobfair.models import Booking, OutboxMessage, utcnow
from jobfair.privacy.services import erase_account
from jobfair.schedule import services as schedule

from .mailbox import delivered


@pytest.fixture
def world(make):
    cohort = make.cohort()
    fair = make.open_fair(cohorts=[cohort], max_bookings_per_candidate=3)
    atlas = make.participation(fair, make.company("Atlas Digital"))
    table = make.table(atlas, name="Salma")
    person = make.bookable_candidate(cohort, email="youssef@example.ma")
    person.first_name = "Youssef"
    db.session.commit()
    return SimpleNamespace(fair=fair, atlas=atlas, table=table, user=person,
                           candidate=person.candidate)


def at(hour, locale="en", minute=0):
    return format_time(time(hour, minute), "short", locale=babel_locale(locale))


def rows():
    db.session.expire_all()
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def events(message):
    return Calendar.from_ical(message.attachment_text).walk("VEVENT")


def test_the_booking_request_stores_what_to_send_and_the_worker_renders_it(app, auth, make,
                                                                          world):
    slot = make.slot_at(world.table, 10)
    auth.login_as(world.user)
    page = f"/me/fairs/{world.fair.id}/companies/{world.atlas.company_id}"
    assert auth.post(f"/me/fairs/{world.fair.id}/slots/{slot.id}/book",
                     page=page).status_code == 303
    booking = db.session.scalars(select(Booking)).one()
    [stored] = rows()
    # Nothing was rendered in the request: no subject, no body, no .ics yet.
    assert (stored.subject, stored.body_text, stored.attachment_text) == (None, None, None)
    assert stored.kind == "booking_confirmed" and stored.status == "pending"
    assert stored.payload["booking"] == booking.id
    assert stored.payload["starts_at"] == slot.starts_at.isoformat()

    assert mail.send_pending() == (1, 0)
    [message] = rows()
    assert message.status == "sent"
    assert message.subject.startswith("Interview booked with Atlas Digital on ")
    assert at(10) in message.subject
    assert message.body_text.startswith("Hello Youssef,")
    assert "Interviewer: Salma" in message.body_text
    assert f"http://localhost/me/fairs/{world.fair.id}/schedule" in message.body_text
    [event] = events(message)
    assert str(event["UID"]).startswith(f"booking-{booking.id}@")
    assert event.decoded("DTSTART").replace(tzinfo=None) == slot.starts_at
    # What was sent is what the row now holds (the organizer's and the audit's view).
    [sent] = app.extensions["sent_mail"]
    assert sent["Subject"] == message.subject
    assert [p.get_content() for p in sent.iter_attachments()] == [message.attachment_text]


@pytest.mark.parametrize("locale, subject, hello, summary", [
    ("fr", "Entretien réservé avec Atlas Digital le ", "Bonjour Youssef,",
     "Entretien avec Atlas Digital"),
    ("en", "Interview booked with Atlas Digital on ", "Hello Youssef,",
     "Interview with Atlas Digital"),
    ("ar", "مقابلة محجوزة مع Atlas Digital يوم ", "مرحبًا Youssef،", "مقابلة مع Atlas Digital"),
])
def test_the_worker_writes_in_the_candidates_language(make, world, locale, subject, hello,
                                                      summary):
    world.user.locale = locale
    slot = make.slot_at(world.table, 10)
    services.book(world.candidate, slot)
    db.session.commit()
    [message] = delivered()
    assert message.subject.startswith(subject) and at(10, locale) in message.subject
    assert message.body_text.startswith(hello)
    assert str(events(message)[0]["SUMMARY"]) == summary


def test_a_moved_email_gives_the_times_of_its_move_even_after_another_change(make, world):
    ten, eleven, noon = (make.slot_at(world.table, hour) for hour in (10, 11, 12))
    first = services.book(world.candidate, ten)
    db.session.commit()
    second = services.move(first, eleven)
    db.session.commit()
    third = services.move(second, noon)  # moved again before the worker ran
    db.session.commit()
    assert all(message.body_text is None for message in rows())

    confirmed, moved_once, moved_twice = delivered()
    assert at(10) in confirmed.subject
    assert "Before: " in moved_once.body_text
    assert f"from {at(10)} to {at(10, minute=20)}." in moved_once.body_text.split("Now:")[0]
    assert "Now: " in moved_once.body_text
    assert f"from {at(11)} to {at(11, minute=20)}." in moved_once.body_text.split("Now:")[1]
    assert f"from {at(11)} to {at(11, minute=20)}." in moved_twice.body_text.split("Now:")[0]
    assert f"from {at(12)} to {at(12, minute=20)}." in moved_twice.body_text.split("Now:")[1]
    old, new = events(moved_once)
    assert str(old["UID"]).startswith(f"booking-{first.id}@") and str(old["STATUS"]) == "CANCELLED"
    assert old.decoded("DTSTART").replace(tzinfo=None) == ten.starts_at
    assert str(new["UID"]).startswith(f"booking-{second.id}@") and str(new["STATUS"]) == "CONFIRMED"
    assert new.decoded("DTSTART").replace(tzinfo=None) == eleven.starts_at
    assert str(events(moved_twice)[1]["UID"]).startswith(f"booking-{third.id}@")


def test_a_booking_deleted_with_its_slot_before_the_worker_is_still_told(make, world,
                                                                         company_rep):
    slot = make.slot_at(world.table, 10)
    booking = services.book(world.candidate, slot)
    db.session.commit()
    booking_id, starts_at = booking.id, slot.starts_at
    schedule.delete_slot(slot, "Room unavailable.", company_rep)
    db.session.commit()
    assert db.session.get(Booking, booking_id) is None

    confirmed, cancelled = delivered()
    assert [confirmed.status, cancelled.status] == ["sent", "sent"]
    assert at(10) in confirmed.subject
    assert "Room unavailable." in cancelled.body_text and at(10) in cancelled.body_text
    calendar = Calendar.from_ical(cancelled.attachment_text)
    assert calendar["METHOD"] == "CANCEL"
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == str(events(confirmed)[0]["UID"])
    assert event.decoded("DTSTART").replace(tzinfo=None) == starts_at


def test_an_erased_candidates_pending_email_is_not_sent(app, make, world):
    services.book(world.candidate, make.slot_at(world.table, 10))
    db.session.commit()
    erase_account(world.user, make.user())
    db.session.commit()
    assert mail.send_pending() == (0, 0)
    assert "sent_mail" not in app.extensions


def test_a_message_whose_subject_is_gone_is_skipped_with_its_reason_not_retried(app, world):
    now = utcnow().replace(microsecond=0)
    mail.queue_later(world.user.email, "booking_confirmed", user=world.user.id,
                     participation=world.atlas.id + 1000, booking=1, table="Salma",
                     starts_at=now.isoformat(), ends_at=(now + timedelta(minutes=20)).isoformat())
    db.session.commit()
    assert mail.send_pending() == (0, 0)
    [message] = rows()
    assert message.status == "skipped" and "participation" in message.last_error
    assert message.body_text is None
    assert mail.send_pending() == (0, 0)
    assert rows()[0].attempts == 1 and "sent_mail" not in app.extensions


def test_a_retry_sends_the_text_rendered_the_first_time(app, make, world):
    services.book(world.candidate, make.slot_at(world.table, 10))
    db.session.commit()

    def smtp_down(_message):
        raise ConnectionRefusedError("SMTP server unreachable")

    assert mail.send_pending(send=smtp_down) == (0, 1)
    [first] = rows()
    assert first.status == "pending" and first.body_text is not None
    rendered = (first.subject, first.body_text, first.attachment_text)
    # Renamed before the retry: the retry still sends what was rendered (and stored).
    world.atlas.company.name, world.table.name = "Atlas Group", "Karim"
    first.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert mail.send_pending() == (1, 0)
    [message] = rows()
    assert (message.subject, message.body_text, message.attachment_text) == rendered
    [sent] = app.extensions["sent_mail"]
    assert sent["Subject"] == rendered[0] and "Atlas Digital" in sent["Subject"]
    assert sent.get_body().get_content().replace("\r\n", "\n") == rendered[1]
    assert [p.get_content() for p in sent.iter_attachments()] == [rendered[2]]


def test_a_round_result_is_written_by_the_worker_in_the_candidates_language(world):
    world.user.locale = "ar"
    mail.queue_later(world.user.email, "round_result", user=world.user.id, fair=world.fair.id,
                     given=1, asked=2)
    db.session.commit()
    [message] = delivered()
    assert message.subject == f"مقابلاتك في {world.fair.name}"
    assert message.body_text.startswith("مرحبًا Youssef،")
    assert f"http://localhost/me/fairs/{world.fair.id}/companies" in message.body_text
    assert message.attachment_text is None


def test_a_message_the_worker_cannot_render_is_retried_later_like_a_failed_send(app, world):
    mail.queue_later(world.user.email, "booking_confirmed", user=world.user.id)  # no times
    db.session.commit()
    assert mail.send_pending() == (0, 1)
    [message] = rows()
    assert message.status == "pending" and message.attempts == 1
    assert message.last_error.startswith("KeyError") and message.next_attempt_at > utcnow()
    assert mail.send_pending() == (0, 0)  # not due again yet: no loop
    assert "sent_mail" not in app.extensions
