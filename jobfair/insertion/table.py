"""Writes of ``insertion_outcomes``: each (fair, candidate)'s outcome, resolved by rates.resolve.

``refresh(fair_id, candidate_id)`` is called, in the same transaction, by every writer of what a
resolved outcome depends on (the list is in this package's README); ``rebuild(fair_id=None)``
(``flask jobfair insertion rebuild [--fair ID]``) recomputes the table from scratch. A row exists
exactly for the pairs with a company outcome or a follow-up answer: every other candidate who
counts has an unknown outcome. Whether a candidate counts at a fair (invited cohort, booking,
lead...) is not stored: figures.py reads it from those tables.
"""
from sqlalchemy import delete, insert, select

from ..extensions import db
from ..models import Fair, InsertionOutcome
from . import queries, rates


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


def refresh(fair_id, candidate_id):
    """Recompute the row of one (fair, candidate) from its outcomes and answers."""
    db.session.flush()
    fair = db.session.execute(select(Fair.name, Fair.day, Fair.region)
                              .where(Fair.id == fair_id)).one()
    row = rates.Row(fair_id=fair_id, fair_name=fair.name, fair_day=fair.day, region=fair.region,
                    candidate_id=candidate_id)
    queries._attach_facts({(fair_id, candidate_id): row}, queries.Filters(),
                          candidate_ids=[candidate_id], fair_ids=[fair_id])
    db.session.execute(delete(InsertionOutcome).where(InsertionOutcome.fair_id == fair_id,
                                                      InsertionOutcome.candidate_id == candidate_id))
    if _has_facts(row):
        db.session.execute(insert(InsertionOutcome), [_values(row)])


def rebuild(fair_id=None):
    """Recompute every row (of one fair, or of all); returns the number of rows written."""
    filters = queries.Filters(fair_ids=[fair_id] if fair_id is not None else [])
    values = [_values(row) for row in queries.iter_rows(filters) if _has_facts(row)]
    stale = delete(InsertionOutcome)
    if fair_id is not None:
        stale = stale.where(InsertionOutcome.fair_id == fair_id)
    db.session.execute(stale)
    for start in range(0, len(values), 1000):
        db.session.execute(insert(InsertionOutcome), values[start:start + 1000])
    return len(values)


def refresh_fair(fair_id):
    """After a change of the fair itself (its day moves every 30/90/180-day and 180-day test)."""
    rebuild(fair_id)
