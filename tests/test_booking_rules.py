"""Booking rules, one by one, without HTTP; then book, cancel and move as whole operations."""
from datetime import timedelta
from types import SimpleNamespace

import pytest
from flask_babel import force_locale
from icalendar import Calendar
from sqlalchemy import func, select, text

from jobfair.booking import services
from jobfair.errors import DomainError
from jobfair.extensions import db
from jobfair.models import Booking, Slot, utcnow

from .mailbox import delivered


@pytest.fixture(autouse=True)
def english(app):
    """Messages are read in English (a request context gives Babel its locale)."""
    with app.test_request_context(), force_locale("en"):
        yield


@pytest.fixture
def world(make):
    """An open fair, an invited cohort, two approved companies with one table each, a candidate."""
    cohort = make.cohort()
    fair = make.open_fair(cohorts=[cohort], max_bookings_per_candidate=3, min_gap_minutes=15)
    atlas = make.participation(fair, make.company("Atlas Digital"))
    kasbah = make.participation(fair, make.company("Kasbah Labs"))
    table_a = make.table(atlas, name="Salma")
    table_k = make.table(kasbah, name="Karim")
    person = make.bookable_candidate(cohort, email="youssef@example.ma")
    return SimpleNamespace(fair=fair, cohort=cohort, atlas=atlas, kasbah=kasbah, table_a=table_a,
                           table_k=table_k, user=person, candidate=person.candidate)


def refused(call, *args, **kwargs):
    with pytest.raises(DomainError) as caught:
        call(*args, **kwargs)
    return str(caught.value.message)


def live(world):
    return services.live_bookings(world.candidate.id, world.fair.id)


def fresh(obj):
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


def outbox():
    return delivered()


# --- Each rule has its own message ------------------------------------------------------


def test_an_incomplete_profile_says_what_is_missing(world):
    world.candidate.cv_filename = None
    world.candidate.phone = None
    message = refused(services.check_profile, world.candidate)
    assert "phone number" in message and "CV (PDF)" in message and "city" not in message
    world.candidate.phone, world.candidate.cv_filename = "+212612345678", "cv.pdf"
    services.check_profile(world.candidate)


def test_the_booking_window_must_be_open(world):
    fair = world.fair
    now = utcnow()
    services.check_booking_window(fair, now)
    assert "Booking opens on" in refused(services.check_booking_window, fair,
                                         fair.booking_opens_at - timedelta(minutes=1))
    assert "Booking closed on" in refused(services.check_booking_window, fair,
                                          fair.booking_closes_at)
    fair.status = "draft"
    assert "not open to booking yet" in refused(services.check_booking_window, fair, now)
    fair.status = "closed"
    assert "This fair is over" in refused(services.check_booking_window, fair, now)


def test_the_candidates_cohort_must_be_invited(world, make):
    services.check_cohort_invited(world.fair, world.candidate)
    world.candidate.cohort = make.cohort()
    db.session.flush()
    assert refused(services.check_cohort_invited, world.fair, world.candidate) == \
        "Your cohort is not invited to this fair."


def test_the_company_must_still_take_part(world):
    world.atlas.status = "withdrawn"
    assert "no longer takes part" in refused(services.check_company_takes_part, world.atlas)


def test_slot_prerequisites_tracks_and_cohorts(world, make):
    slot = make.slot_at(world.table_a, 10)
    services.check_eligible(slot, world.candidate)  # no prerequisite: every invited candidate
    other_track = make.track("Mobile")
    slot.eligible_tracks = [other_track]
    assert "reserved for candidates of these tracks: Mobile" in refused(
        services.check_eligible, slot, world.candidate)
    slot.eligible_tracks = [world.cohort.track, other_track]
    services.check_eligible(slot, world.candidate)
    other_cohort = make.cohort(name="Promotion Rabat")
    slot.eligible_cohorts = [other_cohort]
    assert "reserved for candidates of these cohorts: Promotion Rabat" in refused(
        services.check_eligible, slot, world.candidate)
    slot.eligible_cohorts = [world.cohort]
    services.check_eligible(slot, world.candidate)


def test_a_blocked_or_started_slot_cannot_be_booked(world, make):
    slot = make.slot_at(world.table_a, 10)
    services.check_slot_open(slot)
    slot.is_blocked = True
    assert "The company closed this slot" in refused(services.check_slot_open, slot)
    slot.is_blocked = False
    assert "already started" in refused(services.check_slot_open, slot,
                                        slot.starts_at + timedelta(minutes=1))


def test_at_most_n_live_bookings_per_fair(world, make):
    world.fair.max_bookings_per_candidate = 2
    for hour, table in ((10, world.table_a), (12, world.table_k)):
        make.booking(make.slot_at(table, hour), world.user)
    cancelled = make.booking(make.slot_at(make.table(make.participation(world.fair)), 14),
                             world.user, status="cancelled")
    assert len(live(world)) == 2 and cancelled.id
    assert "You already have 2 interviews at this fair, the most allowed" in refused(
        services.check_booking_limit, world.fair, live(world))
    world.fair.max_bookings_per_candidate = 3
    services.check_booking_limit(world.fair, live(world))


def test_one_interview_per_company(world, make):
    make.booking(make.slot_at(world.table_a, 10), world.user)
    message = refused(services.check_one_per_company, world.atlas.id, live(world))
    assert "You already have an interview with Atlas Digital" in message
    services.check_one_per_company(world.kasbah.id, live(world))


def test_no_overlap_and_the_fairs_minimum_gap(world, make):
    make.booking(make.slot_at(world.table_a, 10), world.user)  # 10:00–10:20
    overlapping = make.slot_at(world.table_k, 10, 10)
    too_close = make.slot_at(world.table_k, 10, 30)  # 10 minutes after: the gap is 15
    just_right = make.slot_at(world.table_k, 10, 35)
    before_too_close = make.slot_at(world.table_k, 9, 30)  # ends 9:50, 10 minutes before
    assert "overlaps your interview with Atlas Digital" in refused(
        services.check_timing, world.fair, overlapping, live(world))
    assert "Leave at least 15 minutes between two interviews" in refused(
        services.check_timing, world.fair, too_close, live(world))
    assert "Leave at least 15 minutes" in refused(
        services.check_timing, world.fair, before_too_close, live(world))
    services.check_timing(world.fair, just_right, live(world))
    world.fair.min_gap_minutes = 0
    services.check_timing(world.fair, too_close, live(world))


def test_a_full_slot_was_just_taken(world, make):
    slot = make.slot_at(world.table_a, 10, capacity=2)
    slot.booked_count = 1
    services.check_capacity(slot)
    slot.booked_count = 2
    assert refused(services.check_capacity, slot) == str(services.SLOT_TAKEN)


def test_every_rule_together_passes_for_an_ordinary_booking(world, make):
    slot = make.slot_at(world.table_a, 10)
    services.check_can_book(world.candidate, slot, live(world))


def test_cancellation_deadline(world, make):
    booking = make.booking(make.slot_at(world.table_a, 10), world.user)
    services.check_changeable(booking, world.fair)
    assert "could be cancelled or moved until" in refused(
        services.check_changeable, booking, world.fair, world.fair.cancellation_deadline)
    booking.status = "cancelled"
    assert "no longer booked" in refused(services.check_changeable, booking, world.fair)


# --- Book ------------------------------------------------------------------------------------


def test_book_takes_a_place_and_emails_the_calendar_file(world, make):
    slot = make.slot_at(world.table_a, 10, capacity=2)
    booking = services.book(world.candidate, slot)
    db.session.commit()
    assert fresh(slot).booked_count == 1
    assert fresh(booking).status == "active" and booking.participation_id == world.atlas.id
    [message] = outbox()
    assert message.recipient == "youssef@example.ma"
    assert "Atlas Digital" in message.subject
    assert message.attachment_type == "text/calendar"
    event = Calendar.from_ical(message.attachment_text).walk("VEVENT")[0]
    assert event["SUMMARY"] == "Interview with Atlas Digital"
    assert event.decoded("DTSTART").replace(tzinfo=None) == slot.starts_at


def test_the_database_decides_the_last_place_not_the_stale_object(world, make):
    """The page (and the object) said "free"; meanwhile the place was taken: the UPDATE refuses."""
    slot = make.slot_at(world.table_a, 10)
    db.session.commit()
    db.session.execute(text("UPDATE slots SET booked_count = 1 WHERE id = :id"), {"id": slot.id})
    assert slot.booked_count == 0  # the stale view the request started with
    assert refused(services.book, world.candidate, slot) == str(services.SLOT_TAKEN)
    db.session.rollback()
    assert db.session.scalar(select(func.count(Booking.id))) == 0


def test_a_slot_blocked_meanwhile_is_refused_by_the_update(world, make):
    slot = make.slot_at(world.table_a, 10)
    db.session.commit()
    db.session.execute(text("UPDATE slots SET is_blocked = :b WHERE id = :id"),
                       {"b": True, "id": slot.id})
    assert "The company closed this slot" in refused(services.book, world.candidate, slot)


def test_the_unique_index_is_the_last_guard(world, make):
    """Even if the rules were skipped, a second live booking with a company cannot be stored."""
    first = make.slot_at(world.table_a, 10)
    second = make.slot_at(world.table_a, 11)
    services.book(world.candidate, first)
    db.session.commit()
    assert "already have an interview with this company" in refused(
        services.insert_booking, world.candidate, second)


def test_booking_leaves_the_companys_waitlist(world, make):
    from jobfair.models import WaitlistEntry

    entry = WaitlistEntry(participation_id=world.atlas.id, candidate_id=world.candidate.id)
    db.session.add(entry)
    booking = services.book(world.candidate, make.slot_at(world.table_a, 10))
    db.session.commit()
    assert (fresh(entry).status, entry.booking_id) == ("booked", booking.id)


# --- Cancel --------------------------------------------------------------------------------


def test_cancel_frees_the_place_and_emails_a_cancellation(world, make):
    slot = make.slot_at(world.table_a, 10)
    booking = services.book(world.candidate, slot)
    db.session.commit()
    services.cancel(booking, world.user)
    db.session.commit()
    assert fresh(booking).status == "cancelled" and booking.cancelled_by_id == world.user.id
    assert fresh(slot).booked_count == 0
    message = outbox()[-1]
    assert "cancelled" in message.subject
    calendar = Calendar.from_ical(message.attachment_text)
    assert calendar["METHOD"] == "CANCEL"
    assert calendar.walk("VEVENT")[0]["STATUS"] == "CANCELLED"
    # Twice: the second finds nothing to cancel and frees nothing.
    assert "no longer booked" in refused(services.cancel, booking, world.user)
    db.session.rollback()
    assert fresh(slot).booked_count == 0


def test_cancel_after_the_deadline_is_refused(world, make):
    slot = make.slot_at(world.table_a, 10)
    booking = services.book(world.candidate, slot)
    db.session.commit()
    assert "could be cancelled or moved until" in refused(
        services.cancel, booking, world.user, now=world.fair.cancellation_deadline)
    db.session.rollback()
    assert fresh(booking).status == "active" and fresh(slot).booked_count == 1


# --- Move ------------------------------------------------------------------------------------


def test_move_books_the_new_slot_and_releases_the_old_together(world, make):
    old = make.slot_at(world.table_a, 10)
    new_slot = make.slot_at(world.table_a, 11)
    booking = services.book(world.candidate, old)
    db.session.commit()
    moved = services.move(booking, new_slot)
    db.session.commit()
    assert fresh(booking).status == "cancelled"
    assert fresh(moved).status == "active" and moved.slot_id == new_slot.id
    assert (fresh(old).booked_count, fresh(new_slot).booked_count) == (0, 1)
    message = outbox()[-1]
    assert "moved" in message.subject
    events = Calendar.from_ical(message.attachment_text).walk("VEVENT")
    assert [str(e["STATUS"]) for e in events] == ["CANCELLED", "CONFIRMED"]
    assert str(events[0]["UID"]).startswith(f"booking-{booking.id}@")
    assert str(events[1]["UID"]).startswith(f"booking-{moved.id}@")


def test_a_move_to_a_taken_slot_changes_nothing(world, make):
    old = make.slot_at(world.table_a, 10)
    target = make.slot_at(world.table_a, 11)
    booking = services.book(world.candidate, old)
    db.session.commit()
    # Someone took the target after the page was shown.
    db.session.execute(text("UPDATE slots SET booked_count = 1 WHERE id = :id"), {"id": target.id})
    db.session.commit()
    mails = len(outbox())
    assert refused(services.move, booking, target) == str(services.SLOT_TAKEN)
    db.session.rollback()
    assert fresh(booking).status == "active" and booking.slot_id == old.id
    assert (fresh(old).booked_count, fresh(target).booked_count) == (1, 1)
    assert db.session.scalar(select(func.count(Booking.id))) == 1
    assert len(outbox()) == mails


def test_a_move_checks_every_rule_for_the_new_slot(world, make):
    booking = services.book(world.candidate, make.slot_at(world.table_a, 10))
    services.book(world.candidate, make.slot_at(world.table_k, 11))
    db.session.commit()
    clash = make.slot_at(world.table_a, 11, 10)  # overlaps the Kasbah interview
    assert "overlaps your interview with Kasbah Labs" in refused(services.move, booking, clash)
    db.session.rollback()
    elsewhere = make.slot_at(world.table_k, 14)
    assert "same company" in refused(services.move, fresh(booking), elsewhere)
    db.session.rollback()
    same = fresh(booking).slot
    assert "already the time" in refused(services.move, fresh(booking), same)
    db.session.rollback()
    later = make.slot_at(world.table_a, 15)
    assert "could be cancelled or moved until" in refused(
        services.move, fresh(booking), later, now=world.fair.cancellation_deadline)


def test_booking_counts_match_after_a_sequence_of_changes(world, make):
    slots = [make.slot_at(world.table_a, h) for h in (10, 11, 12)]
    booking = services.book(world.candidate, slots[0])
    db.session.commit()
    booking = services.move(booking, slots[1])
    db.session.commit()
    booking = services.move(fresh(booking), slots[2])
    db.session.commit()
    services.cancel(fresh(booking), world.user)
    db.session.commit()
    counts = dict(db.session.execute(select(Slot.id, Slot.booked_count)).all())
    assert [counts[s.id] for s in slots] == [0, 0, 0]
    assert db.session.scalar(
        select(func.count(Booking.id)).where(Booking.status != "cancelled")) == 0
