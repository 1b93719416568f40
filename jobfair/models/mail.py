"""The outbox: every email is a row written in the transaction of the change that causes it.

A row is either rendered when queued (subject and body set), or says what to send: ``kind``
(the template) and ``payload`` (ids, and the values of the moment of the change), and the
worker renders subject, body and attachment from it just before the first send, onto the row.
"""
from datetime import datetime

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import one_of, utcnow

# "skipped": a lazy message whose account or company went before the worker came (last_error
# says why).
MAIL_STATUSES = ("pending", "sending", "sent", "failed", "skipped")


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (one_of("status", MAIL_STATUSES, "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254), index=True)
    # The template (emails/<kind>.txt); with a payload, rendered by the worker (mail.render).
    kind: Mapped[str | None] = mapped_column(String(50))
    payload: Mapped[dict | None] = mapped_column(JSON)
    # None until the worker renders a lazy message.
    subject: Mapped[str | None] = mapped_column(String(300))
    body_text: Mapped[str | None] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    # One optional text attachment (an .ics calendar file for bookings).
    attachment_name: Mapped[str | None] = mapped_column(String(200))
    attachment_type: Mapped[str | None] = mapped_column(String(100))
    attachment_text: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
