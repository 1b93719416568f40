"""The booking round of a fair: wishes during a window, company shortlists, assignment runs.

A fair may have one round (``booking_rounds``). During its wish window candidates rank up to
``max_wishes`` companies (participations) of the fair; company representatives mark the
candidates who wished for them ("meet" / "no") and invite others, who accept or decline.
An assignment run (``assignment_runs``) solves the round with a recorded seed; publishing a
run books its interviews. ``running_since`` is the round's lock: a run is claimed by a
conditional UPDATE (``… WHERE running_since IS NULL``), so two clicks run it once.
"""
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from ..extensions import db
from .base import one_of, utcnow

SHORTLIST_DECISIONS = ("meet", "no")
INVITATION_STATUSES = ("pending", "accepted", "declined")
RUN_STATUSES = ("done", "empty", "failed", "published")


class BookingRound(db.Model):
    __tablename__ = "booking_rounds"
    __table_args__ = (
        CheckConstraint("wishes_close_at > wishes_open_at", name="wish_window_in_order"),
        CheckConstraint("publish_at >= wishes_close_at", name="publish_after_close"),
        CheckConstraint("max_wishes >= 1 AND max_wishes <= 20", name="max_wishes_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id"), unique=True)
    # Instants in naive UTC, like the booking window.
    wishes_open_at: Mapped[datetime]
    wishes_close_at: Mapped[datetime]
    publish_at: Mapped[datetime]
    max_wishes: Mapped[int] = mapped_column(default=5)
    running_since: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    # Fair.booking_round: the booking module asks it whether first-come must wait.
    fair = relationship("Fair", backref=backref("booking_round", uselist=False))
    runs = relationship("AssignmentRun", back_populates="round",
                        order_by="AssignmentRun.id.desc()")


class Wish(db.Model):
    """A candidate's wish to meet a company of the fair; rank 1 is the first wish."""

    __tablename__ = "round_wishes"
    __table_args__ = (
        UniqueConstraint("round_id", "candidate_id", "rank"),
        UniqueConstraint("round_id", "candidate_id", "participation_id"),
        CheckConstraint("rank >= 1", name="rank_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("booking_rounds.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    participation_id: Mapped[int] = mapped_column(ForeignKey("participations.id"), index=True)
    rank: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    candidate = relationship("Candidate")
    participation = relationship("Participation")


class ShortlistMark(db.Model):
    """A company's answer about a candidate who wished for it: "meet" or "no"."""

    __tablename__ = "round_shortlist_marks"
    __table_args__ = (
        UniqueConstraint("round_id", "participation_id", "candidate_id"),
        one_of("decision", SHORTLIST_DECISIONS, "decision"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("booking_rounds.id"), index=True)
    participation_id: Mapped[int] = mapped_column(ForeignKey("participations.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    decision: Mapped[str] = mapped_column(String(10))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)


class RoundInvitation(db.Model):
    """A company invites a candidate who did not wish for it; the candidate accepts or declines."""

    __tablename__ = "round_invitations"
    __table_args__ = (
        UniqueConstraint("round_id", "participation_id", "candidate_id"),
        one_of("status", INVITATION_STATUSES, "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("booking_rounds.id"), index=True)
    participation_id: Mapped[int] = mapped_column(ForeignKey("participations.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]

    participation = relationship("Participation")
    candidate = relationship("Candidate")


class AssignmentRun(db.Model):
    """One solve of the round: its seed, what the solver said, the result and its figures.

    ``result`` is a list of ``[candidate_id, slot_id]``; ``figures`` holds the fairness figures
    of the round and of the first-come simulation of the same wishes (JSON, plain numbers).
    """

    __tablename__ = "assignment_runs"
    __table_args__ = (one_of("status", RUN_STATUSES, "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("booking_rounds.id"), index=True)
    seed: Mapped[int]
    status: Mapped[str] = mapped_column(String(20))
    solver_status: Mapped[str] = mapped_column(String(20))
    seconds: Mapped[float] = mapped_column(default=0.0)
    result: Mapped[list] = mapped_column(JSON, default=list)
    figures: Mapped[dict] = mapped_column(JSON, default=dict)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]

    round = relationship("BookingRound", back_populates="runs")
