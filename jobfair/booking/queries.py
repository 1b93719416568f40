"""Reads shaped for the candidate's pages: a fixed number of queries, whatever the data."""
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import exists, func, select
from sqlalchemy.orm import aliased, contains_eager, joinedload, selectinload

from ..extensions import db
from ..models import (
    Booking,
    Company,
    InterviewTable,
    Participation,
    Position,
    Slot,
    Track,
    WaitlistEntry,
    utcnow,
)
from ..text import fold


@dataclass
class DirectoryEntry:
    participation: Participation
    free_slots: int

    @property
    def company(self):
        return self.participation.company

    @property
    def open_positions(self):
        return [p for p in self.company.positions if p.is_open]

    @property
    def tracks(self):
        tracks = {p.track.id: p.track for p in self.open_positions if p.track is not None}
        return sorted(tracks.values(), key=lambda t: t.name.lower())


def _free_slot_count(now):
    return (
        select(func.count(Slot.id))
        .join(InterviewTable, Slot.table_id == InterviewTable.id)
        .where(InterviewTable.participation_id == Participation.id,
               Slot.is_blocked.is_(False), Slot.booked_count < Slot.capacity,
               Slot.starts_at > now)
        .correlate(Participation)
        .scalar_subquery()
    )


def _open_position(*conditions):
    return exists(select(Position.id).where(
        Position.company_id == Company.id, Position.is_open.is_(True), *conditions))


def directory(fair, sector=None, track_id=None, contract=None, free_only=False, search=None,
              now=None):
    """The fair's approved companies matching the filters, with their free-slot count.

    Two queries (companies with booth and counts, then positions with tracks).
    The text search runs here on the loaded rows, accent- and case-insensitive,
    over the name, city, description and open positions.
    """
    free = _free_slot_count(now or utcnow()).label("free")
    query = (
        select(Participation, free)
        .join(Company, Participation.company_id == Company.id)
        .where(Participation.fair_id == fair.id, Participation.status == "approved")
        .options(contains_eager(Participation.company)
                 .selectinload(Company.positions).joinedload(Position.track),
                 joinedload(Participation.booth))
        .order_by(Company.name, Company.id)
    )
    if sector:
        query = query.where(Company.sector == sector)
    if track_id:
        query = query.where(_open_position(Position.track_id == track_id))
    if contract:
        query = query.where(_open_position(Position.contract_type == contract))
    if free_only:
        query = query.where(_free_slot_count(now or utcnow()) > 0)
    entries = [DirectoryEntry(p, count) for p, count in db.session.execute(query).unique()]
    words = fold(search).split()
    if words:
        entries = [e for e in entries if all(w in _haystack(e) for w in words)]
    return entries


def _haystack(entry):
    company = entry.company
    parts = [company.name, company.city, company.description]
    parts += [p.title for p in entry.open_positions]
    return fold(" ".join(p for p in parts if p))


def tracks_sought(fair):
    """The tracks of the open positions of the fair's approved companies (the filter's choices)."""
    return db.session.scalars(
        select(Track)
        .join(Position, Position.track_id == Track.id)
        .join(Participation, Participation.company_id == Position.company_id)
        .where(Participation.fair_id == fair.id, Participation.status == "approved",
               Position.is_open.is_(True))
        .distinct()
        .order_by(Track.name)
    ).all()


def company_participation(fair_id, company_id):
    """An approved participation of the fair, with what the company page shows."""
    return db.session.scalar(
        select(Participation)
        .where(Participation.fair_id == fair_id, Participation.company_id == company_id,
               Participation.status == "approved")
        .options(joinedload(Participation.company)
                 .selectinload(Company.positions).joinedload(Position.track),
                 joinedload(Participation.booth))
    )


def slot_in_fair(fair_id, slot_id):
    """A slot of an approved company of this fair (None for any other: forged or foreign ids)."""
    return db.session.scalar(
        select(Slot)
        .join(InterviewTable, Slot.table_id == InterviewTable.id)
        .join(Participation, InterviewTable.participation_id == Participation.id)
        .where(Slot.id == slot_id, Participation.fair_id == fair_id,
               Participation.status == "approved")
        .options(joinedload(Slot.table).joinedload(InterviewTable.participation)
                 .joinedload(Participation.company),
                 selectinload(Slot.eligible_tracks), selectinload(Slot.eligible_cohorts))
    )


def schedule(candidate_id, fair_id):
    """The candidate's live bookings in the fair, in time order, with company, booth and table."""
    return db.session.scalars(
        select(Booking)
        .join(Slot, Booking.slot_id == Slot.id)
        .join(Participation, Booking.participation_id == Participation.id)
        .where(Booking.candidate_id == candidate_id, Participation.fair_id == fair_id,
               Booking.status != "cancelled")
        .options(contains_eager(Booking.slot).joinedload(Slot.table),
                 contains_eager(Booking.participation).joinedload(Participation.company),
                 contains_eager(Booking.participation).joinedload(Participation.booth),
                 contains_eager(Booking.participation).joinedload(Participation.fair))
        .order_by(Slot.starts_at, Booking.id)
    ).unique().all()


def free_slots_by_participation(participation_ids, now=None):
    """Free, open, future slots of these companies: {participation_id: [slots]} (one query)."""
    if not participation_ids:
        return {}
    slots = db.session.scalars(
        select(Slot)
        .join(InterviewTable, Slot.table_id == InterviewTable.id)
        .where(InterviewTable.participation_id.in_(list(participation_ids)),
               Slot.is_blocked.is_(False), Slot.booked_count < Slot.capacity,
               Slot.starts_at > (now or utcnow()))
        .options(contains_eager(Slot.table), selectinload(Slot.eligible_tracks),
                 selectinload(Slot.eligible_cohorts))
        .order_by(Slot.starts_at, Slot.id)
    ).all()
    grouped = defaultdict(list)
    for slot in slots:
        grouped[slot.table.participation_id].append(slot)
    return grouped


def waiting_entries(candidate_id, fair_id):
    """The candidate's waiting entries in the fair with their place in line: [(entry, place)]."""
    other = aliased(WaitlistEntry)
    place = (
        select(func.count(other.id))
        .where(other.participation_id == WaitlistEntry.participation_id,
               other.status == "waiting", other.id <= WaitlistEntry.id)
        .correlate(WaitlistEntry)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(WaitlistEntry, place)
        .join(Participation, WaitlistEntry.participation_id == Participation.id)
        .where(WaitlistEntry.candidate_id == candidate_id, WaitlistEntry.status == "waiting",
               Participation.fair_id == fair_id)
        .options(contains_eager(WaitlistEntry.participation).joinedload(Participation.company))
        .order_by(WaitlistEntry.id)
    ).all()
    return [(entry, count) for entry, count in rows]


def waiting_place(entry):
    """1 for the first in line."""
    return db.session.scalar(
        select(func.count(WaitlistEntry.id))
        .where(WaitlistEntry.participation_id == entry.participation_id,
               WaitlistEntry.status == "waiting", WaitlistEntry.id <= entry.id)
    )
