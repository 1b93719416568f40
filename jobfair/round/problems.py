"""Read a fair's round from the database into the solver's plain ``Problem``.

Who is in: candidates with an enabled account whose cohort the fair still invites, with their
wishes for companies still approved and the invitations they accepted. A candidate withdrawn
(account disabled, cohort no longer invited) or a company withdrawn drops out here. Places:
the open slots of approved companies that have not started, less their bookings. A fixed
number of queries, whatever the size of the fair.
"""
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..labels import region_of_city
from ..extensions import db
from ..models import (
    Booking,
    Candidate,
    Cohort,
    InterviewTable,
    Participation,
    RoundInvitation,
    ShortlistMark,
    Slot,
    User,
    Wish,
    slot_cohorts,
    slot_tracks,
    utcnow,
)
from .problem import Booked, CandidateInput, Problem, Rules, SlotInput


def _approved(fair_id):
    return select(Participation.id).where(Participation.fair_id == fair_id,
                                          Participation.status == "approved")


def build(booking_round, now=None):
    now = now or utcnow()
    fair = booking_round.fair
    invited = {c.id for c in fair.cohorts}
    approved = set(db.session.scalars(_approved(fair.id)))
    wishes = {}
    for candidate_id, participation_id, rank in db.session.execute(
            select(Wish.candidate_id, Wish.participation_id, Wish.rank)
            .where(Wish.round_id == booking_round.id).order_by(Wish.candidate_id, Wish.rank)):
        if participation_id in approved:
            wishes.setdefault(candidate_id, {})[participation_id] = rank
    shortlist = set()
    for candidate_id, participation_id in db.session.execute(
            select(RoundInvitation.candidate_id, RoundInvitation.participation_id)
            .where(RoundInvitation.round_id == booking_round.id,
                   RoundInvitation.status == "accepted")):
        if participation_id in approved:
            wishes.setdefault(candidate_id, {}).setdefault(participation_id, None)
            shortlist.add((candidate_id, participation_id))
    shortlist |= set(db.session.execute(
        select(ShortlistMark.candidate_id, ShortlistMark.participation_id)
        .where(ShortlistMark.round_id == booking_round.id, ShortlistMark.decision == "meet")
    ).tuples())
    candidates = _candidates(set(wishes), invited)
    kept = {c.id for c in candidates}
    wishes = {c: w for c, w in wishes.items() if c in kept}
    shortlist = {(c, k) for c, k in shortlist if c in wishes and k in wishes[c]}
    return Problem(candidates=candidates, wishes=wishes, shortlist=shortlist,
                   slots=_slots(fair.id, now), booked=_booked(fair.id, kept),
                   rules=Rules(max_per_candidate=fair.max_bookings_per_candidate,
                               min_gap_minutes=fair.min_gap_minutes))


def _candidates(candidate_ids, invited):
    rows = db.session.scalars(
        select(Candidate).join(User, Candidate.user_id == User.id)
        .where(Candidate.id.in_(candidate_ids), User.is_enabled.is_(True),
               Candidate.cohort_id.in_(invited))
        .options(joinedload(Candidate.cohort).joinedload(Cohort.operator),
                 joinedload(Candidate.cohort).joinedload(Cohort.track))
        .order_by(Candidate.id)
    ).all()
    return [CandidateInput(
        id=c.id, cohort=c.cohort_id, track=c.cohort.track_id,
        groups=(("cohort", c.cohort.name), ("operator", c.cohort.operator.name),
                ("region", region_of_city(c.cohort.city) or ""), ("track", c.cohort.track.name)))
        for c in rows]


def _slots(fair_id, now):
    rows = db.session.execute(
        select(Slot.id, InterviewTable.participation_id, Slot.table_id, Slot.starts_at,
               Slot.ends_at, Slot.capacity - Slot.booked_count)
        .join(InterviewTable, Slot.table_id == InterviewTable.id)
        .where(InterviewTable.participation_id.in_(_approved(fair_id)),
               Slot.is_blocked.is_(False), Slot.starts_at > now)
        .order_by(Slot.starts_at, Slot.id)
    ).all()
    ids = [row[0] for row in rows]
    tracks, cohorts = {}, {}
    for table, found in ((slot_tracks, tracks), (slot_cohorts, cohorts)):
        column = table.c.track_id if table is slot_tracks else table.c.cohort_id
        for slot_id, value in db.session.execute(
                select(table.c.slot_id, column).where(table.c.slot_id.in_(ids))):
            found.setdefault(slot_id, set()).add(value)
    return [SlotInput(id=slot_id, company=company, table=table_id, starts_at=starts,
                      ends_at=ends, capacity=free,
                      tracks=frozenset(tracks.get(slot_id, ())),
                      cohorts=frozenset(cohorts.get(slot_id, ())))
            for slot_id, company, table_id, starts, ends, free in rows]


def _booked(fair_id, candidate_ids):
    booked = {}
    for candidate_id, company, starts, ends in db.session.execute(
            select(Booking.candidate_id, Booking.participation_id, Slot.starts_at, Slot.ends_at)
            .join(Slot, Booking.slot_id == Slot.id)
            .join(Participation, Booking.participation_id == Participation.id)
            .where(Participation.fair_id == fair_id, Booking.status != "cancelled",
                   Booking.candidate_id.in_(candidate_ids))):
        booked.setdefault(candidate_id, []).append(Booked(company, starts, ends))
    return booked
