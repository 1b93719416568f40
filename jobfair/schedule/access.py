"""Loaders: the only way to reach a participation, table or slot of the schedule.

Each filters by the current representative's company and APPROVED participations: anything
else answers 404, whatever the id. Other packages (the booking round) use them too.
"""

from flask import abort
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..models import (
    Booking,
    Candidate,
    Cohort,
    Fair,
    InterviewTable,
    Participation,
    Slot,
)


def _own_participations():
    return (Participation.company_id == current_user.company_id,
            Participation.status == "approved")


def own_participation_or_404(participation_id):
    participation = db.session.scalar(
        select(Participation)
        .where(Participation.id == participation_id, *_own_participations())
        .options(joinedload(Participation.fair).selectinload(Fair.cohorts).joinedload(Cohort.track),
                 joinedload(Participation.booth), joinedload(Participation.company))
    )
    if participation is None:
        abort(404)
    return participation


def own_table_or_404(table_id):
    table = db.session.scalar(
        select(InterviewTable)
        .join(Participation, InterviewTable.participation_id == Participation.id)
        .where(InterviewTable.id == table_id, *_own_participations())
        .options(joinedload(InterviewTable.participation).joinedload(Participation.fair))
    )
    if table is None:
        abort(404)
    return table


def own_slot_or_404(slot_id):
    slot = db.session.scalar(
        select(Slot)
        .join(InterviewTable, Slot.table_id == InterviewTable.id)
        .join(Participation, InterviewTable.participation_id == Participation.id)
        .where(Slot.id == slot_id, *_own_participations())
        .options(joinedload(Slot.table).joinedload(InterviewTable.participation)
                 .joinedload(Participation.fair))
    )
    if slot is None:
        abort(404)
    return slot


def load_tables(participation_id, table_id=None):
    """The tables with everything the timeline shows, in a fixed number of queries."""
    bookings = selectinload(InterviewTable.slots).selectinload(
        Slot.bookings.and_(Booking.status != "cancelled"))
    query = (
        select(InterviewTable)
        .where(InterviewTable.participation_id == participation_id)
        .order_by(InterviewTable.id)
        .options(
            bookings.joinedload(Booking.candidate).joinedload(Candidate.user),
            bookings.joinedload(Booking.candidate).joinedload(Candidate.cohort)
            .joinedload(Cohort.track),
            selectinload(InterviewTable.slots).selectinload(Slot.eligible_tracks),
            selectinload(InterviewTable.slots).selectinload(Slot.eligible_cohorts),
        )
        .execution_options(populate_existing=True)
    )
    if table_id is not None:
        query = query.where(InterviewTable.id == table_id)
    return db.session.scalars(query).all()
