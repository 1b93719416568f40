"""Badges and check-ins at the entrance."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import one_of, utcnow

CHECKIN_KINDS = ("entry",)


class Badge(db.Model):
    """One badge per person per fair; its token is unguessable and never reused."""

    __tablename__ = "badges"

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # Unique over every badge ever made, revoked ones included.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    fair = relationship("Fair")
    user = relationship("User")


class CheckIn(db.Model):
    __tablename__ = "checkins"
    __table_args__ = (one_of("kind", CHECKIN_KINDS, "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    badge_id: Mapped[int | None] = mapped_column(ForeignKey("badges.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="entry")
    # When the badge was scanned; for a scan decided offline that is on the device, before the
    # upload. ``recorded_at`` is when the server wrote the row: what a manifest delta asks.
    checked_in_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    scanned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # The staff device's own name ("Entrée nord — téléphone 2"), shown in "already checked in".
    device_name: Mapped[str | None] = mapped_column(String(100))
    # Sent by the scanner with each scan, so that a retried request is not a second scan.
    nonce: Mapped[str | None] = mapped_column(String(64), unique=True)
    undone_at: Mapped[datetime | None]
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user = relationship("User", foreign_keys=[user_id])
    scanned_by = relationship("User", foreign_keys=[scanned_by_id])
    badge = relationship("Badge")


_ACTIVE_BADGE = text("revoked_at IS NULL")
Index(
    "uq_badges_active_fair_user",
    Badge.fair_id,
    Badge.user_id,
    unique=True,
    sqlite_where=_ACTIVE_BADGE,
    postgresql_where=_ACTIVE_BADGE,
)
_LIVE_ENTRY = text("kind = 'entry' AND undone_at IS NULL")
Index(
    "uq_checkins_entry_fair_user",
    CheckIn.fair_id,
    CheckIn.user_id,
    unique=True,
    sqlite_where=_LIVE_ENTRY,
    postgresql_where=_LIVE_ENTRY,
)
