"""Companies, their representatives (users with company_id) and open positions."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import one_of, utcnow

SECTORS = ("esn", "banking", "telecom", "software", "sme", "startup", "public", "other")
SIZES = ("1-10", "11-50", "51-250", "251-1000", "1000+")
CONTRACT_TYPES = ("cdi", "cdd", "internship", "pre_hire_internship", "idmaj", "freelance")


class Company(db.Model):
    __tablename__ = "companies"
    __table_args__ = (
        one_of("sector", SECTORS, "sector"),
        one_of("size", SIZES, "size"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Lower-case, accents and legal forms stripped: how duplicates are found.
    normalized_name: Mapped[str] = mapped_column(String(200), unique=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    email_domain: Mapped[str | None] = mapped_column(String(200), index=True)
    sector: Mapped[str] = mapped_column(String(20), default="other")
    city: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[str | None] = mapped_column(String(20))
    description: Mapped[str | None] = mapped_column(Text)
    website: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    representatives = relationship("User", back_populates="company")
    positions = relationship("Position", back_populates="company", order_by="Position.id")
    participations = relationship("Participation", back_populates="company")


class Position(db.Model):
    __tablename__ = "positions"
    __table_args__ = (
        one_of("contract_type", CONTRACT_TYPES, "contract_type"),
        CheckConstraint("openings >= 1", name="openings_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    track_id: Mapped[int | None] = mapped_column(ForeignKey("tracks.id"), index=True)
    contract_type: Mapped[str] = mapped_column(String(30))
    openings: Mapped[int] = mapped_column(default=1)
    is_open: Mapped[bool] = mapped_column(default=True)

    company = relationship("Company", back_populates="positions")
    track = relationship("Track")
