"""The booking rules: each a ``check_*`` function on plain objects that raises ``DomainError``
with its own message (in the reader's language: tests/test_booking_messages.py), and the reads
they need. ``check_can_book`` runs them in order; nothing here writes.

"Live" bookings, everywhere in this package, are those not cancelled (active, attended,
no-show): the ones that count against the fair's limits and that the partial unique indexes
allow once per candidate and slot, and per candidate and company.
"""
from datetime import timedelta
from functools import cache

from flask_babel import LazyString, format_datetime, format_time, lazy_ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload, selectinload

from ..candidate.services import missing_profile_items
from ..errors import DomainError
from ..extensions import db
from ..fairs.lifecycle import booking_open, is_over, is_public
from ..models import Booking, InterviewTable, Participation, Slot, utcnow

SLOT_TAKEN = _l("This slot was just taken: choose another time.")
NOT_ACTIVE = _l("This interview is no longer booked: nothing was changed.")


# Times and dates inside messages are formatted when the message is shown (in the
# reader's language), not when the rule fails: a rule needs no locale to run.
def slot_times(slot):
    starts_at, ends_at = slot.starts_at, slot.ends_at
    return LazyString(lambda: f"{format_time(starts_at, 'short')}–{format_time(ends_at, 'short')}")


def _datetime(instant):
    return LazyString(format_datetime, instant, "short")


# --- Reading what the rules need (fresh: after the lock) -------------------------------


@cache
def _live_bookings_statement():
    # Built once per process (the booking hot path runs it on every request).
    return (
        select(Booking)
        .join(Participation, Booking.participation_id == Participation.id)
        .where(Booking.candidate_id == bindparam("candidate_id"),
               Participation.fair_id == bindparam("fair_id"), Booking.status != "cancelled")
        .options(joinedload(Booking.slot),
                 joinedload(Booking.participation).joinedload(Participation.company))
        .order_by(Booking.id)
        .execution_options(populate_existing=True)
    )


def live_bookings(candidate_id, fair_id):
    """The candidate's bookings in this fair that are not cancelled, re-read from the database."""
    return db.session.scalars(
        _live_bookings_statement(), {"candidate_id": candidate_id, "fair_id": fair_id}
    ).unique().all()


def free_slots(participation_id, now=None):
    """The company's slots with a free place, open and not started, earliest first."""
    return db.session.scalars(
        select(Slot)
        .join(InterviewTable, Slot.table_id == InterviewTable.id)
        .where(InterviewTable.participation_id == participation_id,
               Slot.is_blocked.is_(False), Slot.booked_count < Slot.capacity,
               Slot.starts_at > (now or utcnow()))
        .options(joinedload(Slot.table), selectinload(Slot.eligible_tracks),
                 selectinload(Slot.eligible_cohorts))
        .order_by(Slot.starts_at, Slot.id)
        .execution_options(populate_existing=True)
    ).all()


# --- The rules, one message each ------------------------------------------------------


def check_profile(candidate):
    missing = missing_profile_items(candidate)
    if missing:
        items = LazyString(lambda: ", ".join(str(item) for item in missing))
        raise DomainError(_l("Complete your profile before booking. Missing: %(items)s.",
                             items=items))


def round_pending(fair):
    """A fair with a booking round (jobfair/round/) opens first-come once the round is published.

    ``fair.booking_round`` is loaded once per fair object (a many-to-one backref)."""
    return fair.booking_round is not None and fair.booking_round.published_at is None


def first_come_open(fair, now=None):
    """Whether first-come booking is open now: the rule of ``check_booking_window``."""
    return not round_pending(fair) and booking_open(fair, now or utcnow())


def check_booking_window(fair, now=None):
    now = now or utcnow()
    if round_pending(fair):
        raise DomainError(_l("Booking opens once the interviews of the booking round are "
                             "published."))
    if booking_open(fair, now):
        return
    if is_over(fair):
        raise DomainError(_l("This fair is over: booking is closed."))
    if not is_public(fair):
        raise DomainError(_l("This fair is not open to booking yet."))
    if now < fair.booking_opens_at:
        raise DomainError(_l("Booking opens on %(when)s.",
                             when=_datetime(fair.booking_opens_at)))
    raise DomainError(_l("Booking closed on %(when)s.",
                         when=_datetime(fair.booking_closes_at)))


def check_cohort_invited(fair, candidate):
    if candidate.cohort_id is None or candidate.cohort_id not in {c.id for c in fair.cohorts}:
        raise DomainError(_l("Your cohort is not invited to this fair."))


def check_company_takes_part(participation):
    if participation.status != "approved":
        raise DomainError(_l("%(company)s no longer takes part in this fair.",
                             company=participation.company.name))


def eligibility_problem(slot, candidate):
    """Why the slot's prerequisites exclude the candidate, or None. Empty lists: everyone invited.

    Each list restricts on its own (the company chose "only these tracks" and/or
    "only these cohorts"): a candidate must satisfy both when both are set.
    """
    cohort = candidate.cohort
    tracks = slot.eligible_tracks
    if tracks and (cohort is None or cohort.track_id not in {t.id for t in tracks}):
        return _l("This slot is reserved for candidates of these tracks: %(names)s.",
                  names=", ".join(sorted(t.name for t in tracks)))
    cohorts = slot.eligible_cohorts
    if cohorts and candidate.cohort_id not in {c.id for c in cohorts}:
        return _l("This slot is reserved for candidates of these cohorts: %(names)s.",
                  names=", ".join(sorted(c.name for c in cohorts)))
    return None


def check_eligible(slot, candidate):
    problem = eligibility_problem(slot, candidate)
    if problem:
        raise DomainError(problem)


def check_slot_open(slot, now=None):
    if slot.is_blocked:
        raise DomainError(_l("The company closed this slot: choose another time."))
    if slot.starts_at <= (now or utcnow()):
        raise DomainError(_l("This slot has already started: choose a later time."))


def check_booking_limit(fair, live):
    limit = fair.max_bookings_per_candidate
    if len(live) >= limit:
        raise DomainError(lazy_ngettext(
            "You already have %(num)d interview at this fair, the most allowed: "
            "cancel it to book another.",
            "You already have %(num)d interviews at this fair, the most allowed: "
            "cancel one to book another.",
            limit))


def check_one_per_company(participation_id, live):
    for booking in live:
        if booking.participation_id == participation_id:
            raise DomainError(_l(
                "You already have an interview with %(company)s (%(time)s): "
                "one per company. Move it if another time suits you better.",
                company=booking.participation.company.name, time=slot_times(booking.slot)))


def check_timing(fair, slot, live):
    """No overlap with the candidate's other interviews, and the fair's minimum gap between them."""
    gap = timedelta(minutes=fair.min_gap_minutes)
    for booking in sorted(live, key=lambda b: b.slot.starts_at):
        other = booking.slot
        company = booking.participation.company.name
        if slot.starts_at < other.ends_at and other.starts_at < slot.ends_at:
            raise DomainError(_l("This slot overlaps your interview with %(company)s (%(time)s).",
                                 company=company, time=slot_times(other)))
        if slot.starts_at < other.ends_at + gap and other.starts_at < slot.ends_at + gap:
            raise DomainError(lazy_ngettext(
                "Leave at least %(num)d minute between two interviews: "
                "you have one with %(company)s (%(time)s).",
                "Leave at least %(num)d minutes between two interviews: "
                "you have one with %(company)s (%(time)s).",
                fair.min_gap_minutes, company=company, time=slot_times(other)))


def check_capacity(slot):
    """What the page showed may be stale; the conditional UPDATE in ``take_seat`` decides."""
    if slot.booked_count >= slot.capacity:
        raise DomainError(SLOT_TAKEN)


def check_can_book(candidate, slot, live, now=None):
    """Every rule for ``candidate`` to book ``slot``, given their other live bookings."""
    participation = slot.table.participation
    fair = participation.fair
    check_profile(candidate)
    check_booking_window(fair, now)
    check_cohort_invited(fair, candidate)
    check_company_takes_part(participation)
    check_eligible(slot, candidate)
    check_slot_open(slot, now)
    check_booking_limit(fair, live)
    check_one_per_company(participation.id, live)
    check_timing(fair, slot, live)
    check_capacity(slot)


def booking_problem(candidate, slot, live, now=None):
    """The message of the first rule that refuses, or None (to offer only bookable choices)."""
    try:
        check_can_book(candidate, slot, live, now)
    except DomainError as error:
        return error.message
    return None


def check_changeable(booking, fair, now=None):
    """A booking may be cancelled or moved while active, until the fair's cancellation deadline."""
    if booking.status != "active":
        raise DomainError(NOT_ACTIVE)
    if is_over(fair):
        raise DomainError(_l("This fair is over: its interviews can no longer change."))
    if (now or utcnow()) >= fair.cancellation_deadline:
        raise DomainError(_l(
            "Interviews could be cancelled or moved until %(when)s. "
            "If you cannot come, tell the company at its booth or by email.",
            when=_datetime(fair.cancellation_deadline)))
