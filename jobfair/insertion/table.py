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

Each of them keeps the fair's totals (``insertion_totals``, ``insertion_follow_up_totals``:
the table counted per cohort and employer, per follow-up statuses and days to hire; and
``insertion_company_totals``, the per-company numbers), which the dashboard sums:
``refresh_totals(fair_ids)`` recounts a fair's; ``refresh_company_totals(fair_ids)`` the
per-company numbers alone (after an attendance mark, a new lead); a new pair (``booked``)
only adds its rows of 1 (compacted by the fair's next recount), so a booking pays more
statements only when its pair is new (a candidate of an invited cohort already counts: the
rush pays nothing). A recount costs ≈ 12 ms for a fair of 5,000 pairs (a cancellation, an
outcome, an answer pay it).

On PostgreSQL a recount, and a row of 1, hold a transaction-scoped advisory lock on the fair
until the commit: a statement reads only what was committed when it started, so without it a
recount beside another one, or beside a new pair, could miss a row or count it twice. Taken
always in the same order, in one mode (a shared lock upgraded by two transactions would
deadlock). SQLite has one writer at a time already.
"""
import json
from functools import cache

from sqlalchemy import ARRAY, Integer, and_, bindparam, case, delete, func, insert, literal
from sqlalchemy import select, text, true, tuple_, union, union_all
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..extensions import db
from ..models import (
    Booking,
    Candidate,
    Fair,
    FollowUpAnswer,
    InsertionCompanyTotal,
    InsertionFollowUpTotal,
    InsertionOutcome,
    InsertionTotal,
    Lead,
    Outcome,
    Participation,
    fair_cohorts,
)
from . import queries, rates

IO = InsertionOutcome
TOTAL_COUNTERS = ("size", "known", "inserted", "insertion_base", "in_field_full_time",
                  "conflicts")
TOTALS_LOCK = 15  # the advisory-lock class of a fair's totals (pg_advisory_xact_lock(15, fair))
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


def _fairs_of(candidate_ids):
    return set(db.session.scalars(select(IO.fair_id).distinct()
                                  .where(_among(IO.candidate_id, candidate_ids))))


def refresh_membership(fair_id=None, candidate_ids=None):
    """Pairs of this fair and/or these candidates that stopped counting leave; new ones come in
    with an unknown outcome (a pair already counted keeps its row). Then the totals of the
    fairs concerned (a candidate's new cohort moves its rows to another cohort's totals)."""
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
    fairs = {fair_id} if fair_id is not None else _fairs_of(candidate_ids)
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
    if fair_id is None:
        fairs |= _fairs_of(candidate_ids)
    refresh_totals(fairs)


def _lock_totals(fair_ids):
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for fair_id in sorted(fair_ids):
        db.session.execute(text("SELECT pg_advisory_xact_lock(:lock, :fair_id)"),
                           {"lock": TOTALS_LOCK, "fair_id": fair_id})


def _flag(condition):
    return func.sum(case((condition, 1), else_=0))


def refresh_totals(fair_ids):
    """Recount the totals of these fairs from their rows of ``insertion_outcomes``, and their
    per-company numbers."""
    fair_ids = sorted(set(fair_ids))
    if not fair_ids:
        return
    refresh_company_totals(fair_ids)  # takes the fairs' lock
    for model in (InsertionTotal, InsertionFollowUpTotal):
        db.session.execute(delete(model).where(_among(model.fair_id, fair_ids))
                           .execution_options(synchronize_session=False))
    status = IO.status
    keys = [IO.fair_id, Candidate.cohort_id, IO.employer_company_id, IO.employer_name]
    counted = select(
        *keys, func.count(), _flag(status.is_not(None)),
        _flag(status.in_(rates.EMPLOYED_STATUSES)),
        _flag(and_(status.is_not(None), status != "not_seeking")),
        _flag(IO.in_field_full_time), _flag(IO.conflict),
    ).join(Candidate, Candidate.id == IO.candidate_id).where(_among(IO.fair_id, fair_ids))
    db.session.execute(insert(InsertionTotal).from_select(
        ["fair_id", "cohort_id", "employer_company_id", "employer_name", *TOTAL_COUNTERS],
        counted.group_by(*keys)))
    keys = [IO.fair_id, IO.status_30, IO.status_90, IO.status_180, IO.days_to_hire]
    db.session.execute(insert(InsertionFollowUpTotal).from_select(
        ["fair_id", "status_30", "status_90", "status_180", "days_to_hire", "count"],
        select(*keys, func.count()).where(_among(IO.fair_id, fair_ids)).group_by(*keys)))


def refresh_company_totals(fair_ids):
    """Recount the per-company numbers of these fairs (rates.company_activity): interviews held
    (bookings attended), leads, offers, hires. After an attendance mark or a new lead; the
    other writers recount them with the rest (refresh_totals)."""
    fair_ids = sorted(set(fair_ids))
    if not fair_ids:
        return
    db.session.flush()
    _lock_totals(fair_ids)
    db.session.execute(delete(InsertionCompanyTotal)
                       .where(_among(InsertionCompanyTotal.fair_id, fair_ids))
                       .execution_options(synchronize_session=False))

    def per_company(metric, model, *where):
        return (select(Participation.fair_id, Participation.company_id, literal(metric),
                       func.count())
                .select_from(model)
                .join(Participation, Participation.id == model.participation_id)
                .where(_among(Participation.fair_id, fair_ids), *where)
                .group_by(Participation.fair_id, Participation.company_id))

    db.session.execute(insert(InsertionCompanyTotal).from_select(
        ["fair_id", "company_id", "metric", "count"], union_all(
            per_company("interviews", Booking, Booking.status == "attended"),
            per_company("leads", Lead),
            per_company("offers", Outcome, Outcome.status.in_(rates.OFFER_STATUSES)),
            per_company("hires", Outcome, Outcome.status == "hired"))))


@cache
def _booked_statements():
    # Written as text: SQLAlchemy gives the dialects' on_conflict_do_nothing() insert no cache
    # key, so it was compiled again on every booking; the SQL is the same on SQLite and
    # PostgreSQL.
    columns = ["fair_id", "candidate_id", *UNKNOWN]
    pair = text(f"INSERT INTO {IO.__tablename__} ({', '.join(columns)}) "
                f"VALUES ({', '.join(':' + name for name in columns)}) ON CONFLICT DO NOTHING")
    # The new pair's rows of 1 in the totals (an unknown outcome, no answer yet).
    total = text(
        f"INSERT INTO {InsertionTotal.__tablename__} (fair_id, cohort_id, "
        f"{', '.join(TOTAL_COUNTERS)}) SELECT :fair_id, cohort_id, 1, 0, 0, 0, 0, 0 "
        f"FROM {Candidate.__tablename__} WHERE id = :candidate_id")
    follow_up = text(
        f"INSERT INTO {InsertionFollowUpTotal.__tablename__} (fair_id, status_30, status_90, "
        f"status_180, count) VALUES (:fair_id, :status_30, :status_90, :status_180, 1)")
    return pair, total, follow_up


def booked(fair_id, candidate_id):
    """A new booking (not cancelled): the pair counts from now on. One statement when the pair
    already counts; when it is new, its rows of 1 in the totals (and the lock on PostgreSQL)."""
    pair, total, follow_up = _booked_statements()
    values = {"fair_id": fair_id, "candidate_id": candidate_id, **UNKNOWN}
    if db.session.execute(pair, values).rowcount:
        _lock_totals([fair_id])
        db.session.execute(total, values)
        db.session.execute(follow_up, values)


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
        refresh_totals([fair_id])
    else:  # the last outcome removed: the pair may still count (invited, booked, a lead)
        refresh_membership(fair_id, [candidate_id])


def rebuild(fair_id=None):
    """Recompute every row (of one fair, or of all) and the totals; returns the number of rows
    written."""
    filters = queries.Filters(fair_ids=[fair_id] if fair_id is not None else [])
    values = [_values(row) for row in queries.iter_rows(filters)]
    stale = delete(IO)
    if fair_id is not None:
        stale = stale.where(IO.fair_id == fair_id)
    db.session.execute(stale)
    for start in range(0, len(values), 1000):
        db.session.execute(insert(IO), values[start:start + 1000])
    if fair_id is None:
        for model in (InsertionTotal, InsertionFollowUpTotal, InsertionCompanyTotal):
            db.session.execute(delete(model))
        refresh_totals(db.session.scalars(select(Fair.id)))
    else:
        refresh_totals([fair_id])
    return len(values)


def refresh_fair(fair_id):
    """After a change of the fair itself (its day moves every 30/90/180-day and 180-day test)."""
    rebuild(fair_id)
