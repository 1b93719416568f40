"""The database itself refuses what would break the domain's invariants."""
from datetime import datetime, timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from jobfair.extensions import db
from jobfair.models import Badge, Booking, CheckIn, Lead, Slot, User


def _refused(statement_or_object):
    with pytest.raises(IntegrityError):
        if isinstance(statement_or_object, db.Model):
            db.session.add(statement_or_object)
            db.session.flush()
        else:
            db.session.execute(statement_or_object)
    db.session.rollback()


def test_a_second_entry_checkin_for_the_same_candidate_and_fair_is_refused(make):
    fair = make.fair()
    person = make.candidate()
    db.session.add(CheckIn(fair_id=fair.id, user_id=person.id))
    db.session.commit()
    _refused(CheckIn(fair_id=fair.id, user_id=person.id))


def test_an_undone_checkin_allows_a_new_entry(make):
    fair = make.fair()
    person = make.candidate()
    first = CheckIn(fair_id=fair.id, user_id=person.id)
    db.session.add(first)
    db.session.commit()
    first.undone_at = datetime(2026, 12, 20, 9, 5)
    db.session.add(CheckIn(fair_id=fair.id, user_id=person.id))
    db.session.commit()


def test_a_badge_token_is_never_reused_even_after_revocation(make):
    fair = make.fair()
    first, second = make.candidate(), make.candidate()
    db.session.add(Badge(fair_id=fair.id, user_id=first.id, token="t" * 43, revoked_at=datetime(2026, 1, 1)))
    db.session.commit()
    _refused(Badge(fair_id=fair.id, user_id=second.id, token="t" * 43))


def test_only_one_active_badge_per_person_and_fair(make):
    fair = make.fair()
    person = make.candidate()
    db.session.add(Badge(fair_id=fair.id, user_id=person.id, token="a" * 43))
    db.session.commit()
    _refused(Badge(fair_id=fair.id, user_id=person.id, token="b" * 43))


def test_a_slot_ending_before_it_starts_is_refused(make):
    table = make.table()
    start = datetime(2026, 12, 20, 10, 0)
    _refused(Slot(table_id=table.id, starts_at=start, ends_at=start - timedelta(minutes=20)))
    _refused(Slot(table_id=make.table(name="T2").id, starts_at=start, ends_at=start))


def test_a_slot_needs_a_capacity_of_at_least_one(make):
    table = make.table()
    start = datetime(2026, 12, 20, 10, 0)
    _refused(Slot(table_id=table.id, starts_at=start, ends_at=start + timedelta(minutes=20), capacity=0))


def test_a_slot_cannot_hold_more_bookings_than_its_capacity(make):
    slot = make.slot(capacity=2)
    db.session.commit()
    _refused(update(Slot).where(Slot.id == slot.id).values(booked_count=3))


def test_one_live_booking_per_candidate_and_slot(make):
    slot = make.slot(capacity=3)
    person = make.candidate().candidate
    participation_id = slot.table.participation_id
    db.session.add(Booking(slot_id=slot.id, candidate_id=person.id, participation_id=participation_id))
    db.session.commit()
    _refused(Booking(slot_id=slot.id, candidate_id=person.id, participation_id=participation_id))


def test_a_cancelled_booking_does_not_block_booking_again(make):
    slot = make.slot(capacity=3)
    person = make.candidate().candidate
    participation_id = slot.table.participation_id
    db.session.add(Booking(slot_id=slot.id, candidate_id=person.id, participation_id=participation_id,
                           status="cancelled"))
    db.session.add(Booking(slot_id=slot.id, candidate_id=person.id, participation_id=participation_id))
    db.session.commit()


def test_foreign_keys_are_enforced(make):
    _refused(Booking(slot_id=999999, candidate_id=999999, participation_id=999999))


def test_a_lead_rating_is_between_1_and_4(make):
    participation = make.participation()
    person = make.candidate().candidate
    _refused(Lead(participation_id=participation.id, candidate_id=person.id, rating=5))


def test_unknown_status_values_are_refused(make):
    _refused(User(email="x@example.ma", role="superuser"))
