"""Personal data (law 09-08): consents per fair, a fair's privacy settings, erasure requests,
the CV access log and retention warnings. The rules are in jobfair/privacy/."""
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import one_of, utcnow

# What companies of a fair see of a candidate who has not consented (track and cohort always).
SHOWN_WITHOUT_CONSENT = ("first_name", "full_name")
ERASURE_STATUSES = ("requested", "done", "cancelled")


class FairPrivacy(db.Model):
    """The organizer's settings of one fair; a fair without a row has the defaults."""

    __tablename__ = "fair_privacy"
    __table_args__ = (
        CheckConstraint("retention_months BETWEEN 1 AND 120", name="retention_months_range"),
        one_of("shown_without_consent", SHOWN_WITHOUT_CONSENT, "shown_without_consent"),
    )

    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id", ondelete="CASCADE"),
                                         primary_key=True)
    retention_months: Mapped[int] = mapped_column(default=12)
    shown_without_consent: Mapped[str] = mapped_column(String(20), default="first_name")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Consent(db.Model):
    """A candidate's consent to show their CV and contact details to the companies of a fair.

    Never deleted: withdrawing sets ``withdrawn_at``; at most one live consent per fair.
    """

    __tablename__ = "consents"
    __table_args__ = (
        Index("uq_consents_live", "candidate_id", "fair_id", unique=True,
              sqlite_where=text("withdrawn_at IS NULL"),
              postgresql_where=text("withdrawn_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id"), index=True)
    text_version: Mapped[str] = mapped_column(String(20))
    locale: Mapped[str] = mapped_column(String(5))
    given_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]

    fair = relationship("Fair")


class CvAccess(db.Model):
    """One view or download of a candidate's CV by a company's representative."""

    __tablename__ = "cv_accesses"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"), index=True)
    fair_id: Mapped[int | None] = mapped_column(ForeignKey("fairs.id"), index=True)
    accessed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    user = relationship("User")
    company = relationship("Company")
    fair = relationship("Fair")


class ErasureRequest(db.Model):
    """A candidate asks for erasure; an organizer confirms (the person is anonymised)."""

    __tablename__ = "erasure_requests"
    __table_args__ = (
        one_of("status", ERASURE_STATUSES, "status"),
        Index("uq_erasure_requests_open", "candidate_id", unique=True,
              sqlite_where=text("status = 'requested'"),
              postgresql_where=text("status = 'requested'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="requested")
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    candidate = relationship("Candidate")


class RetentionWarning(db.Model):
    """The email telling a candidate their CV and contact details go on ``due_on`` (sent once)."""

    __tablename__ = "retention_warnings"
    __table_args__ = (UniqueConstraint("candidate_id", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    due_on: Mapped[date]
    warned_at: Mapped[datetime] = mapped_column(default=utcnow)
