"""Writes of ``insertion_outcomes``: one row for every (fair, candidate) that counts at the fair,
holding the outcome rates.resolve decided (status NULL: unknown).

Who counts (the membership) is the union of ``_sources``: the candidates of the cohorts invited
to the fair, and anyone with a booking not cancelled, a lead, a company outcome or a follow-up
answer there. Every writer of those calls this module in its own transaction (the list is in
this package's README):
- ``booked(fair_id, candidate_id)``: a new booking (one INSERT that does nothing when the pair
  is already counted: the booking hot path pays one statement);
- ``refresh_membership(fair_id=..., candidate_ids=...)``: after a change that may end or start
  membership (a cancelled or deleted booking, invited cohorts, a candidate's cohort): two
  statements recompute it from the source tables for those pairs;
- ``refresh(fair_id, candidate_id)``: after an outcome or an answer, the pair's resolved row;
- ``rebuild(fair_id=None)`` (``flask jobfair insertion rebuild [--fair ID]``) from scratch.
"""
import json
from functools import cache

from sqlalchemy import ARRAY, Integer, bindparam, delete, func, insert, literal, select, true
from sqlalchemy import text, tuple_, union
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..extensions import db
from ..models import (
    Booking,
    Candidate,
    Fair,
    FollowUpAnswer,
    InsertionOutcome,
    Lead,
    Outcome,
    Participation,
    fair_cohorts,
)
from . import queries, rates

IO = InsertionOutcome
# What a counted pair without any fact holds (the model's defaults, written by plain SQL here).
UNKNOWN = {"in_field_full_time": False, "conflict": False,
           **{f"status_{day}": "no_answer" for day in rates.FOLLOW_UP_DAYS}}


def _values(row):
    return {
        "fair_id": row.fair_id, "candidate_id": row.candidate_id, "status": row.status,
        "employer_company_id": row.employer_id,
        "employer_name": row.employer_name if row.employer_id is None else None,
        "in_field_full_time": row.in_field_full_time, "conflict": row.conflict,
        "days_to_hire": row.days_to_hire,
        **{f"status_{day}": row.status_by_day[day] for day in rates.FOLLOW_UP_DAYS},
    }


def _has_facts(row):
    return bool(row.outcomes or row.answers)


def _insert_ignoring_counted():
    """INSERT … ON CONFLICT DO NOTHING: two transactions counting one pair never collide."""
    dialect = db.session.get_bind().dialect.name
    return (postgresql_insert if dialect == "postgresql" else sqlite_insert)(IO)


def _among(column, ids):
    """``column IN ids`` with the ids as ONE parameter (an import refreshes 10,000 candidates:
    one parameter per id, in six places, was 60,000 parameters to render and parse)."""
    if db.session.get_bind().dialect.name == "postgresql":
        values = select(func.unnest(bindparam("ids", ids, type_=ARRAY(Integer), unique=True)))
    else:
        values = select(func.json_each(bindparam("ids", json.dumps(ids), unique=True))
                        .table_valued("value").c.value)
    return column.in_(values)


def _sources(fair_id=None, candidate_ids=None):
    """(fair_id, candidate_id) of every pair that counts, narrowed to a fair and/or candidates."""
    def scoped(statement, fair_column, candidate_column):
        if fair_id is not None:
            statement = statement.where(fair_column == fair_id)
        if candidate_ids is not None:
            statement = statement.where(_among(candidate_column, candidate_ids))
        return statement

    def by_participation(model, *where):
        return scoped(select(Participation.fair_id, model.candidate_id)
                      .join(Participation, Participation.id == model.participation_id)
                      .where(*where), Participation.fair_id, model.candidate_id)

    return union(
        scoped(select(fair_cohorts.c.fair_id.label("fair_id"), Candidate.id.label("candidate_id"))
               .join(Candidate, Candidate.cohort_id == fair_cohorts.c.cohort_id),
               fair_cohorts.c.fair_id, Candidate.id),
        by_participation(Booking, Booking.status != "cancelled"),
        by_participation(Lead),
        by_participation(Outcome),
        scoped(select(FollowUpAnswer.fair_id, FollowUpAnswer.candidate_id),
               FollowUpAnswer.fair_id, FollowUpAnswer.candidate_id),
    ).subquery("members")


def refresh_membership(fair_id=None, candidate_ids=None):
    """Pairs of this fair and/or these candidates that stopped counting leave; new ones come in
    with an unknown outcome (a pair already counted keeps its row)."""
    if candidate_ids is not None:
        candidate_ids = sorted(set(candidate_ids))
        if not candidate_ids:
            return
    db.session.flush()
    scope = []
    if fair_id is not None:
        scope.append(IO.fair_id == fair_id)
    if candidate_ids is not None:
        scope.append(_among(IO.candidate_id, candidate_ids))
    members = _sources(fair_id, candidate_ids)
    db.session.execute(
        delete(IO).where(*scope, tuple_(IO.fair_id, IO.candidate_id).not_in(
            select(members.c.fair_id, members.c.candidate_id)))
        .execution_options(synchronize_session=False))
    # SQLite needs a WHERE in an INSERT … SELECT … ON CONFLICT (its documented parsing rule).
    chosen = select(members.c.fair_id, members.c.candidate_id,
                    *[literal(value).label(name) for name, value in UNKNOWN.items()]).where(true())
    db.session.execute(_insert_ignoring_counted().from_select(
        ["fair_id", "candidate_id", *UNKNOWN], chosen).on_conflict_do_nothing())


@cache
def _booked_statement():
    # Written as text: SQLAlchemy gives the dialects' on_conflict_do_nothing() insert no cache
    # key, so it was compiled again on every booking; the SQL is the same on SQLite and
    # PostgreSQL.
    columns = ["fair_id", "candidate_id", *UNKNOWN]
    return text(f"INSERT INTO {IO.__tablename__} ({', '.join(columns)}) "
                f"VALUES ({', '.join(':' + name for name in columns)}) ON CONFLICT DO NOTHING")


def booked(fair_id, candidate_id):
    """A new booking (not cancelled): the pair counts from now on. One statement."""
    db.session.execute(_booked_statement(),
                       {"fair_id": fair_id, "candidate_id": candidate_id, **UNKNOWN})


def refresh(fair_id, candidate_id):
    """Recompute the row of one (fair, candidate) from its outcomes and answers."""
    db.session.flush()
    fair = db.session.execute(select(Fair.name, Fair.day, Fair.region)
                              .where(Fair.id == fair_id)).one()
    row = rates.Row(fair_id=fair_id, fair_name=fair.name, fair_day=fair.day, region=fair.region,
                    candidate_id=candidate_id)
    queries._attach_facts({(fair_id, candidate_id): row}, queries.Filters(),
                          candidate_ids=[candidate_id], fair_ids=[fair_id])
    db.session.execute(delete(IO).where(IO.fair_id == fair_id, IO.candidate_id == candidate_id))
    if _has_facts(row):
        db.session.execute(insert(IO), [_values(row)])
    else:  # the last outcome removed: the pair may still count (invited, booked, a lead)
        refresh_membership(fair_id, [candidate_id])


def rebuild(fair_id=None):
    """Recompute every row (of one fair, or of all); returns the number of rows written."""
    filters = queries.Filters(fair_ids=[fair_id] if fair_id is not None else [])
    values = [_values(row) for row in queries.iter_rows(filters)]
    stale = delete(IO)
    if fair_id is not None:
        stale = stale.where(IO.fair_id == fair_id)
    db.session.execute(stale)
    for start in range(0, len(values), 1000):
        db.session.execute(insert(IO), values[start:start + 1000])
    return len(values)


def refresh_fair(fair_id):
    """After a change of the fair itself (its day moves every 30/90/180-day and 180-day test)."""
    rebuild(fair_id)
