"""Interview slots, bookings and waitlists.

Capacity is held by the database: ``booked_count`` may never pass
``capacity`` (CHECK), and a booking takes a place with a conditional UPDATE
(``... SET booked_count = booked_count + 1 WHERE booked_count < capacity``),
so two requests racing for the last place cannot both win.
"""
from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, String, Table, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..extensions import db
from ..timeutil import utc_offset_minutes
from .base import one_of, utcnow

BOOKING_STATUSES = ("active", "cancelled", "attended", "no_show")
WAITLIST_STATUSES = ("waiting", "booked", "left")

# Prerequisites: when a slot lists tracks or cohorts, only their candidates may book it.
slot_tracks = Table(
    "slot_tracks",
    db.metadata,
    Column("slot_id", ForeignKey("slots.id", ondelete="CASCADE"), primary_key=True),
    Column("track_id", ForeignKey("tracks.id", ondelete="CASCADE"), primary_key=True),
)
slot_cohorts = Table(
    "slot_cohorts",
    db.metadata,
    Column("slot_id", ForeignKey("slots.id", ondelete="CASCADE"), primary_key=True),
    Column("cohort_id", ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True),
)


class Slot(db.Model):
    __tablename__ = "slots"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("capacity >= 1", name="capacity_positive"),
        CheckConstraint("booked_count >= 0 AND booked_count <= capacity", name="within_capacity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    table_id: Mapped[int] = mapped_column(ForeignKey("interview_tables.id"), index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    capacity: Mapped[int] = mapped_column(default=1)
    booked_count: Mapped[int] = mapped_column(default=0)
    is_blocked: Mapped[bool] = mapped_column(default=False)
    # Casablanca's offset from UTC when the start was written: the local time meant is
    # starts_at + this offset, even after a time-zone rule change (schedule/retiming.py).
    utc_offset_minutes: Mapped[int | None]

    table = relationship("InterviewTable", back_populates="slots")
    eligible_tracks = relationship("Track", secondary=slot_tracks)
    eligible_cohorts = relationship("Cohort", secondary=slot_cohorts)
    bookings = relationship("Booking", back_populates="slot")

    @property
    def free_places(self):
        return self.capacity - self.booked_count

    @validates("starts_at")
    def _keep_utc_offset(self, _key, value):
        self.utc_offset_minutes = None if value is None else utc_offset_minutes(value)
        return value


class Booking(db.Model):
    __tablename__ = "bookings"
    __table_args__ = (one_of("status", BOOKING_STATUSES, "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    # Denormalised from the slot so that "one booking per company" is a unique index.
    participation_id: Mapped[int] = mapped_column(ForeignKey("participations.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="active")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Told to the candidate when the company or the organizer cancels.
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    # The day-before reminder is sent once.
    reminder_sent_at: Mapped[datetime | None]
    # Sent with the booking form, so that a retried request answers with its own booking.
    nonce: Mapped[str | None] = mapped_column(String(64))

    slot = relationship("Slot", back_populates="bookings")
    candidate = relationship("Candidate")
    participation = relationship("Participation")


class WaitlistEntry(db.Model):
    __tablename__ = "waitlist_entries"
    __table_args__ = (one_of("status", WAITLIST_STATUSES, "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participation_id: Mapped[int] = mapped_column(ForeignKey("participations.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="waiting")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"))

    participation = relationship("Participation")
    candidate = relationship("Candidate")


_NOT_CANCELLED = text("status <> 'cancelled'")
# One live booking per candidate and slot, and per candidate and company.
Index(
    "uq_bookings_live_slot_candidate",
    Booking.slot_id,
    Booking.candidate_id,
    unique=True,
    sqlite_where=_NOT_CANCELLED,
    postgresql_where=_NOT_CANCELLED,
)
Index(
    "uq_bookings_live_participation_candidate",
    Booking.participation_id,
    Booking.candidate_id,
    unique=True,
    sqlite_where=_NOT_CANCELLED,
    postgresql_where=_NOT_CANCELLED,
)
# A nonce is the candidate's own: another's never collides with it.
Index("uq_bookings_candidate_nonce", Booking.candidate_id, Booking.nonce, unique=True)
_WAITING = text("status = 'waiting'")
Index(
    "uq_waitlist_waiting_participation_candidate",
    WaitlistEntry.participation_id,
    WaitlistEntry.candidate_id,
    unique=True,
    sqlite_where=_WAITING,
    postgresql_where=_WAITING,
)
