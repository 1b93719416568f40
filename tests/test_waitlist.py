"""The waitlist: joining, leaving, and promotion when a place frees up."""
from datetime import timedelta
from types import SimpleNamespace

import pytest
from flask_babel import force_locale
from icalendar import Calendar
from sqlalchemy import func, select

from jobfair.booking import services
from jobfair.errors import DomainError
from jobfair.extensions import db
from jobfair.models import Booking, OutboxMessage, WaitlistEntry

from .mailbox import delivered


@pytest.fixture
def world(make):
    """Atlas has one slot (10:00, one place) booked by Youssef; Kasbah has free slots."""
    cohort = make.cohort()
    fair = make.open_fair(cohorts=[cohort])
    atlas = make.participation(fair, make.company("Atlas Digital"))
    kasbah = make.participation(fair, make.company("Kasbah Labs"))
    table_a = make.table(atlas, name="Salma")
    table_k = make.table(kasbah, name="Karim")
    full = make.slot_at(table_a, 10)
    holder = make.bookable_candidate(cohort, email="youssef@example.ma")
    booking = make.booking(full, holder)
    return SimpleNamespace(fair=fair, cohort=cohort, atlas=atlas, kasbah=kasbah, table_a=table_a,
                           table_k=table_k, full=full, holder=holder, booking=booking,
                           company_page=f"/me/fairs/{fair.id}/companies/{atlas.company_id}")


def waiting(make, world, email, cohort=None):
    person = make.bookable_candidate(cohort or world.cohort, email=email)
    entry = WaitlistEntry(participation_id=world.atlas.id, candidate_id=person.candidate.id)
    db.session.add(entry)
    db.session.flush()
    return person, entry


def fresh(obj):
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


def mails_to(email):
    return delivered(OutboxMessage.recipient == email)


def live_on(slot):
    return db.session.scalars(
        select(Booking).where(Booking.slot_id == slot.id, Booking.status != "cancelled")).all()


def refused(call, *args):
    with pytest.raises(DomainError) as caught:
        call(*args)
    db.session.rollback()
    return str(caught.value.message)


@pytest.fixture
def english(app):
    with app.test_request_context(), force_locale("en"):
        yield


# --- Joining and leaving ---------------------------------------------------------------------


def test_join_the_waitlist_of_a_full_company(auth, client, make, world):
    person = make.bookable_candidate(world.cohort, email="salma@example.ma")
    auth.login_as(person)
    page = client.get(world.company_page)
    assert "Join the waitlist" in page.text
    response = auth.post(f"{world.company_page}/waitlist", page=world.company_page)
    assert response.status_code == 303
    entry = db.session.scalars(select(WaitlistEntry)).one()
    assert (entry.candidate_id, entry.status) == (person.candidate.id, "waiting")
    page = client.get(world.company_page)
    assert "You are number 1 on the waitlist of Atlas Digital" in page.text
    assert "Leave the waitlist" in page.text
    again = auth.post(f"{world.company_page}/waitlist", page=world.company_page)
    assert again.status_code == 200
    assert "You are already on the waitlist of Atlas Digital." in again.text
    assert db.session.scalar(select(func.count(WaitlistEntry.id))) == 1


def test_no_waitlist_while_a_slot_can_be_booked(auth, client, make, world):
    make.slot_at(world.table_a, 11)
    person = make.bookable_candidate(world.cohort, email="salma@example.ma")
    auth.login_as(person)
    assert "Join the waitlist" not in client.get(world.company_page).text
    response = auth.post(f"{world.company_page}/waitlist", page=world.company_page)
    assert "Atlas Digital still has a free slot you can book" in response.text
    assert db.session.scalar(select(func.count(WaitlistEntry.id))) == 0


def test_a_free_slot_reserved_for_others_does_not_prevent_waiting(english, make, world):
    reserved = make.slot_at(world.table_a, 11)
    reserved.eligible_tracks = [make.track("Mobile")]
    person = make.bookable_candidate(world.cohort)
    entry = services.join_waitlist(person.candidate, world.atlas)
    assert entry.status == "waiting"


def test_no_waitlist_with_a_company_already_booked(english, world):
    message = refused(services.join_waitlist, world.holder.candidate, world.atlas)
    assert "You already have an interview with Atlas Digital" in message


def test_leave_the_waitlist(auth, client, make, world):
    person, entry = waiting(make, world, "salma@example.ma")
    auth.login_as(person)
    response = auth.post(f"{world.company_page}/waitlist/leave", page=world.company_page)
    assert response.status_code == 303
    assert fresh(entry).status == "left"
    assert "Join the waitlist" in client.get(world.company_page).text


# --- Promotion ----------------------------------------------------------------------------------


def test_a_cancellation_books_the_first_in_line(auth, client, make, world):
    first, first_entry = waiting(make, world, "first@example.ma")
    second, second_entry = waiting(make, world, "second@example.ma")
    auth.login_as(world.holder)
    response = auth.post(f"/me/bookings/{world.booking.id}/cancel",
                         page=f"/me/fairs/{world.fair.id}/schedule")
    assert response.status_code == 303
    [booking] = live_on(world.full)
    assert booking.candidate_id == first.candidate.id
    assert fresh(world.full).booked_count == 1
    assert (fresh(first_entry).status, first_entry.booking_id) == ("booked", booking.id)
    assert fresh(second_entry).status == "waiting"
    [mail] = mails_to("first@example.ma")
    assert "A place freed up" in mail.subject
    event = Calendar.from_ical(mail.attachment_text).walk("VEVENT")[0]
    assert str(event["UID"]).startswith(f"booking-{booking.id}@")
    assert mails_to("second@example.ma") == []
    # The second is now first in line.
    auth.logout()
    auth.login_as(second)
    assert "You are number 1 on the waitlist" in client.get(world.company_page).text


def test_promotion_skips_a_candidate_a_rule_excludes(english, make, world):
    world.full.eligible_tracks = [world.cohort.track]
    other_cohort = make.cohort()
    world.fair.cohorts.append(other_cohort)
    _, ineligible_entry = waiting(make, world, "mobile@example.ma", cohort=other_cohort)
    busy, busy_entry = waiting(make, world, "busy@example.ma")
    make.booking(make.slot_at(world.table_k, 10, 5), busy)  # overlaps 10:00–10:20
    eligible, eligible_entry = waiting(make, world, "eligible@example.ma")
    db.session.commit()
    services.cancel(world.booking, world.holder)
    db.session.commit()
    [booking] = live_on(world.full)
    assert booking.candidate_id == eligible.candidate.id
    assert fresh(ineligible_entry).status == "waiting"
    assert fresh(busy_entry).status == "waiting"
    assert fresh(eligible_entry).status == "booked"
    assert mails_to("mobile@example.ma") == [] and mails_to("busy@example.ma") == []


def test_no_promotion_when_nobody_qualifies(english, make, world):
    incomplete, entry = waiting(make, world, "nocv@example.ma")
    incomplete.candidate.cv_filename = None
    db.session.commit()
    services.cancel(world.booking, world.holder)
    db.session.commit()
    assert live_on(world.full) == [] and fresh(world.full).booked_count == 0
    assert fresh(entry).status == "waiting"


def test_a_move_frees_a_place_for_the_waitlist(english, make, world):
    later = make.slot_at(world.table_a, 14)
    person, entry = waiting(make, world, "next@example.ma")
    db.session.commit()
    services.move(world.booking, later)
    db.session.commit()
    [promoted] = live_on(world.full)
    assert promoted.candidate_id == person.candidate.id
    assert [b.candidate_id for b in live_on(later)] == [world.holder.candidate.id]
    assert fresh(entry).status == "booked"


def test_no_promotion_once_booking_has_closed(english, make, world):
    _, entry = waiting(make, world, "late@example.ma")
    closes = world.fair.booking_closes_at
    world.fair.cancellation_deadline = closes + timedelta(hours=1)
    db.session.commit()
    services.cancel(world.booking, world.holder, now=closes + timedelta(minutes=1))
    db.session.commit()
    assert fresh(entry).status == "waiting" and live_on(world.full) == []


def test_the_company_unblocking_a_slot_promotes_the_waitlist(english, make, world):
    from jobfair.schedule.services import unblock_slot

    closed = make.slot_at(world.table_a, 15)
    closed.is_blocked = True
    person, entry = waiting(make, world, "unblock@example.ma")
    db.session.commit()
    unblock_slot(closed)
    db.session.commit()
    [booking] = live_on(closed)
    assert booking.candidate_id == person.candidate.id and fresh(closed).booked_count == 1
    assert fresh(entry).status == "booked"


def test_the_company_blocking_a_booked_slot_promotes_nobody_onto_it(english, make, world):
    from jobfair.schedule.services import block_slot

    rep = make.user(role="company_rep", company=world.atlas.company)
    _, entry = waiting(make, world, "blocked@example.ma")
    db.session.commit()
    block_slot(world.full, "Interviewer ill", rep)
    db.session.commit()
    assert live_on(world.full) == [] and fresh(world.full).booked_count == 0
    assert fresh(world.full).is_blocked
    assert fresh(entry).status == "waiting"
    # The candidate whose interview the company cancelled gets the cancellation .ics.
    [mail] = mails_to("youssef@example.ma")
    assert Calendar.from_ical(mail.attachment_text)["METHOD"] == "CANCEL"


def test_booking_directly_takes_the_candidate_out_of_the_line(english, make, world):
    person, entry = waiting(make, world, "direct@example.ma")
    other_slot = make.slot_at(world.table_a, 16)
    db.session.commit()
    booking = services.book(person.candidate, other_slot)
    db.session.commit()
    assert (fresh(entry).status, entry.booking_id) == ("booked", booking.id)
