"""What happened after the interviews: leads, company outcomes, candidate follow-ups."""
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import one_of, utcnow
from .companies import CONTRACT_TYPES

OUTCOME_STATUSES = (
    "shortlisted",
    "second_interview",
    "offer_made",
    "hired",
    "not_retained",
    "candidate_declined",
)
FOLLOW_UP_STATUSES = (
    "employed",
    "own_business",
    "education",
    "seeking",
    "not_seeking",
    "no_answer",
)
FOLLOW_UP_SOURCES = ("candidate", "organizer", "import")

# When company and candidate disagree (one definition for the conflicts page and the rates):
# a company's "hired" is contradicted by a latest answer saying the candidate has no job
# with a company ("no_answer" is an absence of information, not a contradiction), and a
# latest answer "employed at X" is contradicted by X's refusal. An organizer's answer given
# after the company's last change settles it.
HIRED_CONTRADICTED_BY = ("own_business", "education", "seeking", "not_seeking")
REFUSED_OUTCOMES = ("not_retained", "candidate_declined")
FOLLOW_UP_DAYS = (30, 90, 180)


class Lead(db.Model):
    """A company's note on a candidate it met (booked or walk-in)."""

    __tablename__ = "leads"
    __table_args__ = (
        UniqueConstraint("participation_id", "candidate_id"),
        CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 4)", name="rating_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participation_id: Mapped[int] = mapped_column(ForeignKey("participations.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    rating: Mapped[int | None]
    notes: Mapped[str | None] = mapped_column(Text)
    next_step: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    participation = relationship("Participation")
    candidate = relationship("Candidate")


class Outcome(db.Model):
    """The company's side: where a candidate it met stands."""

    __tablename__ = "outcomes"
    __table_args__ = (
        UniqueConstraint("participation_id", "candidate_id"),
        one_of("status", OUTCOME_STATUSES, "status"),
        one_of("contract_type", CONTRACT_TYPES, "contract_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participation_id: Mapped[int] = mapped_column(ForeignKey("participations.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    status: Mapped[str] = mapped_column(String(30))
    contract_type: Mapped[str | None] = mapped_column(String(30))
    position_id: Mapped[int | None] = mapped_column(ForeignKey("positions.id"))
    start_date: Mapped[date | None]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    participation = relationship("Participation")
    candidate = relationship("Candidate")
    position = relationship("Position")


class FollowUpRequest(db.Model):
    """A follow-up email asked of a candidate, 30, 90 or 180 days after a fair: sent once."""

    __tablename__ = "follow_up_requests"
    __table_args__ = (
        UniqueConstraint("fair_id", "candidate_id", "day"),
        one_of("day", FOLLOW_UP_DAYS, "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    day: Mapped[int]
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


class FollowUpAnswer(db.Model):
    """The candidate's side; every answer is kept, the latest one counts."""

    __tablename__ = "follow_up_answers"
    __table_args__ = (
        one_of("status", FOLLOW_UP_STATUSES, "status"),
        one_of("source", FOLLOW_UP_SOURCES, "source"),
        one_of("contract_type", CONTRACT_TYPES, "contract_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("follow_up_requests.id"))
    source: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    contract_type: Mapped[str | None] = mapped_column(String(30))
    employer_company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"))
    employer_name: Mapped[str | None] = mapped_column(String(200))
    in_field: Mapped[bool | None]
    full_time: Mapped[bool | None]
    start_date: Mapped[date | None]
    answered_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    candidate = relationship("Candidate")
    employer_company = relationship("Company")
