"""Fairs, the companies taking part (participations), booths and tables."""
from datetime import date, datetime, time

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import one_of, utcnow

FAIR_STATUSES = ("draft", "published", "live", "closed")
PARTICIPATION_STATUSES = ("requested", "approved", "declined", "withdrawn")
REGIONS = (
    "tanger_tetouan_al_hoceima",
    "oriental",
    "fes_meknes",
    "rabat_sale_kenitra",
    "beni_mellal_khenifra",
    "casablanca_settat",
    "marrakech_safi",
    "draa_tafilalet",
    "souss_massa",
    "guelmim_oued_noun",
    "laayoune_sakia_el_hamra",
    "dakhla_oued_ed_dahab",
)

fair_cohorts = Table(
    "fair_cohorts",
    db.metadata,
    Column("fair_id", ForeignKey("fairs.id", ondelete="CASCADE"), primary_key=True),
    Column("cohort_id", ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True),
)

fair_staff = Table(
    "fair_staff",
    db.metadata,
    Column("fair_id", ForeignKey("fairs.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class Fair(db.Model):
    __tablename__ = "fairs"
    __table_args__ = (
        one_of("status", FAIR_STATUSES, "status"),
        one_of("region", REGIONS, "region"),
        CheckConstraint("closes_at > opens_at", name="hours_in_order"),
        CheckConstraint("booking_closes_at > booking_opens_at", name="booking_window_in_order"),
        CheckConstraint("max_bookings_per_candidate >= 1", name="max_bookings_positive"),
        CheckConstraint("min_gap_minutes >= 0", name="min_gap_not_negative"),
        CheckConstraint("hall_rows >= 0 AND hall_cols >= 0", name="hall_size"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    city: Mapped[str] = mapped_column(String(100))
    region: Mapped[str] = mapped_column(String(40))
    venue: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    # The day and opening hours are local (Africa/Casablanca); instants are UTC.
    day: Mapped[date]
    opens_at: Mapped[time]
    closes_at: Mapped[time]
    booking_opens_at: Mapped[datetime]
    booking_closes_at: Mapped[datetime]
    cancellation_deadline: Mapped[datetime]
    max_bookings_per_candidate: Mapped[int] = mapped_column(default=3)
    min_gap_minutes: Mapped[int] = mapped_column(default=15)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    # The hall's floor plan: a grid of hall_rows × hall_cols cells, some of them booths.
    hall_rows: Mapped[int] = mapped_column(default=0)
    hall_cols: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    cohorts = relationship("Cohort", secondary=fair_cohorts)
    staff = relationship("User", secondary=fair_staff)
    participations = relationship("Participation", back_populates="fair")
    booths = relationship("Booth", back_populates="fair", order_by="Booth.number")


class Participation(db.Model):
    """A company taking part in a fair: requested → approved (or declined / withdrawn)."""

    __tablename__ = "participations"
    __table_args__ = (
        UniqueConstraint("fair_id", "company_id"),
        one_of("status", PARTICIPATION_STATUSES, "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="requested")
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Why it was declined or withdrawn, shown to the company.
    reason: Mapped[str | None] = mapped_column(Text)

    fair = relationship("Fair", back_populates="participations")
    company = relationship("Company", back_populates="participations")
    booth = relationship("Booth", back_populates="participation", uselist=False)
    tables = relationship("InterviewTable", back_populates="participation")


class Booth(db.Model):
    """A place on the hall's grid; at most one company per booth and one booth per company."""

    __tablename__ = "booths"
    __table_args__ = (
        UniqueConstraint("fair_id", "number"),
        UniqueConstraint("fair_id", "grid_row", "grid_col"),
        CheckConstraint("grid_row >= 0 AND grid_col >= 0", name="grid_position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id"), index=True)
    number: Mapped[str] = mapped_column(String(20))
    zone: Mapped[str | None] = mapped_column(String(50))
    grid_row: Mapped[int]
    grid_col: Mapped[int]
    participation_id: Mapped[int | None] = mapped_column(
        ForeignKey("participations.id"), unique=True
    )

    fair = relationship("Fair", back_populates="booths")
    participation = relationship("Participation", back_populates="booth")


class InterviewTable(db.Model):
    """One interviewer (or interview table) of a company's booth."""

    __tablename__ = "interview_tables"
    __table_args__ = (UniqueConstraint("participation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participation_id: Mapped[int] = mapped_column(ForeignKey("participations.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))

    participation = relationship("Participation", back_populates="tables")
    slots = relationship("Slot", back_populates="table", order_by="Slot.starts_at")
