"""What the round's pages read: a fixed number of queries each, whatever the size of the fair."""
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import (
    AssignmentRun,
    Candidate,
    Cohort,
    InterviewTable,
    Participation,
    RoundInvitation,
    ShortlistMark,
    Slot,
    User,
    Wish,
)


def companies(fair_id):
    """The approved companies of the fair, by name, with their wishes and free places."""
    participations = db.session.scalars(
        select(Participation).where(Participation.fair_id == fair_id,
                                    Participation.status == "approved")
        .options(joinedload(Participation.company))
    ).all()
    return sorted(participations, key=lambda p: p.company.name.casefold())


def demand(booking_round, fair_id):
    """{participation id: (wishes, free places)}."""
    wishes = dict(db.session.execute(
        select(Wish.participation_id, func.count()).where(Wish.round_id == booking_round.id)
        .group_by(Wish.participation_id)).tuples().all()) if booking_round else {}
    places = dict(db.session.execute(
        select(InterviewTable.participation_id, func.sum(Slot.capacity - Slot.booked_count))
        .join(Slot, Slot.table_id == InterviewTable.id)
        .join(Participation, InterviewTable.participation_id == Participation.id)
        .where(Participation.fair_id == fair_id, Slot.is_blocked.is_(False))
        .group_by(InterviewTable.participation_id)).tuples().all())
    ids = set(wishes) | set(places)
    return {p: (wishes.get(p, 0), int(places.get(p) or 0)) for p in ids}


def invitations_for(booking_round, candidate_id):
    return db.session.scalars(
        select(RoundInvitation)
        .where(RoundInvitation.round_id == booking_round.id,
               RoundInvitation.candidate_id == candidate_id)
        .options(joinedload(RoundInvitation.participation).joinedload(Participation.company))
        .order_by(RoundInvitation.id)
    ).all()


def _candidate_options():
    return (joinedload(Candidate.user),
            joinedload(Candidate.cohort).joinedload(Cohort.track),
            joinedload(Candidate.cohort).joinedload(Cohort.operator))


def wishers(booking_round, participation):
    """The candidates who wished for the company, with its mark for each (or None)."""
    marks = dict(db.session.execute(
        select(ShortlistMark.candidate_id, ShortlistMark.decision)
        .where(ShortlistMark.round_id == booking_round.id,
               ShortlistMark.participation_id == participation.id)).tuples().all())
    candidates = db.session.scalars(
        select(Candidate).join(Wish, Wish.candidate_id == Candidate.id)
        .join(User, Candidate.user_id == User.id)
        .where(Wish.round_id == booking_round.id, Wish.participation_id == participation.id)
        .options(*_candidate_options())
        .order_by(User.last_name, User.first_name, Candidate.id)
    ).all()
    return [(c, marks.get(c.id)) for c in candidates]


def invited_by(booking_round, participation):
    return db.session.scalars(
        select(RoundInvitation)
        .where(RoundInvitation.round_id == booking_round.id,
               RoundInvitation.participation_id == participation.id)
        .options(joinedload(RoundInvitation.candidate).joinedload(Candidate.user),
                 joinedload(RoundInvitation.candidate).joinedload(Candidate.cohort))
        .order_by(RoundInvitation.id)
    ).all()


def search_candidates(fair, text, limit=20):
    """Candidates of the fair's cohorts whose name contains ``text`` (for an invitation)."""
    words = text.split()
    if not words:
        return []
    query = (select(Candidate).join(User, Candidate.user_id == User.id)
             .where(Candidate.cohort_id.in_([c.id for c in fair.cohorts]),
                    User.is_enabled.is_(True))
             .options(*_candidate_options())
             .order_by(User.last_name, User.first_name, Candidate.id).limit(limit))
    for word in words[:4]:
        pattern = f"%{word}%"
        query = query.where(or_(User.first_name.ilike(pattern), User.last_name.ilike(pattern)))
    return db.session.scalars(query).all()


def round_counts(booking_round):
    wishes = db.session.execute(
        select(func.count(func.distinct(Wish.candidate_id)), func.count())
        .where(Wish.round_id == booking_round.id)).one()
    marks = db.session.scalar(select(func.count()).select_from(ShortlistMark)
                              .where(ShortlistMark.round_id == booking_round.id,
                                     ShortlistMark.decision == "meet"))
    invitations = dict(db.session.execute(
        select(RoundInvitation.status, func.count())
        .where(RoundInvitation.round_id == booking_round.id)
        .group_by(RoundInvitation.status)).tuples().all())
    return {"candidates": wishes[0], "wishes": wishes[1], "shortlisted": marks,
            "invited": sum(invitations.values()), "accepted": invitations.get("accepted", 0)}


def runs(booking_round, limit=10):
    return db.session.scalars(select(AssignmentRun)
                              .where(AssignmentRun.round_id == booking_round.id)
                              .order_by(AssignmentRun.id.desc()).limit(limit)).all()
