"""Self check-in kiosks: a device account per fair (issue 13, jobfair/checkin/README.md)."""
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow


class Kiosk(db.Model):
    """A tablet at the entrance, signed in as its own ``kiosk`` user (no password).

    It opens with a one-time link (only a SHA-256 of its token is kept); revoking it disables
    its user and changes its session nonce, so the device's session ends at its next request.
    """

    __tablename__ = "kiosks"

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    link_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    link_expires_at: Mapped[datetime | None]
    opened_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    fair = relationship("Fair")
    user = relationship("User", foreign_keys=[user_id])
