"""What the fair pages show, each read shaped for its page (a fixed number of queries)."""
from sqlalchemy import case, func, select
from sqlalchemy.orm import contains_eager, selectinload

from ..extensions import db
from ..models import (
    Booking,
    Booth,
    Company,
    Fair,
    InterviewTable,
    Participation,
    Position,
    Slot,
)
from . import lifecycle


def fair_for_overview(fair_id):
    """The fair with its cohorts and staff, or None."""
    return db.session.scalar(
        select(Fair)
        .where(Fair.id == fair_id)
        .options(selectinload(Fair.cohorts), selectinload(Fair.staff))
    )


def fair_counts(fair):
    """Companies by status, booths, slots and active bookings: four queries, whatever the data."""
    by_status = dict(
        db.session.execute(
            select(Participation.status, func.count())
            .where(Participation.fair_id == fair.id)
            .group_by(Participation.status)
        ).all()
    )
    booths_total, booths_assigned = db.session.execute(
        select(func.count(Booth.id), func.count(Booth.participation_id)).where(
            Booth.fair_id == fair.id
        )
    ).one()
    slots, open_slots, places, booked = db.session.execute(
        select(
            func.count(Slot.id),
            func.coalesce(func.sum(case((Slot.is_blocked, 0), else_=1)), 0),
            func.coalesce(func.sum(case((Slot.is_blocked, 0), else_=Slot.capacity)), 0),
            func.coalesce(func.sum(Slot.booked_count), 0),
        )
        .join(InterviewTable, Slot.table_id == InterviewTable.id)
        .join(Participation, InterviewTable.participation_id == Participation.id)
        .where(Participation.fair_id == fair.id)
    ).one()
    bookings = db.session.scalar(
        select(func.count(Booking.id))
        .join(Participation, Booking.participation_id == Participation.id)
        .where(Participation.fair_id == fair.id, Booking.status == "active")
    )
    return {
        "approved": by_status.get("approved", 0),
        "requested": by_status.get("requested", 0),
        "declined": by_status.get("declined", 0),
        "withdrawn": by_status.get("withdrawn", 0),
        "booths_total": booths_total,
        "booths_assigned": booths_assigned,
        "slots": slots,
        "open_slots": open_slots,
        "places": places,
        "booked_places": booked,
        "bookings": bookings,
    }


def fair_participations(fair, statuses=("approved", "requested")):
    """The fair's participations of ``statuses``, with company and booth, by company name."""
    return db.session.scalars(
        select(Participation)
        .join(Participation.company)
        .where(Participation.fair_id == fair.id, Participation.status.in_(statuses))
        .options(contains_eager(Participation.company), selectinload(Participation.booth))
        .order_by(Company.name)
    ).all()


def public_fair_or_none(slug):
    fair = db.session.scalar(select(Fair).where(Fair.slug == slug))
    if fair is None or not lifecycle.is_public(fair):
        return None
    return fair


def public_exhibitors(fair):
    """Approved companies with booth, open positions and the tracks they seek: three queries."""
    participations = db.session.scalars(
        select(Participation)
        .join(Participation.company)
        .where(Participation.fair_id == fair.id, Participation.status == "approved")
        .options(
            contains_eager(Participation.company)
            .selectinload(Company.positions)
            .selectinload(Position.track),
            selectinload(Participation.booth),
        )
        .order_by(Company.name)
    ).all()
    exhibitors = []
    for participation in participations:
        company = participation.company
        positions = [p for p in company.positions if p.is_open]
        tracks = sorted({p.track.name for p in positions if p.track is not None})
        exhibitors.append(
            {"company": company, "booth": participation.booth, "positions": positions, "tracks": tracks}
        )
    return exhibitors
