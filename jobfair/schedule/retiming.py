"""Slots shifted by a time-zone rule change, found and put back at the local time meant.

A slot's instants are stored in UTC, computed from Casablanca's rules of the day they were
written (pytz's copy of tzdata). Morocco's rules move (Ramadan's dates, the 2026 change): after
a pytz update, an interview booked for 10:00 may show as 09:00. Each slot keeps the offset it
was written with (``Slot.utc_offset_minutes``), so the local time meant is known; the operator
runs ``flask jobfair shifted-slots`` after updating pytz, and ``--fix`` moves the shifted slots'
UTC instants so that they show the time the organizer chose and the candidates were told.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from ..extensions import db
from ..models import Booking, Fair, InterviewTable, Participation, Slot
from ..timeutil import local_offset_minutes, local_today, utc_to_local


@dataclass
class Shifted:
    slot: Slot
    meant: datetime  # the local time chosen when the slot was written
    shown: datetime  # the local time today's rules give its stored instant
    booked: int  # live bookings

    @property
    def correction(self):
        return self.meant - self.shown


def shifted_slots(today=None):
    """The slots of fairs from ``today`` on (local) whose local time the rules changed."""
    today = today or local_today()
    slots = db.session.scalars(
        select(Slot)
        .join(Slot.table).join(InterviewTable.participation).join(Participation.fair)
        .where(Fair.day >= today, Slot.utc_offset_minutes.is_not(None))
        .options(contains_eager(Slot.table).contains_eager(InterviewTable.participation)
                 .contains_eager(Participation.fair))
        .order_by(Fair.day, Slot.starts_at, Slot.id)
    ).all()
    found = []
    for slot in slots:
        meant = slot.starts_at + timedelta(minutes=slot.utc_offset_minutes)
        if local_offset_minutes(meant) != slot.utc_offset_minutes:
            found.append(Shifted(slot, meant, utc_to_local(slot.starts_at), 0))
    if found:
        booked = dict(db.session.execute(
            select(Booking.slot_id, func.count(Booking.id))
            .where(Booking.slot_id.in_([s.slot.id for s in found]),
                   Booking.status != "cancelled")
            .group_by(Booking.slot_id)).all())
        for shifted in found:
            shifted.booked = booked.get(shifted.slot.id, 0)
    return found


def put_back(found):
    """Move each shifted slot (start and end) to the local time meant; returns the count.

    Every slot of one day moves by the same correction, so no new overlap appears.
    """
    for shifted in found:
        slot, correction = shifted.slot, shifted.correction
        slot.starts_at, slot.ends_at = slot.starts_at + correction, slot.ends_at + correction
    db.session.flush()
    return len(found)
