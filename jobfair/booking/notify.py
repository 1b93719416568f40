"""Booking emails: each carries the interview's .ics and is queued in the change's transaction.

The change stores only what to send (``mail.queue_later``): the booking's id, the candidate's
account, the participation (company, fair, booth), and the times and table of the moment —
the booking may move, be cancelled, or go with its deleted slot before the worker runs, and
the email tells what happened when it happened. The worker renders the text and the .ics from
that payload (``_contents``) in the candidate's language, reading the account, company, fair
and booth as they are then. An erased account (or a row gone) skips the message.
"""
from datetime import datetime
from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from .. import mail
from ..extensions import db
from ..models import Participation, User
from ..privacy.visibility import is_erased
from . import ics

KINDS = ("booking_confirmed", "booking_promoted", "booking_cancelled", "booking_moved",
         "booking_reminder", "booking_cancelled_by_company")


def _moment(booking, prefix=""):
    slot = booking.slot
    return {f"{prefix}booking": booking.id, f"{prefix}table": slot.table.name,
            f"{prefix}starts_at": slot.starts_at.isoformat(),
            f"{prefix}ends_at": slot.ends_at.isoformat()}


def _queue(booking, kind, **extra):
    account = booking.candidate.user
    return mail.queue_later(account.email, kind, user=account.id,
                            participation=booking.participation_id, **_moment(booking), **extra)


def booking_confirmed(booking):
    return _queue(booking, "booking_confirmed")


def booking_promoted(booking):
    """Booked from the waitlist: the candidate did not click, so the email says why."""
    return _queue(booking, "booking_promoted")


def booking_cancelled(booking):
    return _queue(booking, "booking_cancelled")


def booking_moved(old, new):
    return _queue(new, "booking_moved", **_moment(old, "old_"))


def booking_reminder(booking):
    return _queue(booking, "booking_reminder")


def booking_cancelled_by_company(booking, reason):
    """The company cancelled it: the reason the candidate reads, and the .ics withdrawing it."""
    return _queue(booking, "booking_cancelled_by_company", reason=reason)


# --- Rendered by the mail worker ----------------------------------------------------------------


def _interview(payload, participation, prefix=""):
    return ics.Interview(payload[f"{prefix}booking"], participation, payload[f"{prefix}table"],
                         datetime.fromisoformat(payload[f"{prefix}starts_at"]),
                         datetime.fromisoformat(payload[f"{prefix}ends_at"]))


def _calendar(kind, payload, participation):
    interview = _interview(payload, participation)
    if kind == "booking_moved":
        text = ics.move_calendar(_interview(payload, participation, "old_"), interview)
    elif kind in ("booking_cancelled", "booking_cancelled_by_company"):
        text = ics.cancellation_calendar(interview)
    else:
        text = ics.booking_calendar(interview)
    return ics.filename(interview), ics.CONTENT_TYPE, text


def _contents(kind, payload):
    account = db.session.get(User, payload["user"])
    participation = db.session.scalar(
        select(Participation).where(Participation.id == payload["participation"])
        .options(joinedload(Participation.company), joinedload(Participation.fair),
                 joinedload(Participation.booth)))
    if account is None or is_erased(account):
        raise mail.Gone("the candidate's account is erased")
    if participation is None:
        raise mail.Gone("the company's participation no longer exists")
    interview = _interview(payload, participation)
    if kind == "booking_cancelled_by_company":
        link = mail.absolute_url("candidate.home")
    else:
        link = mail.absolute_url("booking.my_schedule", fair_id=participation.fair_id)
    context = dict(candidate=account, company=participation.company, fair=participation.fair,
                   booth=participation.booth, table={"name": interview.table_name},
                   starts_at=interview.starts_at, ends_at=interview.ends_at, link=link,
                   reason=payload.get("reason"))
    if kind == "booking_moved":
        old = _interview(payload, participation, "old_")
        context.update(old_starts_at=old.starts_at, old_ends_at=old.ends_at)
    return mail.Contents(account.locale, context,
                         lambda: _calendar(kind, payload, participation))


for _kind in KINDS:
    mail.renderer(_kind)(partial(_contents, _kind))
