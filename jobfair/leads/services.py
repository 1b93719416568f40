"""At the booth: badge scans, attendance and the company's notes on candidates (leads).

Status changes on a booking are conditional UPDATEs (``... WHERE status = 'active'``) so two
representatives scanning or marking the same booking at once cannot both change it.
"""
import re
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..booking import services as booking_services
from ..errors import DomainError
from ..extensions import db
from ..fairs.lifecycle import is_live, is_over
from ..insertion import table as insertion_table
from ..models import (
    Badge,
    Booking,
    Candidate,
    CheckIn,
    Cohort,
    Lead,
    Slot,
    User,
    utcnow,
)
from ..timeutil import local_to_utc

# A booked candidate counts as on time from this long before the slot starts.
EARLY_ARRIVAL = timedelta(minutes=10)

# Stored in Lead.next_step; labels in NEXT_STEP_LABELS.
NEXT_STEPS = ("second_interview", "send_offer", "keep_in_touch", "no")
NEXT_STEP_LABELS = {
    "second_interview": _l("Second interview"),
    "send_offer": _l("Send an offer"),
    "keep_in_touch": _l("Keep in touch"),
    "no": _l("No next step"),
}

_BADGE_URL = re.compile(r"/b/([A-Za-z0-9_\-]+)")
_TOKEN = re.compile(r"^[A-Za-z0-9_\-]{8,64}$")


@dataclass
class ScanResult:
    kind: str  # "attended", "already_attended" or "walk_in"
    candidate: Candidate
    lead: Lead
    booking: Booking | None = None


def token_from(raw):
    """The badge token in what the scanner typed: a bare token or a badge URL (…/b/<token>)."""
    raw = (raw or "").strip()
    match = _BADGE_URL.search(raw)
    # The code printed under the QR is the token in groups of 4: typed by hand, with spaces.
    token = match.group(1) if match else "".join(raw.split())
    return token if _TOKEN.match(token) else None


def _badge_candidate(participation, raw_token):
    token = token_from(raw_token)
    if token is None:
        raise DomainError(_l("This is not a badge code: scan the badge's QR code or type its code."),
                          field="code")
    badge = db.session.scalar(select(Badge).where(Badge.token == token))
    if badge is None:
        raise DomainError(_l("Unknown badge."), field="code")
    if badge.revoked_at is not None:
        raise DomainError(_l("Revoked badge: the candidate has a newer one."), field="code")
    if badge.fair_id != participation.fair_id:
        raise DomainError(_l("This badge is for another fair."), field="code")
    candidate = db.session.scalar(
        select(Candidate).where(Candidate.user_id == badge.user_id)
        .options(joinedload(Candidate.user), joinedload(Candidate.cohort).joinedload(Cohort.track))
    )
    if candidate is None:
        raise DomainError(_l("This badge is not a candidate's."), field="code")
    return candidate


def lead_for(participation, candidate, author):
    """The company's lead on ``candidate``, created if missing (one per company and candidate)."""
    query = select(Lead).where(Lead.participation_id == participation.id,
                               Lead.candidate_id == candidate.id)
    lead = db.session.scalar(query)
    if lead is not None:
        return lead
    try:
        with db.session.begin_nested():
            lead = Lead(participation_id=participation.id, candidate_id=candidate.id,
                        author_id=author.id)
            db.session.add(lead)
        insertion_table.booked(participation.fair_id, candidate.id)  # a lead counts too
        insertion_table.refresh_company_totals([participation.fair_id])  # and its leads
    except IntegrityError:
        # A colleague scanned the same candidate at the same moment: use their lead.
        lead = db.session.scalar(query)
    return lead


def booth_scan(participation, token, rep, now=None):
    """Scan a badge at ``participation``'s booth: attended for a booking now, a walk-in otherwise."""
    now = now or utcnow()
    if not is_live(participation.fair):
        raise DomainError(_l("The fair is not live: badges are scanned on the fair's day only."))
    candidate = _badge_candidate(participation, token)
    booking = db.session.scalar(
        select(Booking).join(Slot, Slot.id == Booking.slot_id)
        .where(Booking.participation_id == participation.id,
               Booking.candidate_id == candidate.id,
               Booking.status.in_(("active", "attended")),
               Slot.starts_at <= now + EARLY_ARRIVAL, Slot.ends_at >= now)
        .options(joinedload(Booking.slot))
    )
    kind = "walk_in"
    if booking is not None:
        if booking.status == "attended":
            kind = "already_attended"
        else:
            kind = "attended" if booking_services.mark_attended(booking) else "already_attended"
    lead = lead_for(participation, candidate, rep)
    return ScanResult(kind=kind, candidate=candidate, lead=lead, booking=booking)


def save_lead(lead, author, rating, notes, next_step):
    if rating is not None and not 1 <= int(rating) <= 4:
        raise DomainError(_l("Give a rating from 1 to 4."), field="rating")
    if next_step and next_step not in NEXT_STEPS:
        raise DomainError(_l("Choose a next step from the list."), field="next_step")
    lead.rating = int(rating) if rating is not None else None
    lead.notes = (notes or "").strip() or None
    lead.next_step = next_step or None
    lead.author_id = author.id
    lead.updated_at = utcnow()
    return lead


def closing_instant(fair):
    return local_to_utc(fair.day, fair.closes_at)


def fair_has_closed(fair, now=None):
    """Closed by the organizer, or past its closing hour."""
    now = now or utcnow()
    return is_over(fair) or now >= closing_instant(fair)


def _checked_in(candidate_user_id_column, fair_id):
    return exists().where(CheckIn.fair_id == fair_id, CheckIn.kind == "entry",
                          CheckIn.undone_at.is_(None),
                          CheckIn.user_id == candidate_user_id_column)


def attendance(participation, now=None):
    """The participation's bookings (not cancelled), each with "checked in at the entrance"."""
    now = now or utcnow()
    checked_in = _checked_in(Candidate.user_id, participation.fair_id).label("checked_in")
    rows = db.session.execute(
        select(Booking, checked_in)
        .join(Slot, Slot.id == Booking.slot_id)
        .join(Candidate, Candidate.id == Booking.candidate_id)
        .join(User, User.id == Candidate.user_id)
        .where(Booking.participation_id == participation.id, Booking.status != "cancelled")
        .options(joinedload(Booking.slot).joinedload(Slot.table),
                 joinedload(Booking.candidate).joinedload(Candidate.user))
        .order_by(Slot.starts_at, User.last_name, User.first_name)
    ).all()
    ended = [(b, bool(c)) for b, c in rows if b.status == "active" and b.slot.ends_at <= now]
    closed = fair_has_closed(participation.fair, now)
    return {
        "bookings": [(b, bool(c)) for b, c in rows],
        "to_mark": ended,
        # At the close, the ones whose candidate came in but nobody marked: the company decides.
        "at_close": [(b, c) for b, c in ended if c] if closed else [],
        "closed": closed,
        "now": now,
    }


def company_leads(participation):
    """One row per candidate the company met or booked: lead and booking merged, by name."""
    leads = db.session.scalars(
        select(Lead).where(Lead.participation_id == participation.id)
        .options(joinedload(Lead.candidate).joinedload(Candidate.user),
                 joinedload(Lead.candidate).joinedload(Candidate.cohort).joinedload(Cohort.track))
    ).all()
    bookings = db.session.scalars(
        select(Booking).where(Booking.participation_id == participation.id,
                              Booking.status != "cancelled")
        .options(joinedload(Booking.slot),
                 joinedload(Booking.candidate).joinedload(Candidate.user),
                 joinedload(Booking.candidate).joinedload(Candidate.cohort)
                 .joinedload(Cohort.track))
    ).all()
    rows = {}
    for lead in leads:
        rows[lead.candidate_id] = {"candidate": lead.candidate, "lead": lead, "booking": None}
    for booking in bookings:
        row = rows.setdefault(booking.candidate_id,
                              {"candidate": booking.candidate, "lead": None, "booking": None})
        row["booking"] = booking
    return sorted(rows.values(), key=lambda r: (r["candidate"].user.last_name.lower(),
                                                r["candidate"].user.first_name.lower(),
                                                r["candidate"].id))


def lead_of(participation, candidate_id):
    return db.session.scalar(
        select(Lead).where(Lead.participation_id == participation.id,
                           Lead.candidate_id == candidate_id)
        .options(joinedload(Lead.candidate).joinedload(Candidate.user),
                 joinedload(Lead.candidate).joinedload(Candidate.cohort).joinedload(Cohort.track))
    )


def candidate_met(participation, candidate_id):
    """The candidate, if the company has a lead on them or a (not cancelled) booking; else None."""
    known = exists().where(Lead.participation_id == participation.id,
                           Lead.candidate_id == Candidate.id)
    booked = exists().where(Booking.participation_id == participation.id,
                            Booking.candidate_id == Candidate.id, Booking.status != "cancelled")
    return db.session.scalar(
        select(Candidate).where(Candidate.id == candidate_id, known | booked)
        .options(joinedload(Candidate.user), joinedload(Candidate.cohort).joinedload(Cohort.track))
    )
