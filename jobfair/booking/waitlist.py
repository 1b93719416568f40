"""The waitlist: a candidate waits for a company with no free slot they could book; a freed
place goes to the earliest waiting candidate whom every rule allows, in the freeing transaction.
"""
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..errors import DomainError
from ..extensions import db
from ..fairs.lifecycle import booking_open
from ..insertion import table as insertion_table
from ..models import Candidate, Cohort, WaitlistEntry, utcnow
from . import notify
from .rules import (
    slot_times,
    check_booking_limit,
    check_booking_window,
    check_can_book,
    check_cohort_invited,
    check_company_takes_part,
    check_one_per_company,
    check_profile,
    free_slots,
    live_bookings,
)
from .seats import lock_candidate, lock_slot_if_free, new_booking, take_seat


def waiting_entry(candidate_id, participation_id):
    return db.session.scalar(
        select(WaitlistEntry).where(WaitlistEntry.candidate_id == candidate_id,
                                    WaitlistEntry.participation_id == participation_id,
                                    WaitlistEntry.status == "waiting")
    )


def bookable_slot(candidate, participation, live, now=None):
    """The first free slot of the company that ``candidate`` could book now, or None."""
    for slot in free_slots(participation.id, now):
        try:
            check_can_book(candidate, slot, live, now)
        except DomainError:
            continue
        return slot
    return None


def join_waitlist(candidate, participation, now=None):
    """Wait for a place with a company that has no free slot the candidate could book."""
    now = now or utcnow()
    fair = participation.fair
    lock_candidate(candidate.id)
    check_profile(candidate)
    check_booking_window(fair, now)
    check_cohort_invited(fair, candidate)
    check_company_takes_part(participation)
    live = live_bookings(candidate.id, fair.id)
    check_one_per_company(participation.id, live)
    check_booking_limit(fair, live)
    if waiting_entry(candidate.id, participation.id) is not None:
        raise DomainError(_l("You are already on the waitlist of %(company)s.",
                             company=participation.company.name))
    slot = bookable_slot(candidate, participation, live, now)
    if slot is not None:
        raise DomainError(_l("%(company)s still has a free slot you can book (%(time)s): "
                             "book it rather than wait.",
                             company=participation.company.name, time=slot_times(slot)))
    entry = WaitlistEntry(participation_id=participation.id, candidate_id=candidate.id,
                          status="waiting")
    try:
        with db.session.begin_nested():
            db.session.add(entry)
    except IntegrityError:  # a second click at the same moment: the unique index decided
        raise DomainError(_l("You are already on the waitlist of %(company)s.",
                             company=participation.company.name)) from None
    return entry


def leave_waitlist(candidate, participation):
    left = db.session.execute(
        update(WaitlistEntry)
        .where(WaitlistEntry.candidate_id == candidate.id,
               WaitlistEntry.participation_id == participation.id,
               WaitlistEntry.status == "waiting")
        .values(status="left")
        .execution_options(synchronize_session=False)
    ).rowcount
    if left != 1:
        raise DomainError(_l("You are not on the waitlist of %(company)s.",
                             company=participation.company.name))


def promote_waitlist(participation, now=None):
    """Give the company's free places to its waitlist, in order — inside the caller's transaction.

    Each waiting candidate in turn (earliest first) is locked and checked
    against EVERY rule; the first free slot they may book is theirs (conditional
    seat UPDATE), the entry becomes "booked" and they are emailed. Candidates
    for whom a rule fails keep their place. A candidate whose row another
    transaction holds at this instant (PostgreSQL) is passed over this time and
    keeps their place too: waiting for them could deadlock.
    """
    now = now or utcnow()
    fair = participation.fair
    if participation.status != "approved" or not booking_open(fair, now):
        return []
    entries = db.session.scalars(
        select(WaitlistEntry)
        .where(WaitlistEntry.participation_id == participation.id,
               WaitlistEntry.status == "waiting")
        .order_by(WaitlistEntry.id)
    ).all()
    promoted = []
    for entry in entries:
        slots = free_slots(participation.id, now)
        if not slots:
            break
        if not lock_candidate(entry.candidate_id, skip_locked=True):
            continue
        db.session.refresh(entry)
        if entry.status != "waiting":
            continue
        candidate = db.session.scalar(
            select(Candidate).where(Candidate.id == entry.candidate_id)
            .options(joinedload(Candidate.user),
                     joinedload(Candidate.cohort).joinedload(Cohort.track))
            .execution_options(populate_existing=True)
        )
        booking = _promote(candidate, slots, live_bookings(candidate.id, fair.id), now)
        if booking is None:
            continue
        entry.status, entry.booking_id = "booked", booking.id
        db.session.flush()
        insertion_table.booked(fair.id, candidate.id)  # the dashboard counts them now
        notify.booking_promoted(booking)
        promoted.append(booking)
    return promoted


class _SeatGone(Exception):
    pass


def _promote(candidate, slots, live, now):
    for slot in slots:
        try:
            check_can_book(candidate, slot, live, now)
        except DomainError:
            continue
        if not lock_slot_if_free(slot.id):
            continue
        try:
            with db.session.begin_nested():
                if not take_seat(slot.id):
                    raise _SeatGone
                booking = new_booking(candidate, slot)
                db.session.add(booking)
        except (_SeatGone, IntegrityError):
            continue
        return booking
    return None


@cache
def _close_waiting_statement():
    return (
        update(WaitlistEntry)
        .where(WaitlistEntry.candidate_id == bindparam("w_candidate"),
               WaitlistEntry.participation_id == bindparam("w_participation"),
               WaitlistEntry.status == "waiting")
        .values(status="booked", booking_id=bindparam("w_booking"))
        .execution_options(synchronize_session=False)
    )


def close_waiting_entry(candidate_id, participation_id, booking):
    """A candidate who books the company directly leaves its waitlist (as booked)."""
    db.session.execute(_close_waiting_statement(), {
        "w_candidate": candidate_id, "w_participation": participation_id,
        "w_booking": booking.id})
