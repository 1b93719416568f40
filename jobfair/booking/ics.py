"""Calendar files (.ics) for interviews, built with the icalendar library.

One VEVENT per booking (an ``Interview``: the booking's id and what the event shows): its
UID is stable (``booking-<id>@<host of BASE_URL>``) so a calendar that imported the confirmation updates the same entry when the
cancellation arrives; DTSTART/DTEND are UTC (stored naive UTC, marked as such);
LOCATION is the venue and the booth; SUMMARY says "Interview with <company>".
Texts are translated in the current locale: callers that build a file for an
email wrap the call in ``force_locale(<recipient's locale>)``.
"""
from datetime import datetime, timezone
from typing import NamedTuple
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from icalendar import Calendar, Event

from ..models import utcnow

PRODID = "-//jobfair//interviews//EN"
CONTENT_TYPE = "text/calendar"


def _utc(naive):
    return naive.replace(tzinfo=timezone.utc)


class Interview(NamedTuple):
    """What one VEVENT says: the booking's id (its UID) and the values it shows.

    The mail worker builds one from an outbox payload (the times and table of the moment of the
    change, which the booking may no longer have); the pages build one from a booking.
    """

    booking_id: int
    participation: object  # .fair, .company, .booth
    table_name: str | None
    starts_at: datetime
    ends_at: datetime

    @classmethod
    def of(cls, booking):
        slot = booking.slot
        return cls(booking.id, booking.participation, slot.table.name, slot.starts_at,
                   slot.ends_at)


def uid(booking_id):
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "jobfair"
    return f"booking-{booking_id}@{host}"


def location(fair, booth):
    place = f"{fair.venue}, {fair.city}"
    if booth is None:
        return place
    return f"{place} — {_('Booth %(number)s', number=booth.number)}"


def event(interview, cancelled=False):
    participation = interview.participation
    fair, company = participation.fair, participation.company
    item = Event()
    item.add("uid", uid(interview.booking_id))
    item.add("dtstamp", _utc(utcnow().replace(microsecond=0)))
    item.add("dtstart", _utc(interview.starts_at))
    item.add("dtend", _utc(interview.ends_at))
    item.add("summary", _("Interview with %(company)s", company=company.name))
    item.add("location", location(fair, participation.booth))
    lines = [fair.name]
    if interview.table_name:
        lines.append(_("Interviewer: %(table)s", table=interview.table_name))
    item.add("description", "\n".join(lines))
    # A cancellation must outrank the confirmation the calendar already holds.
    item.add("sequence", 1 if cancelled else 0)
    item.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return item


def calendar_text(events, method="PUBLISH"):
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    for item in events:
        calendar.add_component(item)
    return calendar.to_ical().decode("utf-8")


def booking_calendar(interview):
    return calendar_text([event(interview)])


def cancellation_calendar(interview):
    return calendar_text([event(interview, cancelled=True)], method="CANCEL")


def move_calendar(old, new):
    """The old interview withdrawn and the new one, in one file."""
    return calendar_text([event(old, cancelled=True), event(new)])


def day_calendar(bookings):
    return calendar_text([event(Interview.of(b)) for b in bookings])


def filename(interview):
    return f"interview-{interview.participation.company.slug}-{interview.booking_id}.ics"
