"""The candidates behind a number of the dashboard, a page at a time.

The number's predicate is written in SQL over ``insertion_outcomes`` (the table the dashboard
counted: the same definition as ``rates.METRICS``), so the total is a COUNT and only the page's
rows are built (``queries.rows`` on a narrowed statement: a fixed number of queries).
tests/test_insertion_table.py checks every list, page after page, against the full recompute.
"""
from dataclasses import dataclass

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import (
    Booking,
    Candidate,
    Cohort,
    Company,
    Fair,
    InsertionOutcome,
    Lead,
    Outcome,
    Participation,
    Track,
    TrainingOperator,
)
from . import queries, rates

PAGE_SIZE = 50
IO = InsertionOutcome
Employer = aliased(Company, name="drill_employer")

RESOLVED = {
    "candidates": lambda: True,
    "known": lambda: IO.status.is_not(None),
    "inserted": lambda: IO.status.in_(rates.EMPLOYED_STATUSES),
    "insertion_base": lambda: and_(IO.status.is_not(None), IO.status != "not_seeking"),
    "in_field_full_time": lambda: IO.in_field_full_time,
    "conflicts": lambda: IO.conflict,
}
# A company metric: the fact at one of the company's participations at the row's fair.
AT_COMPANY = {
    "interviews": (Booking, lambda: Booking.status == "attended"),
    "leads": (Lead, lambda: True),
    "offers": (Outcome, lambda: Outcome.status.in_(rates.OFFER_STATUSES)),
    "hires": (Outcome, lambda: Outcome.status == "hired"),
}
GROUP_COLUMNS = {"fair": (Fair.id, int), "cohort": (Cohort.id, int),
                 "operator": (TrainingOperator.id, int), "region": (Fair.region, str),
                 "track": (Track.id, int)}


@dataclass
class Page:
    rows: list
    total: int
    number: int
    pages: int

    @property
    def has_prev(self):
        return self.number > 1

    @property
    def has_next(self):
        return self.number < self.pages


def _employer_condition(dimension, value):
    """The resolved employer's group (sector, company) as rates.group_key reads it."""
    if dimension == "sector":
        return Employer.sector.is_(None) if value == rates.NO_GROUP else Employer.sector == value
    if value == rates.NO_GROUP:
        return and_(IO.employer_company_id.is_(None),
                    func.coalesce(IO.employer_name, "") == "")
    if value.startswith("name:"):
        return and_(IO.employer_company_id.is_(None), IO.employer_name == value[len("name:"):])
    try:
        return IO.employer_company_id == int(value)
    except ValueError:
        return False  # no group has this key


def _pairs(filters, metric, dimension, value, company):
    if metric in RESOLVED:
        where = [RESOLVED[metric]()]
    else:
        model, condition = AT_COMPANY[metric]
        where = [exists().where(
            Participation.id == model.participation_id, Participation.company_id == company,
            Participation.fair_id == IO.fair_id, model.candidate_id == IO.candidate_id,
            condition())]
    statement = (select(IO.fair_id.label("fair_id"), IO.candidate_id.label("candidate_id"))
                 .join(Fair, Fair.id == IO.fair_id).where(*filters.conditions(), *where))
    if dimension in ("sector", "company"):
        statement = (statement.outerjoin(Employer, Employer.id == IO.employer_company_id)
                     .where(_employer_condition(dimension, value or "")))
    return statement.subquery("drilled")


def _in_group(result, dimension, value):
    """The group's key on a statement that joins the group's table (sector, company: _pairs)."""
    if dimension not in GROUP_COLUMNS:
        return result
    column, kind = GROUP_COLUMNS[dimension]
    if value == rates.NO_GROUP:
        return result.where(column.is_(None))
    try:
        return result.where(column == kind(value))
    except (TypeError, ValueError):
        return result.where(False)  # no group has this key


def statement(filters, metric, dimension=None, value=None, company=None):
    """Every row behind the number, in the list's order (``queries._base_statement``)."""
    pairs = _pairs(filters, metric, dimension, value, company)
    return _in_group(queries._base_statement(filters, pairs), dimension, value)


def per_fair(filters, metric, dimension=None, value=None, company=None):
    """(fair id, rows) of the list, fair by fair in the list's order; no names, no sort by them:
    only the joins its group needs."""
    pairs = _pairs(filters, metric, dimension, value, company)
    counted = (select(pairs.c.fair_id, func.count()).select_from(pairs)
               .join(Fair, Fair.id == pairs.c.fair_id))
    if dimension in ("cohort", "operator", "track"):
        counted = (counted.join(Candidate, Candidate.id == pairs.c.candidate_id)
                   .outerjoin(Cohort, Cohort.id == Candidate.cohort_id)
                   .outerjoin(TrainingOperator, TrainingOperator.id == Cohort.operator_id)
                   .outerjoin(Track, Track.id == Cohort.track_id))
    counted = (_in_group(counted, dimension, value).group_by(Fair.day, pairs.c.fair_id)
               .order_by(Fair.day, pairs.c.fair_id))
    return db.session.execute(counted).all()


def page(filters, metric, dimension=None, value=None, company=None, number=1, companies=None,
         size=PAGE_SIZE):
    """Page ``number`` (from 1; past the end: the last page) and the total, in two queries plus
    the page's rows (``queries.rows``).

    The list is ordered by fair first, so the rows per fair tell which fairs the page falls on:
    only their rows are sorted by name (every inserted candidate of every fair, sorted to take
    50, was most of the page's time at national scale)."""
    fairs = per_fair(filters, metric, dimension, value, company)
    total = sum(number_of_rows for _fair_id, number_of_rows in fairs)
    pages = max(1, -(-total // size))
    number = min(max(1, number), pages)
    start = (number - 1) * size
    on_page, before, seen = [], 0, 0
    for fair_id, number_of_rows in fairs:
        if seen + number_of_rows > start and seen < start + size:
            if not on_page:
                before = seen  # the rows of the fairs before the page's first fair
            on_page.append(fair_id)
        seen += number_of_rows
    listed = statement(filters, metric, dimension, value, company).where(Fair.id.in_(on_page))
    rows = queries.rows(filters, companies=companies,
                        statement=listed.limit(size).offset(start - before)) if total else []
    return Page(rows=rows, total=total, number=number, pages=pages)
