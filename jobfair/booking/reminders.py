"""The day-before reminder: once per active booking, for the fairs held tomorrow (Casablanca)."""
from datetime import timedelta

from sqlalchemy import select, update

from ..extensions import db
from ..fairs.lifecycle import is_over, is_public
from ..models import Booking, Fair, Participation, utcnow
from ..timeutil import local_today
from . import notify


def due_reminders(today=None):
    """Ids of the active bookings of fairs held tomorrow (Casablanca) not yet reminded."""
    tomorrow = (today or local_today()) + timedelta(days=1)
    fairs = [f for f in db.session.scalars(select(Fair).where(Fair.day == tomorrow))
             if is_public(f) and not is_over(f)]
    if not fairs:
        return []
    return db.session.scalars(
        select(Booking.id)
        .join(Participation, Booking.participation_id == Participation.id)
        .where(Participation.fair_id.in_([f.id for f in fairs]),
               Booking.status == "active", Booking.reminder_sent_at.is_(None))
        .order_by(Booking.id)
    ).all()


def send_reminder(booking_id, now=None):
    """Claim the reminder with a conditional UPDATE, then queue it: True when this call sent it."""
    claimed = db.session.execute(
        update(Booking)
        .where(Booking.id == booking_id, Booking.status == "active",
               Booking.reminder_sent_at.is_(None))
        .values(reminder_sent_at=now or utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        return False
    booking = db.session.get(Booking, booking_id)
    db.session.refresh(booking)
    notify.booking_reminder(booking)
    return True
