"""Calendar files (.ics) for interviews, built with the icalendar library.

One VEVENT per booking: its UID is stable (``booking-<id>@<host of BASE_URL>``)
so a calendar that imported the confirmation updates the same entry when the
cancellation arrives; DTSTART/DTEND are UTC (stored naive UTC, marked as such);
LOCATION is the venue and the booth; SUMMARY says "Interview with <company>".
Texts are translated in the current locale: callers that build a file for an
email wrap the call in ``force_locale(<recipient's locale>)``.
"""
from datetime import timezone
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from icalendar import Calendar, Event

from ..models import utcnow

PRODID = "-//jobfair//interviews//EN"
CONTENT_TYPE = "text/calendar"


def _utc(naive):
    return naive.replace(tzinfo=timezone.utc)


def uid(booking):
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "jobfair"
    return f"booking-{booking.id}@{host}"


def location(fair, booth):
    place = f"{fair.venue}, {fair.city}"
    if booth is None:
        return place
    return f"{place} — {_('Booth %(number)s', number=booth.number)}"


def event(booking, cancelled=False):
    slot = booking.slot
    participation = booking.participation
    fair, company = participation.fair, participation.company
    item = Event()
    item.add("uid", uid(booking))
    item.add("dtstamp", _utc(utcnow().replace(microsecond=0)))
    item.add("dtstart", _utc(slot.starts_at))
    item.add("dtend", _utc(slot.ends_at))
    item.add("summary", _("Interview with %(company)s", company=company.name))
    item.add("location", location(fair, participation.booth))
    item.add("description", "\n".join([
        fair.name,
        _("Interviewer: %(table)s", table=slot.table.name),
    ]))
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


def booking_calendar(booking):
    return calendar_text([event(booking)])


def cancellation_calendar(booking):
    return calendar_text([event(booking, cancelled=True)], method="CANCEL")


def move_calendar(old, new):
    """The old interview withdrawn and the new one, in one file."""
    return calendar_text([event(old, cancelled=True), event(new)])


def day_calendar(bookings):
    return calendar_text([event(b) for b in bookings])


def filename(booking):
    return f"interview-{booking.participation.company.slug}-{booking.id}.ics"
