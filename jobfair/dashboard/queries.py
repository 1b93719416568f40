"""The organizer's live dashboard: every number in a fixed number of queries.

The per-quarter-hour histogram reads one column of the fair's check-ins and groups them in
Python, in local time (the databases disagree on time-zone arithmetic).
"""
from collections import Counter

from sqlalchemy import and_, distinct, exists, func, select

from ..extensions import db
from ..models import (
    Booking,
    Booth,
    Candidate,
    CheckIn,
    Company,
    InterviewTable,
    Participation,
    Slot,
    User,
    utcnow,
)
from ..models.fairs import fair_cohorts
from ..timeutil import utc_to_local


def _live_entry(fair_id, user_id_column):
    return exists().where(CheckIn.fair_id == fair_id, CheckIn.kind == "entry",
                          CheckIn.undone_at.is_(None), CheckIn.user_id == user_id_column)


def quarter_of(instant):
    local = utc_to_local(instant)
    return local.replace(minute=local.minute - local.minute % 15, second=0, microsecond=0)


def live_numbers(fair, now=None):
    now = now or utcnow()
    session = db.session

    # 1. Live entry check-ins (everyone: candidates, representatives, …).
    instants = session.scalars(
        select(CheckIn.checked_in_at).where(CheckIn.fair_id == fair.id, CheckIn.kind == "entry",
                                            CheckIn.undone_at.is_(None))
    ).all()
    # Counted per UTC quarter first, then each quarter converted once: Casablanca's offsets
    # are whole hours, so a UTC quarter is a local quarter, and thousands of time-zone
    # conversions (a third of the page nationally) become a few dozen.
    per_utc_quarter = Counter(
        i.replace(minute=i.minute - i.minute % 15, second=0, microsecond=0) for i in instants)
    local_quarters = Counter()
    for quarter, count in per_utc_quarter.items():
        local_quarters[quarter_of(quarter)] += count
    per_quarter = sorted(local_quarters.items())

    # 2. Expected arrivals: invited candidates with a live booking here, not checked in yet.
    expected = session.scalar(
        select(func.count(distinct(Candidate.id)))
        .join(Booking, Booking.candidate_id == Candidate.id)
        .join(Participation, Participation.id == Booking.participation_id)
        .join(fair_cohorts, and_(fair_cohorts.c.fair_id == fair.id,
                                 fair_cohorts.c.cohort_id == Candidate.cohort_id))
        .where(Participation.fair_id == fair.id, Booking.status == "active",
               ~_live_entry(fair.id, Candidate.user_id))
    )

    # 3. Interviews by state, in one grouped query.
    in_progress = and_(Booking.status == "active", Slot.starts_at <= now, Slot.ends_at > now,
                       _live_entry(fair.id, Candidate.user_id))
    done, running, no_shows = session.execute(
        select(func.count(Booking.id).filter(Booking.status == "attended"),
               func.count(Booking.id).filter(in_progress),
               func.count(Booking.id).filter(Booking.status == "no_show"))
        .join(Slot, Slot.id == Booking.slot_id)
        .join(Candidate, Candidate.id == Booking.candidate_id)
        .join(Participation, Participation.id == Booking.participation_id)
        .where(Participation.fair_id == fair.id)
    ).one()

    # 4. Per approved company: offered places, booked places, a representative checked in?
    # Both sums are restricted to this fair's participations: summed over every fair (50,000
    # slots nationally) they made this the page's slowest query.
    offered = (
        select(InterviewTable.participation_id.label("pid"),
               func.sum(Slot.capacity).label("places"))
        .join(Slot, Slot.table_id == InterviewTable.id)
        .join(Participation, Participation.id == InterviewTable.participation_id)
        .where(Participation.fair_id == fair.id, Slot.is_blocked.is_(False))
        .group_by(InterviewTable.participation_id).subquery()
    )
    booked = (
        select(Booking.participation_id.label("pid"), func.count(Booking.id).label("places"))
        .join(Participation, Participation.id == Booking.participation_id)
        .where(Participation.fair_id == fair.id, Booking.status != "cancelled")
        .group_by(Booking.participation_id).subquery()
    )
    rep_in = exists().where(
        User.company_id == Participation.company_id, User.role == "company_rep",
        _live_entry(fair.id, User.id),
    )
    companies = session.execute(
        select(Company.name, Booth.number, func.coalesce(offered.c.places, 0),
               func.coalesce(booked.c.places, 0), rep_in.label("rep_in"))
        .select_from(Participation)
        .join(Company, Company.id == Participation.company_id)
        .outerjoin(Booth, Booth.participation_id == Participation.id)
        .outerjoin(offered, offered.c.pid == Participation.id)
        .outerjoin(booked, booked.c.pid == Participation.id)
        .where(Participation.fair_id == fair.id, Participation.status == "approved")
        .order_by(Company.name)
    ).all()
    fill = [
        {"company": name, "booth": booth, "offered": int(offered_), "booked": int(booked_),
         "rate": (booked_ / offered_) if offered_ else None, "rep_in": bool(rep)}
        for name, booth, offered_, booked_, rep in companies
    ]
    return {
        "now": now,
        "checkins": len(instants),
        "per_quarter": per_quarter,
        "expected": expected,
        "done": done,
        "in_progress": running,
        "no_shows": no_shows,
        "fill": fill,
        "without_rep": [row for row in fill if not row["rep_in"]],
    }
