"""Reads for the insertion dashboard and exports: candidate rows (one per candidate per fair).

Who counts at a fair: the candidates of the cohorts invited to it, plus anyone with a booking,
a lead, a company outcome or a follow-up answer at that fair.

The number of queries does not grow with the data: ``rows()`` runs one query for the rows and
four for their facts (bookings, leads, company outcomes, follow-up answers), each filtered by the
fairs chosen; ``iter_rows(batch_size=...)`` streams the rows with a server-side cursor
(``yield_per``) and runs the four fact queries once per batch, for that batch's candidates only —
nothing holds every row at once.
"""
import gc
import json
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ARRAY, Integer, bindparam, func, select, union

from ..extensions import db
from ..models import (
    Booking,
    Candidate,
    Cohort,
    Company,
    Fair,
    FollowUpAnswer,
    Lead,
    Outcome,
    Participation,
    Track,
    TrainingOperator,
    User,
    fair_cohorts,
)
from . import rates

BATCH_SIZE = 1000


@dataclass
class Filters:
    fair_ids: list = field(default_factory=list)
    date_from: date | None = None
    date_to: date | None = None
    # With no fair and no dates chosen, only the fairs already held count: a fair still to
    # come has no outcome yet and would only lower every rate.
    held_before: date | None = None

    def conditions(self):
        """Conditions on Fair."""
        result = []
        if self.held_before:
            result.append(Fair.day < self.held_before)
        if self.fair_ids:
            result.append(Fair.id.in_(self.fair_ids))
        if self.date_from:
            result.append(Fair.day >= self.date_from)
        if self.date_to:
            result.append(Fair.day <= self.date_to)
        return result

    def as_args(self):
        """Query-string values that give these filters back (for links and exports)."""
        args = {}
        if self.fair_ids:
            args["fairs"] = [str(i) for i in self.fair_ids]
        if self.date_from:
            args["date_from"] = self.date_from.isoformat()
        if self.date_to:
            args["date_to"] = self.date_to.isoformat()
        return args


def _pairs(filters):
    """(fair_id, candidate_id) of everyone who counts at the chosen fairs."""
    conditions = filters.conditions()

    def on_fair(stmt, fair_column):
        return stmt.join(Fair, Fair.id == fair_column).where(*conditions)

    invited = on_fair(
        select(fair_cohorts.c.fair_id.label("fair_id"), Candidate.id.label("candidate_id"))
        .join(Candidate, Candidate.cohort_id == fair_cohorts.c.cohort_id),
        fair_cohorts.c.fair_id)
    booked = on_fair(
        select(Participation.fair_id, Booking.candidate_id)
        .join(Participation, Participation.id == Booking.participation_id)
        .where(Booking.status != "cancelled"), Participation.fair_id)
    led = on_fair(select(Participation.fair_id, Lead.candidate_id)
                  .join(Participation, Participation.id == Lead.participation_id),
                  Participation.fair_id)
    outcome = on_fair(select(Participation.fair_id, Outcome.candidate_id)
                      .join(Participation, Participation.id == Outcome.participation_id),
                      Participation.fair_id)
    answered = on_fair(select(FollowUpAnswer.fair_id, FollowUpAnswer.candidate_id),
                       FollowUpAnswer.fair_id)
    return union(invited, booked, led, outcome, answered).subquery("pairs")


def _base_statement(filters, pairs=None):
    """The rows' identity columns; ``pairs`` (fair_id, candidate_id) narrows them to pairs that
    are known to count (figures.drill_down_pairs) instead of computing who counts."""
    pairs = _pairs(filters) if pairs is None else pairs
    return (
        select(Fair.id, Fair.name, Fair.day, Fair.region, Candidate.id, User.last_name,
               User.first_name, User.email, Cohort.id, Cohort.name, TrainingOperator.id,
               TrainingOperator.name, Track.id, Track.name)
        .select_from(pairs)
        .join(Fair, Fair.id == pairs.c.fair_id)
        .join(Candidate, Candidate.id == pairs.c.candidate_id)
        .join(User, User.id == Candidate.user_id)
        .outerjoin(Cohort, Cohort.id == Candidate.cohort_id)
        .outerjoin(TrainingOperator, TrainingOperator.id == Cohort.operator_id)
        .outerjoin(Track, Track.id == Cohort.track_id)
        .where(*filters.conditions())
        .order_by(Fair.day, Fair.id, User.last_name, User.first_name, Candidate.id)
    )


def _make_row(values):
    (fair_id, fair_name, day, region, candidate_id, last, first, email, cohort_id, cohort_name,
     operator_id, operator_name, track_id, track_name) = values
    return rates.Row(fair_id=fair_id, fair_name=fair_name, fair_day=day, region=region,
                     candidate_id=candidate_id, last_name=last, first_name=first, email=email,
                     cohort_id=cohort_id, cohort_name=cohort_name, operator_id=operator_id,
                     operator_name=operator_name, track_id=track_id, track_name=track_name)


def _batch_conditions(candidate_ids, fair_ids):
    """``(candidate_column, fair_column) -> conditions`` keeping the facts of one batch.

    - The candidate ids go as ONE parameter: ``in_(list)`` rendered and sent one parameter
      per id (1,000 a batch, four queries a batch): half of the national export's time on
      PostgreSQL went to SQLAlchemy rendering 130,000 parameters and psycopg parsing them.
      PostgreSQL gets an array, SQLite a JSON text read by ``json_each``.
    - The fairs: a candidate met at several fairs would otherwise bring the facts of every
      fair, to be thrown away. On SQLite the fair test is written ``fair_id + 0``, which
      SQLite's documented rule keeps off the index: its planner otherwise walked every
      participation of the fair and probed each candidate (40,000 probes a query, 12 ms
      instead of 1 ms); with it, it starts from the candidate_id indexes, as PostgreSQL does.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        among = select(func.unnest(bindparam("ids", list(candidate_ids), type_=ARRAY(Integer))))
        return lambda column, fair_column: [column.in_(among), fair_column.in_(fair_ids)]
    table = func.json_each(bindparam("ids", json.dumps(list(candidate_ids)))).table_valued(
        "value")
    among = select(table.c.value)
    return lambda column, fair_column: [column.in_(among), (fair_column + 0).in_(fair_ids)]


def _attach_facts(rows_by_key, filters, candidate_ids=None, companies=None, fair_ids=None):
    """Four queries: bookings, leads, outcomes, answers of these rows; then resolve them.

    A batch (``iter_rows``) names its candidates and its fairs (``_batch_conditions``).
    Plain columns, not ORM objects: 30,000 answers as objects took a third of an export.
    """
    conditions = filters.conditions()
    if candidate_ids is not None:
        only = _batch_conditions(candidate_ids, fair_ids)
    else:
        only = lambda column, fair_column: []
    companies = {} if companies is None else companies

    def by_participation(*columns, model):
        return (select(Participation.fair_id, model.candidate_id, Company.id, Company.name,
                       Company.sector, *columns)
                .join(Participation, Participation.id == model.participation_id)
                .join(Company, Company.id == Participation.company_id)
                .join(Fair, Fair.id == Participation.fair_id)
                .where(*conditions, *only(model.candidate_id, Participation.fair_id)))

    for fair_id, candidate_id, company_id, name, sector, status in db.session.execute(
            by_participation(Booking.status, model=Booking)
            .where(Booking.status != "cancelled")):
        row = rows_by_key.get((fair_id, candidate_id))
        if row is None:
            continue
        companies[company_id] = row.companies[company_id] = (name, sector)
        row.bookings += 1
        if status == "attended":
            row.attended += 1
            row.attended_company_ids.add(company_id)
    for fair_id, candidate_id, company_id, name, sector in db.session.execute(
            by_participation(model=Lead)):
        row = rows_by_key.get((fair_id, candidate_id))
        if row is not None:
            companies[company_id] = row.companies[company_id] = (name, sector)
            row.lead_company_ids.add(company_id)
    for (fair_id, candidate_id, company_id, name, sector, status, contract,
         start, updated) in db.session.execute(
            by_participation(Outcome.status, Outcome.contract_type, Outcome.start_date,
                             Outcome.updated_at, model=Outcome).order_by(Outcome.id)):
        row = rows_by_key.get((fair_id, candidate_id))
        if row is not None:
            companies[company_id] = row.companies[company_id] = (name, sector)
            row.outcomes.append(rates.CompanyOutcome(company_id, name, sector, status,
                                                     contract, start, updated))
    answers = (
        select(FollowUpAnswer.fair_id, FollowUpAnswer.candidate_id, FollowUpAnswer.id,
               FollowUpAnswer.status, FollowUpAnswer.source, FollowUpAnswer.answered_at,
               FollowUpAnswer.contract_type, FollowUpAnswer.employer_company_id,
               FollowUpAnswer.employer_name, FollowUpAnswer.in_field, FollowUpAnswer.full_time,
               FollowUpAnswer.start_date, Company.name, Company.sector)
        .join(Fair, Fair.id == FollowUpAnswer.fair_id)
        .outerjoin(Company, Company.id == FollowUpAnswer.employer_company_id)
        .where(*conditions, *only(FollowUpAnswer.candidate_id, FollowUpAnswer.fair_id))
    )
    for answer in db.session.execute(answers):
        name, sector = answer[-2:]
        row = rows_by_key.get((answer.fair_id, answer.candidate_id))
        if row is None:
            continue
        if answer.employer_company_id is not None:
            row.companies[answer.employer_company_id] = (name, sector)
        row.answers.append(rates.Answer(
            status=answer.status, source=answer.source, answered_at=answer.answered_at,
            id=answer.id, contract_type=answer.contract_type,
            employer_company_id=answer.employer_company_id, employer_name=answer.employer_name,
            in_field=answer.in_field, full_time=answer.full_time, start_date=answer.start_date))
    for row in rows_by_key.values():
        rates.resolve(row)
    return companies


@contextmanager
def _collector_paused():
    """Build many small objects without the cyclic garbage collector running.

    Nationally a dashboard builds ~32,000 rows (each with sets, lists, dicts) and ~100,000 fact
    tuples: the collector, triggered every 700 allocations, walked the growing heap again and
    again — 40 % of the page's time. The rows hold no reference cycles: reference counting
    frees them; the collector runs again as soon as the block ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def rows(filters, companies=None, statement=None):
    """Every row of the chosen fairs, resolved (five queries, whatever the data size).

    ``statement``: a narrower ``_base_statement`` (a drill-down's); the facts are then read for
    its candidates only."""
    with _collector_paused():
        narrowed = statement is not None
        statement = _base_statement(filters) if statement is None else statement
        ordered = [_make_row(values) for values in db.session.execute(statement)]
        by_key = {(r.fair_id, r.candidate_id): r for r in ordered}
        if narrowed:
            _attach_facts(by_key, filters, candidate_ids=sorted({r.candidate_id for r in ordered}),
                          companies=companies, fair_ids=sorted({r.fair_id for r in ordered}))
        else:
            _attach_facts(by_key, filters, companies=companies)
    return ordered


def iter_rows(filters, batch_size=BATCH_SIZE, companies=None):
    """The same rows, streamed: a server-side cursor, facts fetched once per batch."""
    result = db.session.execute(
        _base_statement(filters).execution_options(yield_per=batch_size, stream_results=True))
    for partition in result.partitions():
        batch = [_make_row(values) for values in partition]
        _attach_facts({(r.fair_id, r.candidate_id): r for r in batch}, filters,
                      candidate_ids=sorted({r.candidate_id for r in batch}),
                      companies=companies, fair_ids=sorted({r.fair_id for r in batch}))
        yield from batch


def fair_choices():
    return db.session.execute(select(Fair.id, Fair.name, Fair.day).order_by(Fair.day.desc(),
                                                                           Fair.id)).all()


def group_rows(all_rows, metric, dimension=None, value=None, company=None):
    """The rows behind a number: the same predicate the number counted."""
    test = rates.METRICS[metric]
    return [row for row in all_rows
            if rates.in_group(row, dimension, value) and test(row, company)]
