"""The scan's statements, built once per process (the entrance's hottest path): plain
columns, no ORM entity, each compiled once and then taken from SQLAlchemy's cache."""
from functools import cache

from sqlalchemy import bindparam, exists, select, text

from ..models import (
    Badge,
    Booking,
    Booth,
    Candidate,
    CheckIn,
    Cohort,
    Company,
    Participation,
    Slot,
    Track,
    User,
    fair_cohorts,
)


@cache
def badge():
    # The badge, its holder and what the answer shows of them, whether the candidate's cohort
    # is invited and whether the representative's company takes part: one statement of plain
    # columns, built once per process.
    invited = exists().where(fair_cohorts.c.cohort_id == Candidate.cohort_id,
                             fair_cohorts.c.fair_id == bindparam("fair_id"))
    approved = exists().where(Participation.company_id == User.company_id,
                              Participation.fair_id == bindparam("fair_id"),
                              Participation.status == "approved")
    return (
        select(Badge.id, Badge.fair_id, Badge.revoked_at, User.id, User.role, User.is_enabled,
               User.first_name, User.last_name, User.email, Candidate.id, Track.name,
               Cohort.name, Company.name, invited, approved)
        .select_from(Badge)
        .join(User, User.id == Badge.user_id)
        .outerjoin(Candidate, Candidate.user_id == User.id)
        .outerjoin(Cohort, Cohort.id == Candidate.cohort_id)
        .outerjoin(Track, Track.id == Cohort.track_id)
        .outerjoin(Company, Company.id == User.company_id)
        .where(Badge.token == bindparam("token")))


@cache
def interviews():
    # One statement, built once per process: the candidate's live bookings of the fair with
    # their times, companies and booths, in time order (the entrance's hottest path).
    return (
        select(Slot.starts_at, Slot.ends_at, Company.name, Booth.number)
        .select_from(Booking)
        .join(Slot, Slot.id == Booking.slot_id)
        .join(Participation, Participation.id == Booking.participation_id)
        .join(Company, Company.id == Participation.company_id)
        .outerjoin(Booth, (Booth.participation_id == Participation.id)
                   & (Booth.fair_id == Participation.fair_id))
        .where(Booking.candidate_id == bindparam("candidate_id"),
               Participation.fair_id == bindparam("fair_id"), Booking.status != "cancelled")
        .order_by(Slot.starts_at, Booking.id))


_INSERTED = ("fair_id", "user_id", "badge_id", "kind", "checked_in_at", "recorded_at",
             "scanned_by_id", "device_name", "nonce")
_RETURNED = ("id", "fair_id", "user_id", "badge_id", "checked_in_at", "scanned_by_id",
             "device_name")


@cache
def insert_checkin():
    # The same SQL on SQLite (≥ 3.35) and PostgreSQL, as typed text built once per process:
    # SQLAlchemy 2.0 does not cache the dialects' on_conflict_do_nothing() inserts (no cache
    # key), so they were compiled again on every scan; and no ORM entity is built from it.
    columns = CheckIn.__table__.c
    return text(
        f"INSERT INTO checkins ({', '.join(_INSERTED)}) "
        f"VALUES ({', '.join(':' + name for name in _INSERTED)}) "
        f"ON CONFLICT DO NOTHING RETURNING {', '.join(_RETURNED)}"
    ).bindparams(*(bindparam(name, type_=columns[name].type) for name in _INSERTED)
                 ).columns(*(columns[name] for name in _RETURNED))
