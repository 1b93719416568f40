"""Locks and seats: how a race for a place has one winner whatever the database.

1. The candidate's row is locked first (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's
   ``BEGIN IMMEDIATE`` already serialises writers), so the rules about the candidate's own
   bookings are read and acted on by one request of that candidate at a time.
2. A place is taken with a conditional UPDATE (``booked_count = booked_count + 1 WHERE
   booked_count < capacity AND NOT is_blocked``): of two requests for the last place, one
   updates a row, the other none ("This slot was just taken").
3. The booking is inserted last; the partial unique indexes are the final guard.

Deadlocks on PostgreSQL are avoided by order: a transaction WAITS only for its own candidate's
row (its first lock) and then for slot rows; waitlist promotion, which runs inside another
candidate's transaction, takes the waiting candidates' rows and extra slot rows with
``SKIP LOCKED`` (never waiting), and a move updates its two slots in id order.
"""
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError

from ..errors import DomainError
from ..extensions import db
from ..models import Booking, Candidate, Slot
from .rules import NOT_ACTIVE, SLOT_TAKEN


# The statements of the hot path are built once per process: composing a statement costs
# more CPU than running it (SQLAlchemy caches the compiled SQL, not the Python objects).
@cache
def _lock_statement(skip_locked):
    return (select(Candidate.id).where(Candidate.id == bindparam("candidate_id"))
            .with_for_update(skip_locked=skip_locked))


@cache
def _seat_statement(delta):
    guard = ((Slot.booked_count < Slot.capacity) & Slot.is_blocked.is_(False) if delta > 0
             else Slot.booked_count > 0)
    return (update(Slot).where(Slot.id == bindparam("slot_id"), guard)
            .values(booked_count=Slot.booked_count + delta)
            .execution_options(synchronize_session=False))


def lock_candidate(candidate_id, skip_locked=False):
    """Hold the candidate's row until the transaction ends.

    SQLite needs no lock: a write transaction there begins with ``BEGIN IMMEDIATE``, which
    already serialises writers (jobfair/database.py), so no statement is sent. With
    ``skip_locked`` (PostgreSQL) it does not wait: False when another transaction holds
    the row right now.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        return True
    locked = db.session.scalar(_lock_statement(skip_locked), {"candidate_id": candidate_id})
    return locked is not None


def lock_slot_if_free(slot_id):
    """Lock a slot's row unless another transaction holds it (PostgreSQL SKIP LOCKED)."""
    return db.session.scalar(
        select(Slot.id).where(Slot.id == slot_id).with_for_update(skip_locked=True)
    ) is not None


def take_seat(slot_id):
    """The database decides who gets a place: one row updated, or none."""
    taken = db.session.execute(_seat_statement(+1), {"slot_id": slot_id}).rowcount == 1
    _expire_count(slot_id)
    return taken


def release_seat(slot_id):
    db.session.execute(_seat_statement(-1), {"slot_id": slot_id})
    _expire_count(slot_id)


def _expire_count(slot_id):
    # Only a slot already in the session needs it; never load one for this.
    slot = db.session.identity_map.get(db.session.identity_key(Slot, slot_id))
    if slot is not None:
        db.session.expire(slot, ["booked_count"])


def take_seat_or_refuse(slot):
    if take_seat(slot.id):
        return
    # Why no place: read in Core, so that a model or one of lean.py's plain slots will do.
    if db.session.scalar(select(Slot.is_blocked).where(Slot.id == slot.id)):
        raise DomainError(_l("The company closed this slot: choose another time."))
    raise DomainError(SLOT_TAKEN)


def new_booking(candidate, slot, nonce=None):
    return Booking(slot_id=slot.id, candidate_id=candidate.id,
                   participation_id=slot.table.participation_id, status="active", nonce=nonce)


def insert_booking(candidate, slot, nonce=None):
    """The last guard: the partial unique indexes refuse a second live booking."""
    booking = new_booking(candidate, slot, nonce)
    try:
        with db.session.begin_nested():
            db.session.add(booking)
    except IntegrityError:
        raise DomainError(_l("You already have an interview with this company.")) from None
    return booking


def mark_cancelled(booking, by_user, now, reason=None):
    changed = db.session.execute(
        update(Booking)
        .where(Booking.id == booking.id, Booking.status == "active")
        .values(status="cancelled", cancelled_at=now, cancelled_by_id=by_user.id,
                cancel_reason=reason)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(booking)
    if changed != 1:
        raise DomainError(NOT_ACTIVE)
