"""The booth's interview schedule: tables, slots, and the bookings a change drops.

Rules, in one place:
- only while ``lifecycle.schedule_editable(fair)``;
- every slot lies within the fair's opening hours, and no two slots of one
  table overlap (the table row is locked while its slots change, so two
  requests cannot both pass the check on PostgreSQL; SQLite's BEGIN IMMEDIATE
  already serialises writers);
- a booked slot is never dropped silently: a change that would cancel live
  bookings raises :class:`ConfirmationRequired` until a reason is given, then
  each booking is cancelled with ``booking.cancel_by_company`` (the booking
  package owns every change of a booking), which emails the candidate.

This module holds what tables and slots share: the confirmation, dropping and deleting
booked slots, and the checks (editable fair, table lock, fair hours). tables.py and
slots.py apply them; services.py is the package's front door.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from ..audit import services as audit
from ..booking import services as booking_services
from ..errors import DomainError
from ..extensions import db
from ..fairs.lifecycle import schedule_editable
from ..models import (
    Booking,
    Candidate,
    Cohort,
    InterviewTable,
    Slot,
    WaitlistEntry,
)
from ..timeutil import local_to_utc


class ConfirmationRequired(DomainError):
    """The change would cancel live bookings: it needs the user's confirmation and a reason."""

    def __init__(self, bookings, changed=False):
        if changed:
            message = _l("Bookings changed since you looked: check the list again and confirm.")
        else:
            message = _l("Give the reason the candidates will read: their booking will be cancelled.")
        super().__init__(message, field="reason")
        self.bookings = bookings
        # True when the bookings differ from those the user confirmed.
        self.changed = changed


# --- Bookings ---------------------------------------------------------------


def active_bookings(slot_ids):
    """Active bookings of these slots, with what the confirmation shows about each candidate."""
    if not slot_ids:
        return []
    return db.session.scalars(
        select(Booking)
        .where(Booking.slot_id.in_(list(slot_ids)), Booking.status == "active")
        .options(
            joinedload(Booking.candidate).joinedload(Candidate.user),
            joinedload(Booking.candidate).joinedload(Candidate.cohort).joinedload(Cohort.track),
            joinedload(Booking.slot),
        )
        .order_by(Booking.slot_id, Booking.id)
    ).unique().all()


def drop_bookings(slot_ids, reason, by_user, seen=None):
    """Cancel the live bookings of these slots: only with a reason, never silently.

    ``seen``: the booking ids the user confirmed; a booking made since then
    asks for confirmation again rather than being cancelled unseen.
    """
    bookings = active_bookings(slot_ids)
    if not bookings:
        return 0
    reason = booking_services.clean_reason(reason)
    if not reason:
        raise ConfirmationRequired(bookings)
    if seen is not None and {b.id for b in bookings} - set(seen):
        raise ConfirmationRequired(bookings, changed=True)
    for one in bookings:
        booking_services.cancel_by_company(one, reason, by_user)
    return len(bookings)


def refuse_if_interviews_recorded(slot_ids, message):
    recorded = db.session.scalar(
        select(func.count(Booking.id)).where(
            Booking.slot_id.in_(list(slot_ids)), Booking.status.in_(("attended", "no_show"))
        )
    )
    if recorded:
        raise DomainError(message)


# --- Shared checks ----------------------------------------------------------


def check_editable(fair):
    if not schedule_editable(fair):
        raise DomainError(_l("This fair is over: its schedule can no longer change."))


def lock_table(table_id):
    """Hold the table's row until the transaction ends (SELECT … FOR UPDATE on PostgreSQL)."""
    db.session.execute(
        select(InterviewTable.id).where(InterviewTable.id == table_id).with_for_update()
    )


def fair_window(fair):
    """The fair's opening hours as naive UTC instants."""
    return local_to_utc(fair.day, fair.opens_at), local_to_utc(fair.day, fair.closes_at)


def table_ranges(table_id, except_slot_id=None):
    query = select(Slot.starts_at, Slot.ends_at).where(Slot.table_id == table_id)
    if except_slot_id is not None:
        query = query.where(Slot.id != except_slot_id)
    return [(row.starts_at, row.ends_at) for row in db.session.execute(query)]


def delete_slots(slot_ids, by_user):
    """Delete slots. Their bookings are all cancelled by now; each is kept in the audit log.

    A booking row needs its slot (the schema holds slot_id NOT NULL), so the
    cancelled bookings of a deleted slot go with it; the audit event keeps who
    had booked, when, and why it was cancelled.
    """
    if not slot_ids:
        return
    bookings = db.session.scalars(
        select(Booking).where(Booking.slot_id.in_(list(slot_ids)))
        .options(joinedload(Booking.slot).joinedload(Slot.table))
    ).unique().all()
    for booking in bookings:
        slot = booking.slot
        audit.record(
            "booking.removed_with_slot", by_user, slot.table.participation.fair_id, booking,
            candidate_id=booking.candidate_id,
            participation_id=booking.participation_id,
            table=slot.table.name,
            slot_starts_at=slot.starts_at.isoformat(),
            slot_ends_at=slot.ends_at.isoformat(),
            status=booking.status,
            cancelled_at=booking.cancelled_at.isoformat() if booking.cancelled_at else None,
            cancel_reason=booking.cancel_reason,
        )
    booking_ids = [b.id for b in bookings]
    if booking_ids:
        db.session.execute(
            update(WaitlistEntry).where(WaitlistEntry.booking_id.in_(booking_ids))
            .values(booking_id=None).execution_options(synchronize_session=False)
        )
        for booking in bookings:
            db.session.delete(booking)
        db.session.flush()
    for slot in db.session.scalars(select(Slot).where(Slot.id.in_(list(slot_ids)))).all():
        db.session.expire(slot, ["bookings"])  # reloaded empty: nothing left to unlink
        db.session.delete(slot)
    db.session.flush()
