"""Walk-in queues at the booths: a candidate's place in a company's line on the fair's day."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import one_of, utcnow

# waiting → called → seen | no_show; waiting or called → left (the candidate left the line).
QUEUE_STATUSES = ("waiting", "called", "seen", "no_show", "left")
LIVE_QUEUE_STATUSES = ("waiting", "called")
DEFAULT_QUEUES_PER_CANDIDATE = 2


class QueueEntry(db.Model):
    __tablename__ = "queue_entries"
    __table_args__ = (one_of("status", QUEUE_STATUSES, "queue_status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participation_id: Mapped[int] = mapped_column(ForeignKey("participations.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="waiting")
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    called_at: Mapped[datetime | None]
    # Where the representative calls the candidate to ("Table 3").
    called_to: Mapped[str | None] = mapped_column(String(100))
    called_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    ended_at: Mapped[datetime | None]  # seen, no-show or left

    participation = relationship("Participation")
    candidate = relationship("Candidate")


class WalkInSettings(db.Model):
    """The organizer's rules for a fair's walk-in queues (no row: the defaults)."""

    __tablename__ = "walk_in_settings"
    __table_args__ = (CheckConstraint("max_queues_per_candidate >= 1",
                                      name="max_queues_positive"),)

    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id"), primary_key=True)
    max_queues_per_candidate: Mapped[int] = mapped_column(default=DEFAULT_QUEUES_PER_CANDIDATE)


# One live place per candidate in a company's line: a double click joins once.
_LIVE = text("status IN ('waiting', 'called')")
Index("uq_queue_entries_live_candidate", QueueEntry.participation_id, QueueEntry.candidate_id,
      unique=True, sqlite_where=_LIVE, postgresql_where=_LIVE)
