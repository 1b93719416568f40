"""The booking POST reads plain rows (jobfair/booking/lean.py), not models: each rule still
refuses through it with its own message, prerequisites included (their names are read only
for a restricted slot), and what it may not reach is still a 404."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from jobfair.extensions import db
from jobfair.models import Booking, BookingRound, OutboxMessage, Slot, utcnow

from .test_booking_races import world  # noqa: F401  (the fixture: an open fair, two companies)

HTMX = {"HX-Request": "true"}


@pytest.fixture
def person(make, world):  # noqa: F811
    return make.bookable_candidate(world.cohort, email="salma@example.ma")


def post(auth, world, slot, htmx=True):  # noqa: F811
    return auth.post(f"/me/fairs/{world.fair.id}/slots/{slot.id}/book", page=world.company_page,
                     headers=HTMX if htmx else {})


def live_bookings():
    db.session.rollback()
    return db.session.scalars(select(Booking).where(Booking.status != "cancelled")).all()


def test_a_booking_through_the_post_writes_the_row_the_seat_and_the_email(auth, make, world,
                                                                           person):
    slot = make.slot_at(world.table_a, 10)
    auth.login_as(person)
    answer = post(auth, world, slot)
    assert answer.status_code == 200 and answer.headers["HX-Trigger"] == "booking-changed"
    assert "Interview booked with Atlas Digital" in answer.text and "flash-success" in answer.text
    [booking] = live_bookings()
    assert (booking.slot_id, booking.candidate_id, booking.participation_id) == (
        slot.id, person.candidate.id, world.atlas.id)
    assert db.session.get(Slot, slot.id).booked_count == 1
    [email] = db.session.scalars(select(OutboxMessage)).all()
    assert email.recipient == person.email and email.kind == "booking_confirmed"
    assert email.payload["booking"] == booking.id and email.payload["table"] == "Salma"


def test_a_slot_reserved_for_other_tracks_or_cohorts_is_refused_by_name(auth, make, world,
                                                                        person):
    for_mobile, for_rabat = make.slot_at(world.table_a, 10), make.slot_at(world.table_a, 11)
    for_mobile.eligible_tracks = [make.track("Mobile"), make.track("Cloud")]
    for_rabat.eligible_cohorts = [make.cohort(name="Promotion Rabat")]
    auth.login_as(person)
    assert ("reserved for candidates of these tracks: Cloud, Mobile"
            in post(auth, world, for_mobile).text)
    assert ("reserved for candidates of these cohorts: Promotion Rabat"
            in post(auth, world, for_rabat).text)
    assert live_bookings() == []


def test_a_slot_reserved_for_the_candidates_own_track_and_cohort_is_booked(auth, make, world,
                                                                           person):
    slot = make.slot_at(world.table_a, 10)
    slot.eligible_tracks = [world.cohort.track, make.track("Mobile")]
    slot.eligible_cohorts = [world.cohort]
    auth.login_as(person)
    assert "Interview booked with Atlas Digital" in post(auth, world, slot).text
    assert len(live_bookings()) == 1


def test_the_rules_on_the_candidates_bookings_refuse_through_the_post(auth, make, world,
                                                                      person):
    make.booking(make.slot_at(world.table_a, 10), person)
    same_company = make.slot_at(world.table_a, 14)
    overlapping = make.slot_at(world.table_k, 10, 10)
    auth.login_as(person)
    assert ("You already have an interview with Atlas Digital"
            in post(auth, world, same_company).text)
    assert ("This slot overlaps your interview with Atlas Digital"
            in post(auth, world, overlapping).text)
    assert len(live_bookings()) == 1


def test_a_full_closed_or_round_pending_slot_is_refused(auth, make, world, person):
    full, closed = make.slot_at(world.table_a, 10), make.slot_at(world.table_a, 11)
    full.booked_count = 1
    closed.is_blocked = True
    person.candidate.cv_filename = None
    auth.login_as(person)
    assert "Missing: CV (PDF)" in post(auth, world, full).text
    person.candidate.cv_filename = "cv.pdf"
    assert "This slot was just taken" in post(auth, world, full).text
    assert "The company closed this slot" in post(auth, world, closed).text
    now = utcnow()
    db.session.add(BookingRound(fair_id=world.fair.id, wishes_open_at=now - timedelta(days=2),
                                wishes_close_at=now - timedelta(days=1),
                                publish_at=now + timedelta(hours=1)))
    free = make.slot_at(world.table_k, 12)
    assert "once the interviews of the booking round are published" in post(auth, world,
                                                                            free).text
    assert live_bookings() == []


def test_without_javascript_a_refusal_is_the_company_page_with_its_message(auth, make, world,
                                                                            person):
    full = make.slot_at(world.table_a, 10)
    full.booked_count = 1
    auth.login_as(person)
    page = post(auth, world, full, htmx=False)
    assert page.status_code == 200
    assert "This slot was just taken" in page.text and "Atlas Digital" in page.text
    assert person.first_name in page.text  # the layout reads the SessionUser


def test_what_the_post_may_not_reach_is_a_404(auth, make, world, person):
    other_fair = make.open_fair(cohorts=[world.cohort])
    elsewhere = make.slot_at(make.table(make.participation(other_fair, make.company())), 10)
    withdrawn = make.participation(world.fair, make.company(), status="withdrawn")
    not_approved = make.slot_at(make.table(withdrawn), 10)
    uninvited_fair = make.open_fair(cohorts=[make.cohort()])
    uninvited = make.slot_at(make.table(make.participation(uninvited_fair, make.company())), 10)
    auth.login_as(person)
    token = auth.csrf(world.company_page)
    for fair, slot in ((world.fair, elsewhere), (world.fair, not_approved),
                       (uninvited_fair, uninvited)):
        answer = auth.client.post(f"/me/fairs/{fair.id}/slots/{slot.id}/book",
                                  data={"csrf_token": token}, headers=HTMX)
        assert answer.status_code == 404, (fair.id, slot.id)
    assert live_bookings() == []
