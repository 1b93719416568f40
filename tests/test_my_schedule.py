"""Booking through the pages, my schedule with its .ics files, cancel, move, reminders,
authorization, and the company's live schedule."""
import re
from datetime import time, timedelta
from types import SimpleNamespace

import pytest
from babel.dates import format_time
from icalendar import Calendar
from sqlalchemy import func, select

from jobfair.extensions import db
from jobfair.models import Booking, Slot, utcnow
from jobfair.timeutil import local_today

from .mailbox import delivered

HTMX = {"HX-Request": "true"}


def shown(hour, minute=0, minutes=20):
    start = time(hour, minute)
    end = (hour * 60 + minute + minutes)
    return "–".join(format_time(t, "short", locale="en")
                    for t in (start, time(end // 60, end % 60)))


def fresh(obj):
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


def outbox():
    return delivered()


def live_count():
    return db.session.scalar(select(func.count(Booking.id)).where(Booking.status != "cancelled"))


@pytest.fixture
def world(make, auth):
    cohort = make.cohort()
    fair = make.open_fair(cohorts=[cohort], venue="Technopark", city="Casablanca")
    atlas = make.participation(fair, make.company("Atlas Digital"))
    kasbah = make.participation(fair, make.company("Kasbah Labs"))
    make.booth(fair, "A3", 0, 0, participation=atlas)
    table_a = make.table(atlas, name="Salma")
    table_k = make.table(kasbah, name="Karim")
    person = make.bookable_candidate(cohort, email="youssef@example.ma")
    auth.login_as(person)
    return SimpleNamespace(
        fair=fair, cohort=cohort, atlas=atlas, kasbah=kasbah, table_a=table_a, table_k=table_k,
        person=person, candidate=person.candidate,
        company_page=f"/me/fairs/{fair.id}/companies/{atlas.company_id}",
        schedule=f"/me/fairs/{fair.id}/schedule")


def book_url(world, slot):
    return f"/me/fairs/{world.fair.id}/slots/{slot.id}/book"


# --- Booking through the page -------------------------------------------------------------


def test_book_from_the_company_page(auth, client, make, world):
    slot = make.slot_at(world.table_a, 10)
    response = auth.post(book_url(world, slot), page=world.company_page)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(world.schedule)
    booking = db.session.scalars(select(Booking)).one()
    assert (booking.slot_id, booking.candidate_id, booking.status) == (
        slot.id, world.candidate.id, "active")
    assert fresh(slot).booked_count == 1
    page = client.get(world.schedule)
    assert "Interview booked with Atlas Digital" in page.text
    [mail] = outbox()
    assert mail.recipient == "youssef@example.ma" and mail.attachment_type == "text/calendar"
    assert "Booth A3" in mail.body_text and "Technopark" in mail.body_text


def test_book_with_htmx_answers_the_message_and_the_list_refreshes_itself(
        auth, client, make, world):
    slot = make.slot_at(world.table_a, 10)
    make.slot_at(world.table_a, 11)
    page = client.get(world.company_page).text
    assert 'hx-target="#booking-answer"' in page
    assert 'id="slot-list"' in page and 'hx-trigger="booking-changed from:body"' in page
    response = auth.post(book_url(world, slot), page=world.company_page, headers=HTMX)
    assert response.status_code == 200 and response.headers["HX-Trigger"] == "booking-changed"
    assert "<html" not in response.text and "<table" not in response.text
    assert "Interview booked with Atlas Digital" in response.text
    refreshed = client.get(world.company_page, headers={**HTMX, "HX-Target": "slot-list"}).text
    assert "<html" not in refreshed and refreshed.lstrip().startswith('<div id="slot-list"')
    assert "Move my interview here" in refreshed  # the other slot now offers a move


def test_a_slot_just_taken_is_answered_with_the_message_alone(auth, client, make, world):
    slot = make.slot_at(world.table_a, 10)
    make.slot_at(world.table_a, 11)
    db.session.execute(Slot.__table__.update().where(Slot.__table__.c.id == slot.id)
                       .values(booked_count=1))
    response = auth.post(book_url(world, slot), page=world.company_page, headers=HTMX)
    assert response.status_code == 200 and response.headers["HX-Trigger"] == "booking-changed"
    assert re.search(r'id="booking-error">This slot was just taken', response.text)
    assert "<table" not in response.text and live_count() == 0


def test_a_refused_booking_says_why_and_changes_nothing(auth, client, make, world):
    make.booking(make.slot_at(world.table_k, 10), world.person)
    clash = make.slot_at(world.table_a, 10, 10)
    response = auth.post(book_url(world, clash), page=world.company_page)
    assert response.status_code == 200
    assert re.search(r'id="booking-error">This slot overlaps your interview with Kasbah Labs',
                     response.text)
    assert live_count() == 1 and fresh(clash).booked_count == 0


def test_an_incomplete_profile_is_told_what_is_missing(auth, client, make, world):
    world.candidate.cv_filename = None
    slot = make.slot_at(world.table_a, 10)
    page = client.get(world.company_page)
    assert "Missing: CV (PDF)" in page.text
    response = auth.post(book_url(world, slot), page=world.company_page)
    assert "Complete your profile before booking. Missing: CV (PDF)." in response.text
    assert live_count() == 0


def test_a_closed_fair_refuses_bookings_clearly(auth, client, make, world):
    slot = make.slot_at(world.table_a, 10)
    token_page = world.company_page
    world.fair.status = "closed"
    response = auth.post(book_url(world, slot), page=token_page)
    assert response.status_code == 200
    assert "This fair is over: booking is closed." in response.text
    assert live_count() == 0


def test_a_closed_booking_window_is_explained(auth, client, make, world):
    slot = make.slot_at(world.table_a, 10)
    world.fair.booking_closes_at = utcnow() - timedelta(minutes=1)
    page = client.get(world.company_page)
    assert ">Book<" not in page.text and "Booking is not open now" in page.text
    response = auth.post(book_url(world, slot), page=world.company_page)
    assert "Booking closed on" in response.text and live_count() == 0


def test_forged_or_foreign_slot_ids_are_not_found(auth, client, make, world):
    other_fair = make.open_fair(cohorts=[world.cohort])
    foreign = make.slot_at(make.table(make.participation(other_fair)), 10)
    withdrawn = make.participation(world.fair, status="withdrawn")
    hidden = make.slot_at(make.table(withdrawn), 10)
    for slot_id in (foreign.id, hidden.id, 999999):
        response = auth.post(f"/me/fairs/{world.fair.id}/slots/{slot_id}/book",
                             page=world.company_page)
        assert response.status_code == 404
    assert live_count() == 0


# --- My schedule ----------------------------------------------------------------------------


def test_my_schedule_lists_live_interviews_in_time_order(client, make, world):
    make.booking(make.slot_at(world.table_k, 14), world.person)
    make.booking(make.slot_at(world.table_a, 9, 30), world.person)
    cancelled_company = make.participation(world.fair, make.company("Annulée SA"))
    make.booking(make.slot_at(make.table(cancelled_company), 11), world.person,
                 status="cancelled")
    page = client.get(world.schedule)
    assert page.status_code == 200
    text = page.text
    assert text.index("Atlas Digital") < text.index("Kasbah Labs")
    assert shown(9, 30) in text and shown(14) in text
    assert "Booth A3" in text and "Interviewer: Salma" in text and "Interviewer: Karim" in text
    assert "Annulée SA" not in text
    assert f"/me/fairs/{world.fair.id}/schedule.ics" in text


def test_each_booking_has_an_ics_file(client, make, world):
    slot = make.slot_at(world.table_a, 10)
    booking = make.booking(slot, world.person)
    response = client.get(f"/me/bookings/{booking.id}.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.headers["Content-Disposition"].startswith("attachment")
    calendar = Calendar.from_ical(response.data)
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"booking-{booking.id}@localhost"
    assert event.decoded("DTSTART").utcoffset() == timedelta(0)
    assert event.decoded("DTSTART").replace(tzinfo=None) == slot.starts_at
    assert event.decoded("DTEND").replace(tzinfo=None) == slot.ends_at
    assert str(event["SUMMARY"]) == "Interview with Atlas Digital"
    assert str(event["LOCATION"]) == "Technopark, Casablanca — Booth A3"
    # The same UID every time: a calendar updates its entry instead of adding another.
    again = Calendar.from_ical(client.get(f"/me/bookings/{booking.id}.ics").data)
    assert str(again.walk("VEVENT")[0]["UID"]) == str(event["UID"])


def test_the_whole_day_in_one_ics(client, make, world):
    first = make.booking(make.slot_at(world.table_a, 10), world.person)
    second = make.booking(make.slot_at(world.table_k, 15), world.person)
    response = client.get(f"/me/fairs/{world.fair.id}/schedule.ics")
    events = Calendar.from_ical(response.data).walk("VEVENT")
    assert [str(e["UID"]).split("@")[0] for e in events] == [
        f"booking-{first.id}", f"booking-{second.id}"]
    assert {str(e["SUMMARY"]) for e in events} == {
        "Interview with Atlas Digital", "Interview with Kasbah Labs"}


# --- Cancel and move through the pages ------------------------------------------------------


def test_cancel_from_my_schedule(auth, client, make, world):
    slot = make.slot_at(world.table_a, 10)
    booking = make.booking(slot, world.person)
    response = auth.post(f"/me/bookings/{booking.id}/cancel", page=world.schedule)
    assert response.status_code == 303
    assert fresh(booking).status == "cancelled" and fresh(slot).booked_count == 0
    mail = outbox()[-1]
    assert Calendar.from_ical(mail.attachment_text)["METHOD"] == "CANCEL"
    page = client.get(world.schedule).text
    assert "Your interview with Atlas Digital is cancelled." in page
    assert f'id="booking-{booking.id}"' not in page and "No interview booked yet." in page


def test_no_cancel_after_the_deadline(auth, client, make, world):
    slot = make.slot_at(world.table_a, 10)
    booking = make.booking(slot, world.person)
    token_page = world.schedule
    world.fair.cancellation_deadline = utcnow() - timedelta(minutes=1)
    page = client.get(world.schedule)
    assert "Cancel this interview" not in page.text
    assert "can no longer be cancelled or moved" in page.text
    response = auth.post(f"/me/bookings/{booking.id}/cancel", page=token_page)
    assert response.status_code == 200
    assert "could be cancelled or moved until" in response.text
    assert fresh(booking).status == "active" and fresh(slot).booked_count == 1


def test_move_to_another_time_of_the_same_company(auth, client, make, world):
    old = make.slot_at(world.table_a, 10)
    new = make.slot_at(world.table_a, 11)
    make.slot_at(world.table_k, 12)  # another company's slot is not a choice
    make.booking(make.slot_at(world.table_k, 15), world.person)
    make.slot_at(world.table_a, 15, 10)  # would overlap the Kasbah interview: not offered
    booking = make.booking(old, world.person)
    page = client.get(world.schedule)
    select_html = re.search(rf'<select[^>]*name="b{booking.id}-target".*?</select>',
                            page.text, re.S).group(0)
    assert re.findall(r'<option[^>]*value="(\d+)"', select_html) == [str(new.id)]
    response = auth.post(f"/me/bookings/{booking.id}/move", {f"b{booking.id}-target": new.id},
                         page=world.schedule)
    assert response.status_code == 303
    assert fresh(booking).status == "cancelled"
    moved = db.session.scalars(select(Booking).where(Booking.status == "active",
                                                     Booking.slot_id == new.id)).one()
    assert moved.slot_id == new.id
    assert (fresh(old).booked_count, fresh(new).booked_count) == (0, 1)
    assert "moved" in outbox()[-1].subject


def test_a_move_to_a_taken_time_changes_nothing(auth, client, make, world):
    old = make.slot_at(world.table_a, 10)
    target = make.slot_at(world.table_a, 11)
    booking = make.booking(old, world.person)
    token_page = world.schedule
    make.booking(target, make.bookable_candidate(world.cohort, email="quick@example.ma"))
    response = auth.post(f"/me/bookings/{booking.id}/move", {f"b{booking.id}-target": target.id},
                         page=token_page)
    assert response.status_code == 200
    assert "This slot was just taken" in response.text
    assert fresh(booking).status == "active" and booking.slot_id == old.id
    assert (fresh(old).booked_count, fresh(target).booked_count) == (1, 1)
    assert live_count() == 2


def test_a_move_to_another_fairs_slot_is_not_found(auth, client, make, world):
    booking = make.booking(make.slot_at(world.table_a, 10), world.person)
    foreign = make.slot_at(make.table(make.participation(make.open_fair(cohorts=[world.cohort]))),
                           11)
    response = auth.post(f"/me/bookings/{booking.id}/move", {f"b{booking.id}-target": foreign.id},
                         page=world.schedule)
    assert response.status_code == 404
    assert fresh(booking).status == "active"


# --- Reminders ------------------------------------------------------------------------------


def test_reminders_are_sent_once_for_tomorrows_fairs(runner, make):
    cohort = make.cohort()
    tomorrow = make.open_fair(cohorts=[cohort], days_ahead=1)
    later = make.open_fair(cohorts=[cohort], days_ahead=3)
    person = make.bookable_candidate(cohort, email="demain@example.ma")
    other = make.bookable_candidate(cohort, email="annule@example.ma")
    table = make.table(make.participation(tomorrow, make.company("Atlas Digital")))
    booking = make.booking(make.slot_at(table, 10), person)
    make.booking(make.slot_at(table, 11), other, status="cancelled")
    make.booking(make.slot_at(make.table(make.participation(later)), 10), person)
    db.session.commit()
    assert tomorrow.day == local_today() + timedelta(days=1)
    result = runner.invoke(args=["jobfair", "reminders"])
    assert result.exit_code == 0, result.output
    assert "1 reminder(s) queued." in result.output
    [mail] = outbox()
    assert mail.recipient == "demain@example.ma" and "Tomorrow" in mail.subject
    assert Calendar.from_ical(mail.attachment_text).walk("VEVENT")[0]["UID"] == \
        f"booking-{booking.id}@localhost"
    assert fresh(booking).reminder_sent_at is not None
    again = runner.invoke(args=["jobfair", "reminders"])
    assert "0 reminder(s) queued." in again.output
    assert len(outbox()) == 1


def test_a_reminder_is_claimed_once(app, make):
    from jobfair.booking.reminders import send_reminder

    cohort = make.cohort()
    fair = make.open_fair(cohorts=[cohort], days_ahead=1)
    booking = make.booking(make.slot_at(make.table(make.participation(fair)), 10),
                           make.bookable_candidate(cohort))
    db.session.commit()
    with app.test_request_context():
        assert send_reminder(booking.id) is True
        assert send_reminder(booking.id) is False  # already claimed: nothing queued
    assert len(outbox()) == 1


# --- The company's schedule shows new bookings without a reload -------------------------------


def test_the_company_schedule_polls_and_gets_new_bookings(auth, client, make, world):
    rep = make.user(role="company_rep", company=world.atlas.company, email="rh@atlas.ma")
    make.consent(world.fair, world.person)  # the company sees the candidate's full name
    slot = make.slot_at(world.table_a, 10)
    auth.logout()
    auth.login_as(rep)
    page_url = f"/company/fairs/{world.atlas.id}/schedule"
    page = client.get(page_url)
    timeline = re.search(rf'<div id="timeline-{world.table_a.id}"[^>]*>', page.text, re.S).group(0)
    assert 'hx-trigger="every 10s"' in timeline
    poll_url = f"{page_url}?table={world.table_a.id}"
    assert f'hx-get="{poll_url}"' in timeline
    before = client.get(poll_url, headers=HTMX)
    assert world.person.full_name not in before.text
    make.booking(slot, world.person)  # a candidate books meanwhile
    after = client.get(poll_url, headers=HTMX)
    assert after.status_code == 200
    assert "<html" not in after.text
    assert after.text.lstrip().startswith(f'<div id="timeline-{world.table_a.id}"')
    assert world.person.full_name in after.text
    assert re.search(rf'sch-slot-booked" id="slot-{slot.id}"', after.text)
    # Another company's table is not found; a deleted table stops the polling.
    other = client.get(f"/company/fairs/{world.kasbah.id}/schedule?table={world.table_k.id}",
                       headers=HTMX)
    assert other.status_code == 404
    gone = client.get(f"{page_url}?table=999999", headers=HTMX)
    assert gone.status_code == 286


def test_slot_counts_match_live_bookings_after_page_actions(auth, client, make, world):
    slots = [make.slot_at(world.table_a, h) for h in (10, 11)]
    auth.post(book_url(world, slots[0]), page=world.company_page)
    booking = db.session.scalars(select(Booking)).one()
    auth.post(f"/me/bookings/{booking.id}/move", {f"b{booking.id}-target": slots[1].id},
              page=world.schedule)
    counts = dict(db.session.execute(select(Slot.id, Slot.booked_count)).all())
    assert counts == {slots[0].id: 0, slots[1].id: 1}
