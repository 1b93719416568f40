"""A fair's lifecycle: draft → published → live → closed, and what each state allows.

Every part of the app asks these functions instead of comparing statuses, so
the rules are written once and the fair page can spell them out.
"""
from flask_babel import lazy_gettext as _l

from ..errors import DomainError
from ..models import utcnow

TRANSITIONS = {
    "draft": ("published",),
    "published": ("draft", "live"),
    "live": ("closed",),
    "closed": (),
}

# What each state allows, as the fair page shows it.
STATE_RULES = {
    "draft": [
        _l("Only organizers see the fair; it has no public page."),
        _l("Organizers can invite companies; companies can prepare their tables and slots."),
        _l("Candidates cannot book."),
    ],
    "published": [
        _l("The public page is online."),
        _l("Companies can ask to take part; organizers approve them and place them on the floor plan."),
        _l("Candidates can book while the booking window is open."),
        _l("Changing a booked slot cancels its booking, after confirmation, and emails the candidate."),
    ],
    "live": [
        _l("The fair is under way: staff scan badges at the entrance."),
        _l("Schedules can still change, but never silently: a booked slot is cancelled only after confirmation, with an email to the candidate."),
        _l("Candidates cannot book once the booking window has closed."),
    ],
    "closed": [
        _l("The fair is over: schedules, booths and bookings are frozen."),
        _l("Companies record outcomes; candidates report where they were hired."),
    ],
}


def is_public(fair):
    return fair.status in ("published", "live", "closed")


def accepts_companies(fair):
    """Organizers may bring companies in before the fair closes."""
    return fair.status in ("draft", "published", "live")


def accepts_participation_requests(fair):
    """Companies may ask to take part in a published fair."""
    return fair.status == "published"


def schedule_editable(fair):
    return fair.status in ("draft", "published", "live")


def booths_editable(fair):
    return fair.status in ("draft", "published", "live")


def booking_open(fair, now=None):
    now = now or utcnow()
    return (
        fair.status in ("published", "live")
        and fair.booking_opens_at <= now < fair.booking_closes_at
    )


def check_transition(fair, new_status):
    """Raise DomainError unless ``fair`` may move to ``new_status``."""
    if new_status not in TRANSITIONS.get(fair.status, ()):
        raise DomainError(_l("This fair cannot go from this state to the one asked."))
    if new_status == "published" and not fair.cohorts:
        raise DomainError(_l("Invite at least one cohort before publishing the fair."))


def next_statuses(fair):
    """The states ``fair`` may move to, in the order the fair page offers them."""
    return TRANSITIONS.get(fair.status, ())


def is_over(fair):
    return fair.status == "closed"


def is_live(fair):
    """The fair is under way: badges are scanned at the entrance and at the booths."""
    return fair.status == "live"
