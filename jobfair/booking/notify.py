"""Booking emails: each carries the interview's .ics and is queued in the change's transaction."""
from flask import current_app

from .. import mail
from ..i18n import force_locale
from . import ics


def _locale(account):
    return account.locale or current_app.config["BABEL_DEFAULT_LOCALE"]


def _queue(booking, template, calendar, **extra):
    account = booking.candidate.user
    participation = booking.participation
    slot = booking.slot
    with force_locale(_locale(account)):
        attachment = (ics.filename(booking), ics.CONTENT_TYPE, calendar())
    return mail.queue(
        account.email,
        template,
        locale=account.locale,
        attachment=attachment,
        candidate=account,
        company=participation.company,
        fair=participation.fair,
        booth=participation.booth,
        table=slot.table,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        link=mail.absolute_url("booking.my_schedule", fair_id=participation.fair_id),
        **extra,
    )


def booking_confirmed(booking):
    return _queue(booking, "booking_confirmed", lambda: ics.booking_calendar(booking))


def booking_promoted(booking):
    """Booked from the waitlist: the candidate did not click, so the email says why."""
    return _queue(booking, "booking_promoted", lambda: ics.booking_calendar(booking))


def booking_cancelled(booking):
    return _queue(booking, "booking_cancelled", lambda: ics.cancellation_calendar(booking))


def booking_moved(old, new):
    old_slot = old.slot
    return _queue(new, "booking_moved", lambda: ics.move_calendar(old, new),
                  old_starts_at=old_slot.starts_at, old_ends_at=old_slot.ends_at)


def booking_reminder(booking):
    return _queue(booking, "booking_reminder", lambda: ics.booking_calendar(booking))


def cancellation_attachment(booking):
    """The .ics withdrawing ``booking`` in its candidate's language (for other packages' emails)."""
    with force_locale(_locale(booking.candidate.user)):
        return (ics.filename(booking), ics.CONTENT_TYPE, ics.cancellation_calendar(booking))
