"""A booking request retried with its form's nonce (its first answer was lost: the network
dropped, the candidate pressed again) gets its own success answer, not "you already have an
interview"; one booking, one seat, one email."""
import re

from sqlalchemy import select

from jobfair.extensions import db
from jobfair.models import Booking, OutboxMessage, Slot

from . import test_booking_races as races
from .test_booking_races import world  # noqa: F401  (the fixture)

server = races.server
_test_thread_takes_no_write_lock = races._test_thread_takes_no_write_lock

HTMX = {"HX-Request": "true"}
BOOKED = "Interview booked with Atlas Digital"
ALREADY = "You already have an interview with"


def form_of(page, slot):
    """The CSRF token and nonce of the slot's booking form on the company page."""
    form = re.search(rf'<form[^>]*action="[^"]*/slots/{slot.id}/book".*?</form>', page, re.S)
    assert form, "no booking form for this slot"
    return dict(re.findall(r'name="(csrf_token|nonce)" value="([^"]+)"', form.group(0)))


def bookings_and_seats(slot):
    db.session.rollback()
    db.session.expire_all()
    bookings = db.session.scalars(select(Booking).where(Booking.status != "cancelled")).all()
    return bookings, db.session.get(Slot, slot.id).booked_count, len(
        db.session.scalars(select(OutboxMessage)).all())


def test_a_retried_booking_gets_its_own_success_answer(auth, client, make, world):
    slot = make.slot_at(world.table_a, 10, capacity=3)
    person = make.bookable_candidate(world.cohort, email="salma@example.ma")
    auth.login_as(person)
    url = f"/me/fairs/{world.fair.id}/slots/{slot.id}/book"
    fields = form_of(client.get(world.company_page).text, slot)
    first = client.post(url, data=fields)
    assert first.status_code == 303  # ... and this answer never reached the candidate
    retried = client.post(url, data=fields)
    assert retried.status_code == 303
    assert retried.headers["Location"].endswith(world.schedule)
    page = client.get(world.schedule).text
    assert BOOKED in page and ALREADY not in page
    again_htmx = client.post(url, data=fields, headers=HTMX)
    assert BOOKED in again_htmx.text and ALREADY not in again_htmx.text
    bookings, seats, emails = bookings_and_seats(slot)
    assert len(bookings) == 1 and bookings[0].nonce == fields["nonce"]
    assert seats == 1 and emails == 1

    # Another press of another form (another nonce) is another request: refused as before.
    other_form = {"csrf_token": fields["csrf_token"], "nonce": "another-form"}
    refused = client.post(url, data=other_form, headers=HTMX)
    assert ALREADY in refused.text
    assert len(bookings_and_seats(slot)[0]) == 1


def test_an_old_form_posted_again_after_a_cancellation_books_afresh(auth, client, make, world):
    slot = make.slot_at(world.table_a, 10, capacity=3)
    person = make.bookable_candidate(world.cohort, email="salma@example.ma")
    auth.login_as(person)
    url = f"/me/fairs/{world.fair.id}/slots/{slot.id}/book"
    fields = form_of(client.get(world.company_page).text, slot)
    assert client.post(url, data=fields).status_code == 303
    [booking] = bookings_and_seats(slot)[0]
    assert auth.post(f"/me/bookings/{booking.id}/cancel", page=world.schedule).status_code == 303
    assert bookings_and_seats(slot)[:2] == ([], 0)
    # Not "booked" by the cancelled booking: a new booking, with its seat.
    assert client.post(url, data=fields).status_code == 303
    bookings, seats, _emails = bookings_and_seats(slot)
    assert len(bookings) == 1 and bookings[0].id != booking.id and seats == 1


def test_the_same_booking_request_retried_at_once_succeeds_every_time(make, server, world):
    slot = make.slot_at(world.table_a, 10, capacity=5)
    person = make.bookable_candidate(world.cohort, email="retry@example.ma")
    db.session.commit()
    [browser] = races.browsers(server, [person], world.company_page)
    status, page = browser.get(world.company_page)
    fields = form_of(page, slot)
    url = races.book_url(world, slot)
    results, _ = races.all_at_once([lambda: browser.post(url, fields)] * 4)
    assert [status for status, _ in results] == [303] * 4, results
    status, schedule = browser.get(world.schedule)
    assert ALREADY not in schedule
    bookings, seats, emails = bookings_and_seats(slot)
    assert len(bookings) == 1 and seats == 1 and emails == 1
    races.check_invariants()
