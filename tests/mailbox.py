"""The outbox as the candidate receives it: booking emails are rendered by the mail worker."""
from sqlalchemy import select

from jobfair import mail
from jobfair.extensions import db
from jobfair.models import OutboxMessage


def delivered(*where):
    """Run the mail worker (memory backend), then the outbox's rows in order: subject, body and
    attachment as they were sent, rendered from what the change stored."""
    mail.send_pending()
    return db.session.scalars(
        select(OutboxMessage).where(*where).order_by(OutboxMessage.id)).all()
