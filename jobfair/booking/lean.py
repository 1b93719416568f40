"""The booking POST's reads and writes in Core SQL: the rush's hot path without ORM entities.

A booking request used to build about fifteen ORM objects (candidate, cohort, track, slot,
table, participation, company, booth, fair, its cohorts, its round …) to read a few columns,
and the unit of work to write one row; that was most of its CPU (bench/analysis.py). Here
one statement reads every column the rules and the answer need into plain objects with the
same attribute names as the models, so ``rules.check_can_book`` runs unchanged on them, and
the writes are single Core statements on the session's connection (same transaction).

Nothing is cached: capacity, counts and the fair's rules are read fresh in each request.
A slot's prerequisites (tracks, cohorts) are read only when the slot has some.
"""
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from sqlalchemy import bindparam, exists, select

from ..extensions import db
from ..models import (
    Booking,
    BookingRound,
    Candidate,
    Cohort,
    Company,
    Fair,
    InterviewTable,
    Participation,
    Slot,
    Track,
    User,
    fair_cohorts,
    slot_cohorts,
    slot_tracks,
    utcnow,
)

_slots, _tables = Slot.__table__, InterviewTable.__table__
_participations, _fairs = Participation.__table__, Fair.__table__
_companies, _candidates = Company.__table__, Candidate.__table__
_users, _cohorts, _rounds = User.__table__, Cohort.__table__, BookingRound.__table__
_tracks = Track.__table__
_bookings = Booking.__table__
_sent = _bookings.alias("sent")


UNREAD = object()  # "not read yet" where None means "read: there is none"


def clean_nonce(nonce):
    """The form's nonce as stored: trimmed, at most 64 characters; None when empty."""
    return (nonce or "").strip()[:64] or None


# --- Plain objects, read by the rules as they read the models -------------------------------


@dataclass
class Named:
    id: int
    name: str = ""


@dataclass
class LeanRound:
    published_at: datetime | None


@dataclass
class LeanFair:
    id: int
    status: str
    booking_opens_at: datetime
    booking_closes_at: datetime
    cancellation_deadline: datetime
    max_bookings_per_candidate: int
    min_gap_minutes: int
    booking_round: LeanRound | None
    # The invited cohorts that this request needs to know of: the candidate's, when invited.
    cohorts: list


@dataclass
class LeanParticipation:
    id: int
    status: str
    company_id: int
    company: Named
    fair: LeanFair

    @property
    def fair_id(self):
        return self.fair.id


@dataclass
class LeanTable:
    id: int
    name: str
    participation: LeanParticipation

    @property
    def participation_id(self):
        return self.participation.id


@dataclass
class LeanSlot:
    id: int
    starts_at: datetime
    ends_at: datetime
    capacity: int
    booked_count: int
    is_blocked: bool
    table: LeanTable
    has_tracks: bool = False
    has_cohorts: bool = False
    _prerequisites: dict = field(default_factory=dict, repr=False)

    @property
    def eligible_tracks(self):
        return self._prerequisite("tracks", self.has_tracks, _tracks, slot_tracks.c.track_id)

    @property
    def eligible_cohorts(self):
        return self._prerequisite("cohorts", self.has_cohorts, _cohorts, slot_cohorts.c.cohort_id)

    def _prerequisite(self, key, present, table, link):
        # Most slots have none: no statement then. A restricted slot reads its names once.
        if not present:
            return []
        if key not in self._prerequisites:
            rows = db.session.connection().execute(
                select(table.c.id, table.c.name).join(link.table, link == table.c.id)
                .where(link.table.c.slot_id == self.id))
            self._prerequisites[key] = [Named(row.id, row.name) for row in rows]
        return self._prerequisites[key]


@dataclass
class LeanCohort:
    id: int
    track_id: int | None


@dataclass
class LeanUser:
    id: int
    email: str


@dataclass
class LeanCandidate:
    id: int
    cohort_id: int | None
    cohort: LeanCohort | None
    phone: str | None
    city: str | None
    cv_filename: str | None
    user: LeanUser  # the confirmation email's recipient


@dataclass
class LeanBooking:
    """A booking just written (or found again by its nonce): what the answer and email read."""
    id: int
    slot_id: int
    candidate_id: int
    participation_id: int
    status: str
    slot: object = None
    candidate: object = None


# --- The read: candidate, slot, company and fair in one statement ---------------------------


@cache
def _request_statement():
    # Built once per process: composing it costs more than running it.
    return (
        select(
            _candidates.c.id.label("candidate_id"), _candidates.c.cohort_id,
            _candidates.c.phone, _candidates.c.city, _candidates.c.cv_filename,
            _cohorts.c.track_id, _users.c.email,
            _slots.c.id.label("slot_id"), _slots.c.starts_at, _slots.c.ends_at,
            _slots.c.capacity, _slots.c.booked_count, _slots.c.is_blocked,
            _tables.c.id.label("table_id"), _tables.c.name.label("table_name"),
            _participations.c.id.label("participation_id"),
            _participations.c.status.label("participation_status"),
            _participations.c.company_id, _companies.c.name.label("company_name"),
            _fairs.c.id.label("fair_id"), _fairs.c.status.label("fair_status"),
            _fairs.c.booking_opens_at, _fairs.c.booking_closes_at,
            _fairs.c.cancellation_deadline, _fairs.c.max_bookings_per_candidate,
            _fairs.c.min_gap_minutes,
            _rounds.c.id.label("round_id"), _rounds.c.published_at.label("round_published_at"),
            exists().where(fair_cohorts.c.fair_id == _fairs.c.id,
                           fair_cohorts.c.cohort_id == _candidates.c.cohort_id)
            .label("invited"),
            exists().where(slot_tracks.c.slot_id == _slots.c.id).label("has_tracks"),
            exists().where(slot_cohorts.c.slot_id == _slots.c.id).label("has_cohorts"),
            _sent.c.id.label("sent_id"), _sent.c.slot_id.label("sent_slot_id"),
            _sent.c.status.label("sent_status"),
            _sent.c.participation_id.label("sent_participation_id"),
        )
        .select_from(_slots)
        .join(_tables, _slots.c.table_id == _tables.c.id)
        .join(_participations, _tables.c.participation_id == _participations.c.id)
        .join(_fairs, _participations.c.fair_id == _fairs.c.id)
        .join(_companies, _participations.c.company_id == _companies.c.id)
        .join(_candidates, _candidates.c.user_id == bindparam("user_id"))
        .join(_users, _users.c.id == _candidates.c.user_id)
        .outerjoin(_cohorts, _cohorts.c.id == _candidates.c.cohort_id)
        .outerjoin(_rounds, _rounds.c.fair_id == _fairs.c.id)
        # The booking sent before with this form's nonce (none without a nonce: NULL = NULL
        # is not true), read in the same snapshot as the slot's count.
        .outerjoin(_sent, (_sent.c.candidate_id == _candidates.c.id)
                   & (_sent.c.nonce == bindparam("nonce")))
        .where(_slots.c.id == bindparam("slot_id"),
               _participations.c.fair_id == bindparam("fair_id"),
               _participations.c.status == "approved")
    )


def booking_request(user_id, fair_id, slot_id, nonce=None):
    """(candidate, slot, invited, sent) for a booking POST, or None when the slot is not one
    of an approved company of this fair (or the account has no candidate profile). ``sent``:
    the candidate's booking made with ``nonce`` (``booking_with_nonce``'s row), or None."""
    row = db.session.connection().execute(_request_statement(), {
        "user_id": user_id, "fair_id": fair_id, "slot_id": slot_id, "nonce": nonce}).first()
    if row is None:
        return None
    cohort = (LeanCohort(row.cohort_id, row.track_id) if row.cohort_id is not None else None)
    booking_round = LeanRound(row.round_published_at) if row.round_id is not None else None
    fair = LeanFair(row.fair_id, row.fair_status, row.booking_opens_at, row.booking_closes_at,
                    row.cancellation_deadline, row.max_bookings_per_candidate,
                    row.min_gap_minutes, booking_round,
                    [Named(row.cohort_id)] if row.invited else [])
    participation = LeanParticipation(row.participation_id, row.participation_status,
                                      row.company_id, Named(row.company_id, row.company_name),
                                      fair)
    slot = LeanSlot(row.slot_id, row.starts_at, row.ends_at, row.capacity, row.booked_count,
                    bool(row.is_blocked), LeanTable(row.table_id, row.table_name, participation),
                    bool(row.has_tracks), bool(row.has_cohorts))
    candidate = LeanCandidate(row.candidate_id, row.cohort_id, cohort, row.phone, row.city,
                              row.cv_filename, LeanUser(user_id, row.email))
    sent = (SentBooking(row.sent_id, row.sent_slot_id, row.sent_status,
                        row.sent_participation_id) if row.sent_id is not None else None)
    return candidate, slot, bool(row.invited), sent


# --- The candidate's live bookings in the fair (the rules' second read) ---------------------


@dataclass
class _LiveSlot:
    starts_at: datetime
    ends_at: datetime


@dataclass
class _LiveParticipation:
    company: Named


@dataclass
class LiveBooking:
    id: int
    participation_id: int
    slot: _LiveSlot
    participation: _LiveParticipation


@cache
def _live_statement():
    return (
        select(_bookings.c.id, _bookings.c.participation_id, _slots.c.starts_at,
               _slots.c.ends_at, _companies.c.name)
        .join(_slots, _bookings.c.slot_id == _slots.c.id)
        .join(_participations, _bookings.c.participation_id == _participations.c.id)
        .join(_companies, _participations.c.company_id == _companies.c.id)
        .where(_bookings.c.candidate_id == bindparam("candidate_id"),
               _participations.c.fair_id == bindparam("fair_id"),
               _bookings.c.status != "cancelled")
        .order_by(_bookings.c.id)
    )


def live_bookings(candidate_id, fair_id):
    """The candidate's bookings in the fair that are not cancelled, as the rules read them."""
    rows = db.session.connection().execute(
        _live_statement(), {"candidate_id": candidate_id, "fair_id": fair_id})
    return [LiveBooking(r.id, r.participation_id, _LiveSlot(r.starts_at, r.ends_at),
                        _LiveParticipation(Named(0, r.name))) for r in rows]


# --- Writes --------------------------------------------------------------------------------


@cache
def _nonce_statement():
    return select(_bookings.c.id, _bookings.c.slot_id, _bookings.c.status,
                  _bookings.c.participation_id).where(
        _bookings.c.candidate_id == bindparam("candidate_id"),
        _bookings.c.nonce == bindparam("nonce"))


@dataclass
class SentBooking:
    id: int
    slot_id: int
    status: str
    participation_id: int


def booking_with_nonce(candidate_id, nonce):
    """The candidate's booking sent with ``nonce``, or None."""
    row = db.session.connection().execute(
        _nonce_statement(), {"candidate_id": candidate_id, "nonce": nonce}).first()
    return SentBooking(*row) if row is not None else None


@cache
def _insert_statement(dialect):
    # ON CONFLICT DO NOTHING (any unique index): a second live booking with the slot or the
    # company, or a nonce used already, inserts no row and the transaction stays usable —
    # the partial unique indexes stay the last guard, without a SAVEPOINT around the INSERT.
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    return (dialect_insert(_bookings).on_conflict_do_nothing()
            .returning(_bookings.c.id))


def insert_booking(candidate_id, slot_id, participation_id, nonce=None):
    """The new booking's id, or None when a unique index refused it."""
    connection = db.session.connection()
    return connection.execute(_insert_statement(connection.dialect.name), {
        "slot_id": slot_id, "candidate_id": candidate_id, "participation_id": participation_id,
        "status": "active", "created_at": utcnow(), "nonce": nonce,
    }).scalar()

