"""Every change of a booking's state, in one transaction each (the caller commits, or rolls back
on ``DomainError``): the candidate books, cancels, moves; the company cancels one (with a reason
the candidate reads); the booth marks attended or no-show. The rules are in rules.py, the locks
and seats in seats.py, the waitlist in waitlist.py; schedule, companies and leads call these.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from ..errors import DomainError
from ..extensions import db
from ..fairs.lifecycle import is_live, is_over
from ..insertion import table as insertion_table
from ..models import Booking, utcnow
from . import lean, notify
from .rules import check_can_book, check_changeable, live_bookings
from .seats import (
    insert_booking,
    lock_candidate,
    mark_cancelled,
    release_seat,
    take_seat_or_refuse,
)
from .waitlist import close_waiting_entry, promote_waitlist

REASON_MAX = 500
ATTENDANCE_MARKS = ("attended", "no_show")


# --- The candidate: book, cancel, move ----------------------------------------------------


def book(candidate, slot, now=None, nonce=None):
    """Book ``slot`` for ``candidate`` (models): ``place_booking``, then the new Booking."""
    return db.session.get(Booking, place_booking(candidate, slot, now, nonce).id)


def place_booking(candidate, slot, now=None, nonce=None, sent=lean.UNREAD):
    """Book ``slot`` for ``candidate``: every rule, one transaction (the caller commits).

    ``candidate`` and ``slot`` are models, or the plain objects of lean.py (the booking
    POST); the reads and writes are Core statements either way, and the answer is a
    ``lean.LeanBooking``. ``nonce`` (from the form): a retried request whose first answer
    was lost gets that booking back, as long as it stands, instead of "you already have an
    interview". ``sent``: that booking as read with the slot (``lean.booking_request``).
    """
    now = now or utcnow()
    participation = slot.table.participation
    nonce = lean.clean_nonce(nonce)
    db.session.flush()  # Core statements do not autoflush: a caller's changes go first
    if nonce:
        sent = lean.booking_with_nonce(candidate.id, nonce) if sent is lean.UNREAD else sent
        if _stands(sent, slot):
            return _answer_again(sent, slot, candidate)
    # The rules on what is loaded first, before any lock: a full slot (most answers of a
    # rush) is refused with no further statement. Read in the slot's snapshot, a retry's
    # own booking would have been found above.
    check_can_book(candidate, slot, [], now)
    lock_candidate(candidate.id)  # orders the candidate's requests, two retries among them
    if nonce:
        # Again under the lock: the same request retried at once may just have committed it.
        sent = lean.booking_with_nonce(candidate.id, nonce)
        if _stands(sent, slot):
            return _answer_again(sent, slot, candidate)
        nonce = None if sent is not None else nonce  # used already: an ordinary booking
    # Then every rule, on the candidate's fresh bookings.
    live = lean.live_bookings(candidate.id, participation.fair_id)
    check_can_book(candidate, slot, live, now)
    take_seat_or_refuse(slot)
    # A booking row is written here (what must happen with every new booking follows it).
    booking = _insert_booking(candidate, slot, nonce)
    insertion_table.booked(participation.fair_id, candidate.id)
    close_waiting_entry(candidate.id, participation.id, booking)
    notify.booking_confirmed(booking)
    return booking


def _stands(sent, slot):
    return sent is not None and sent.slot_id == slot.id and sent.status != "cancelled"


def _answer_again(sent, slot, candidate):
    return lean.LeanBooking(sent.id, slot.id, candidate.id, sent.participation_id,
                            sent.status, slot, candidate)


def _insert_booking(candidate, slot, nonce):
    """The last guard: the partial unique indexes refuse a second live booking."""
    participation_id = slot.table.participation_id
    booking_id = lean.insert_booking(candidate.id, slot.id, participation_id, nonce)
    if booking_id is None:
        raise DomainError(_l("You already have an interview with this company."))
    return lean.LeanBooking(booking_id, slot.id, candidate.id, participation_id, "active",
                            slot, candidate)


def cancel(booking, by_user, now=None):
    """The candidate cancels: the place is freed and offered to the company's waitlist at once."""
    now = now or utcnow()
    participation = booking.participation
    lock_candidate(booking.candidate_id)
    db.session.refresh(booking)
    check_changeable(booking, participation.fair, now)
    mark_cancelled(booking, by_user, now)
    insertion_table.refresh_membership(participation.fair_id, [booking.candidate_id])
    release_seat(booking.slot_id)
    notify.booking_cancelled(booking)
    promote_waitlist(participation, now)
    return booking


def move(booking, target, now=None):
    """Move to another slot of the same company: the new booking and the release happen together.

    The old booking is cancelled first (the unique index allows one live
    booking per candidate and company), then the places change; any refusal
    raises, and the caller's rollback leaves everything as it was.
    """
    now = now or utcnow()
    participation = booking.participation
    fair = participation.fair
    lock_candidate(booking.candidate_id)
    db.session.refresh(booking)
    check_changeable(booking, fair, now)
    if target.id == booking.slot_id:
        raise DomainError(_l("This is already the time of your interview."), field="target")
    if target.table.participation_id != booking.participation_id:
        raise DomainError(_l("Choose another time with the same company."), field="target")
    candidate = booking.candidate
    live = [b for b in live_bookings(candidate.id, fair.id) if b.id != booking.id]
    try:
        check_can_book(candidate, target, live, now)
    except DomainError as error:
        raise DomainError(error.message, field="target") from None
    old_slot = booking.slot
    mark_cancelled(booking, candidate.user, now)
    # Slot rows in id order: two moves in opposite directions cannot deadlock (PostgreSQL).
    for slot_id in sorted((old_slot.id, target.id)):
        if slot_id == target.id:
            try:
                take_seat_or_refuse(target)
            except DomainError as error:
                raise DomainError(error.message, field="target") from None
        else:
            release_seat(old_slot.id)
    new = insert_booking(candidate, target)
    notify.booking_moved(booking, new)
    promote_waitlist(participation, now)
    return new


# --- The company: cancel with a reason -----------------------------------------------------


def clean_reason(reason):
    """The reason a candidate will read, on one line; too long is refused (field "reason")."""
    reason = " ".join((reason or "").split())
    if len(reason) > REASON_MAX:
        raise DomainError(
            _l("Keep the reason under %(max)d characters.", max=REASON_MAX), field="reason"
        )
    return reason


def cancel_by_company(booking, reason, by_user, now=None):
    """The company cancels one active booking: the place is freed and the candidate emailed
    (with the .ics withdrawing the interview), in the caller's transaction.

    Conditional on the booking being active, so two cancellations of one booking free one place.
    The waitlist is not offered the place here: the callers drop slots or a whole participation.
    """
    reason = clean_reason(reason)
    if not reason:
        raise DomainError(_l("Give the reason the candidate will read."), field="reason")
    changed = db.session.execute(
        update(Booking)
        .where(Booking.id == booking.id, Booking.status == "active")
        .values(status="cancelled", cancelled_at=now or utcnow(), cancelled_by_id=by_user.id,
                cancel_reason=reason)
        .execution_options(synchronize_session="evaluate")
    ).rowcount
    if changed != 1:
        raise DomainError(_l("This booking is no longer active: it was not cancelled again."))
    insertion_table.refresh_membership(booking.participation.fair_id, [booking.candidate_id])
    release_seat(booking.slot_id)
    notify.booking_cancelled_by_company(booking, reason)
    return booking


# --- The booth: attended, no-show ----------------------------------------------------------


def mark_attended(booking):
    """active → attended, once: True when this call made the change (a booth scan)."""
    changed = db.session.execute(
        update(Booking).where(Booking.id == booking.id, Booking.status == "active")
        .values(status="attended")
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(booking)
    if changed:  # the dashboard's interviews held
        insertion_table.refresh_company_totals([booking.participation.fair_id])
    return changed == 1


def mark_attendance(participation, booking_id, status, now=None):
    """Mark a booking of ``participation`` attended or no-show (a no-show once its slot ended), once.

    Raises LookupError for a booking that is not the participation's (the view answers 404).
    """
    now = now or utcnow()
    if status not in ATTENDANCE_MARKS:
        raise DomainError(_l("Choose attended or no-show."))
    if not (is_live(participation.fair) or is_over(participation.fair)):
        raise DomainError(_l("Attendance is recorded on the fair's day."))
    booking = db.session.scalar(
        select(Booking).where(Booking.id == booking_id,
                              Booking.participation_id == participation.id)
        .options(joinedload(Booking.slot))
    )
    if booking is None:
        raise LookupError(booking_id)
    if status == "no_show" and booking.slot.ends_at > now:
        raise DomainError(_l("A no-show can be recorded only once the slot has ended."))
    changed = db.session.execute(
        update(Booking).where(Booking.id == booking.id, Booking.status == "active")
        .values(status=status).execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        raise DomainError(_l("This booking was already marked."))
    db.session.refresh(booking)
    if status == "attended":  # the dashboard's interviews held
        insertion_table.refresh_company_totals([participation.fair_id])
    return booking
